package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names instead of ids: the dimension tables, their history, and the views that join them. */
class DimensionsIT {

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    private void ingest(Clock clock) {
        IngestConfig config = new IngestConfig(LocalDate.of(2026, 2, 20), 3, Reports.defaults(), true, Optional.empty(),
                Optional.empty());
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), false)) {
            IngestionJob.Outcome outcome = new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)),
                    Optional.empty(), warehouse, config, clock, "test", IngestListener.NONE, directory,
                    RunOrigin.MANUAL, AnalysisViews.catalog(config.prices())).run(config.deadlineFrom(clock));
            assertThat(outcome.failure()).isNull();
        }
    }

    private List<List<Object>> select(String sql) {
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            return Rows.select(warehouse, sql);
        }
    }

    @Test
    void loadsEveryWorkspaceKeyAndUserWithTheDefaultWorkspaceNamed() {
        simulator.useScopedApiKeys(true);
        ingest(TestApi.CLOCK);

        assertThat(select("SELECT name FROM claude_workspaces WHERE workspace_id IS NULL"))
                .containsExactly(List.of("Default workspace"));
        assertThat(select("SELECT count(*) FROM claude_workspaces").get(0).get(0)).isEqualTo(6L);
        // The default workspace's real id, listed with include_default=true, as the analytics API names it.
        assertThat(select("SELECT workspace_id, name FROM claude_workspaces WHERE is_default ORDER BY workspace_id"))
                .containsExactlyInAnyOrder(Arrays.asList(null, "Default workspace"),
                        List.of(organization.defaultWorkspaceId(), "Default Workspace"));
        assertThat(select("SELECT count(*) FROM claude_workspaces WHERE NOT is_default").get(0).get(0)).isEqualTo(4L);
        assertThat(select("SELECT count(*) FROM claude_workspaces WHERE archived_at IS NOT NULL").get(0).get(0))
                .isEqualTo(1L);
        assertThat(select("SELECT count(*) FROM claude_api_keys").get(0).get(0))
                .isEqualTo((long) organization.apiKeys().size());
        // The newer API key shape, with scope, still gives each key its workspace.
        assertThat(select("SELECT count(*) FROM claude_api_keys WHERE workspace_id IS NOT NULL").get(0).get(0))
                .isEqualTo(organization.apiKeys().stream().filter(k -> k.workspaceId() != null).count());
        // The demo organization's twentieth user has left it: no longer listed.
        assertThat(select("SELECT count(*) FROM claude_users").get(0).get(0)).isEqualTo(19L);
        // Views show names: no usage row without one, Console usage named as such.
        assertThat(select("SELECT count(*) FROM claude_tokens_daily WHERE api_key_name LIKE 'apikey_%'").get(0).get(0))
                .isEqualTo(0L);
        assertThat(select("SELECT count(*) FROM claude_tokens_daily WHERE api_key_name = 'Console'").get(0).get(0))
                .isNotEqualTo(0L);
        assertThat(select("SELECT count(*) FROM claude_cost_daily WHERE workspace_name LIKE 'wrkspc_%'").get(0).get(0))
                .isEqualTo(0L);
        // Their Claude Code history stays, shown by e-mail address: no member has it.
        assertThat(select("SELECT DISTINCT actor_email FROM claude_code_users WHERE user_name LIKE '%@%'"))
                .allMatch(row -> row.equals(List.of("user20@example.com")));
    }

    @Test
    void aRenamedKeyKeepsItsOldNameInTheDaysBefore() {
        ingest(TestApi.CLOCK);
        SyntheticOrganization.ApiKey key = organization.apiKeys().get(0);
        organization.renameApiKey(key.id(), "renamed-key");
        Clock nextDay = Clock.offset(TestApi.CLOCK, Duration.ofDays(1));
        ingest(nextDay);

        assertThat(select("SELECT name, valid_from, valid_to FROM claude_api_keys WHERE api_key_id = '" + key.id()
                + "' ORDER BY valid_from")).containsExactly(
                        List.of(key.name(), DimensionHistory.BEGINNING, LocalDate.of(2026, 3, 10)),
                        java.util.Arrays.asList("renamed-key", LocalDate.of(2026, 3, 10), null));
        // Usage of the days before the rename reads the old name; the current name is the new one.
        assertThat(select("SELECT DISTINCT api_key_name FROM claude_tokens_daily WHERE api_key_id = '" + key.id() + "'"))
                .containsExactly(List.of(key.name()));
        assertThat(select("SELECT api_key_name FROM claude_top_api_keys WHERE api_key_id = '" + key.id() + "'"))
                .containsExactly(List.of("renamed-key"));
    }

    @Test
    void claudeCodeDailyCountsUsersAndAcceptance() {
        ingest(TestApi.CLOCK);
        LocalDate day = LocalDate.of(2026, 3, 2);
        var records = organization.claudeCode(day);
        long users = records.stream().filter(r -> r.email() != null).map(r -> r.email()).distinct().count();
        long accepted = 0;
        long all = 0;
        for (var record : records) {
            for (var tool : List.of("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")) {
                long[] counts = record.toolActions().get(tool);
                if (counts != null) {
                    accepted += counts[0];
                    all += counts[0] + counts[1];
                }
            }
        }
        List<Object> row = select("SELECT active_users, tool_acceptance_rate FROM claude_code_daily"
                + " WHERE activity_date = DATE '2026-03-02'").get(0);
        assertThat(((Number) row.get(0)).longValue()).isEqualTo(users);
        assertThat(((Number) row.get(1)).doubleValue()).isCloseTo((double) accepted / all,
                org.assertj.core.data.Offset.offset(1e-12));
    }
}
