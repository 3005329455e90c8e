package dev.claudedataingestion.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.analysis.privacy.PersonalData;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Revisions;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.TestRows;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every warehouse must do, whatever the backend. A backend's test is a thin subclass that opens it and can
 * read back what it stores with plain SQL.
 */
public abstract class WarehouseContractTest {

    protected static final String ORG = "org-a";
    protected static final String OTHER_ORG = "org-b";
    private static final LocalDate D1 = LocalDate.of(2025, 3, 1);
    private static final LocalDate D2 = D1.plusDays(1);
    private static final LocalDate D3 = D1.plusDays(2);
    private static final DayRange D1_TO_D3 = DayRange.of(D1, D3);

    protected Warehouse warehouse;

    /** A new, empty warehouse. */
    protected abstract Warehouse openWarehouse();

    /** Creates {@code table} as an older version did: {@code columns} (name and SQL type) only. */
    protected abstract void createOldTable(String table, Map<String, String> columns);

    /** Opens the same warehouse again, read-only. */
    protected abstract Warehouse reopenReadOnly();

    @BeforeEach
    void open() {
        warehouse = openWarehouse();
        warehouse.ensureSchema(AnalysisViews.catalog());
    }

    @AfterEach
    void close() {
        if (warehouse != null) {
            warehouse.close();
        }
    }

    protected static Row usage(LocalDate day, String key, long output) {
        return TestRows.usage(day, key, output);
    }

    protected static Row cost(LocalDate day, String description, String cents) {
        return TestRows.cost(day, description, cents);
    }

    protected List<List<Object>> select(String sql) {
        return Rows.select(warehouse, sql);
    }

    private long count(String sql) {
        return ((Number) select(sql).get(0).get(0)).longValue();
    }

    private WriteResult replace(ReportKind report, String org, DayRange days, List<Row> rows) {
        return warehouse.replaceDays(report, org, days, rows::forEach, "run-" + System.nanoTime(), Instant.now(), List.of());
    }

    @Test
    void replacingTheSameDaysTwiceKeepsOneCopy() {
        List<Row> rows = List.of(usage(D1, "k1", 5), usage(D2, "k1", 6), usage(D2, "k2", 7));
        replace(ReportKind.USAGE, ORG, D1_TO_D3, rows);
        replace(ReportKind.USAGE, ORG, D1_TO_D3, rows);

        assertThat(count("SELECT count(*) FROM claude_usage")).isEqualTo(3);
        assertThat(count("SELECT sum(output_tokens) FROM claude_usage")).isEqualTo(18);
        assertThat(count("SELECT count(*) FROM ingestion_coverage")).isEqualTo(3);
    }

    @Test
    void aReplacedRangeLosesRowsThatVanishedFromTheSource() {
        replace(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 5), usage(D2, "k2", 7)));
        WriteResult result = replace(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 9)));

        assertThat(result.rows()).isEqualTo(1);
        assertThat(select("SELECT activity_date, output_tokens FROM claude_usage")).hasSize(1);
        assertThat(count("SELECT sum(output_tokens) FROM claude_usage")).isEqualTo(9);
    }

    @Test
    void rowsOutsideTheRangeAndOfOtherOrganizationsAreUntouched() {
        replace(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 1), usage(D3, "k1", 3)));
        replace(ReportKind.USAGE, OTHER_ORG, D1_TO_D3, List.of(usage(D2, "k1", 100)));
        replace(ReportKind.USAGE, ORG, DayRange.single(D2), List.of(usage(D2, "k1", 2)));
        replace(ReportKind.COST, ORG, D1_TO_D3, List.of(cost(D2, "a", "1")));

        assertThat(count("SELECT sum(output_tokens) FROM claude_usage WHERE organization_id = 'org-a'")).isEqualTo(6);
        assertThat(count("SELECT sum(output_tokens) FROM claude_usage WHERE organization_id = 'org-b'")).isEqualTo(100);
        assertThat(warehouse.coveredDays(ReportKind.USAGE, ORG, D1_TO_D3)).containsExactlyInAnyOrder(D1, D2, D3);
        assertThat(warehouse.coveredDays(ReportKind.USAGE, OTHER_ORG, D1_TO_D3)).containsExactlyInAnyOrder(D1, D2, D3);
        assertThat(count("SELECT count(*) FROM claude_costs")).isEqualTo(1);
    }

    @Test
    void daysWithoutRowsAreCovered() {
        WriteResult result = replace(ReportKind.COST, ORG, D1_TO_D3, List.of());

        assertThat(result.rows()).isZero();
        assertThat(warehouse.coveredDays(ReportKind.COST, ORG, D1_TO_D3)).containsExactlyInAnyOrder(D1, D2, D3);
        assertThat(count("SELECT count(*) FROM ingestion_coverage WHERE row_count = 0 AND report = 'cost'"))
                .isEqualTo(3);
        assertThat(warehouse.coveredDays(ReportKind.USAGE, ORG, D1_TO_D3)).isEmpty();
    }

    @Test
    void aFailureInTheMiddleLeavesTheRangeAsBefore() {
        replace(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 5), usage(D2, "k1", 6)));
        RowStream<Row> breaksHalfWay = action -> {
            action.accept(usage(D1, "k1", 50));
            action.accept(usage(D2, "k1", 60));
            throw new IllegalStateException("the disk went away");
        };

        assertThatThrownBy(() -> warehouse.replaceDays(ReportKind.USAGE, ORG, D1_TO_D3, breaksHalfWay, "run-x", Instant.now(), List.of()))
                .isInstanceOf(WarehouseException.class).hasMessageContaining("nothing was changed")
                .hasMessageContaining("the disk went away");
        assertThat(count("SELECT sum(output_tokens) FROM claude_usage")).isEqualTo(11);
        assertThat(count("SELECT count(*) FROM ingestion_coverage WHERE run_id = 'run-x'")).isZero();
        // The warehouse is still usable afterwards.
        replace(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 1)));
        assertThat(count("SELECT sum(output_tokens) FROM claude_usage")).isEqualTo(1);
    }

    @Test
    void aRowOutsideTheRangeIsRefusedAndNothingChanges() {
        replace(ReportKind.USAGE, ORG, DayRange.single(D1), List.of(usage(D1, "k1", 5)));
        assertThatThrownBy(() -> replace(ReportKind.USAGE, ORG, DayRange.single(D1),
                List.of(usage(D1, "k1", 1), usage(D2, "k1", 2)))).isInstanceOf(WarehouseException.class);
        assertThat(count("SELECT sum(output_tokens) FROM claude_usage")).isEqualTo(5);
    }

    @Test
    void moneyIsExactAndDollarsAreCentsOverAHundred() {
        replace(ReportKind.COST, ORG, DayRange.single(D1), List.of(cost(D1, "a", "123.78912"),
                cost(D1, "b", "0.30000000000000004"), cost(D1, "c", "99999999999999.99999")));

        List<List<Object>> rows = select("SELECT description, amount_cents, amount_usd FROM claude_costs ORDER BY description");
        assertThat(decimal(rows.get(0).get(1))).isEqualByComparingTo("123.78912");
        assertThat(decimal(rows.get(0).get(2))).isEqualByComparingTo("1.2378912");
        assertThat(decimal(rows.get(1).get(2))).isEqualByComparingTo("0.0030000000000000004");
        assertThat(decimal(rows.get(2).get(2))).isEqualByComparingTo("999999999999.9999999");
        assertThat(decimal(select("SELECT sum(amount_usd) FROM claude_costs").get(0).get(0)))
                .isEqualByComparingTo(new BigDecimal("123.78912").add(new BigDecimal("0.30000000000000004"))
                        .add(new BigDecimal("99999999999999.99999")).movePointLeft(2));
    }

    private static BigDecimal decimal(Object value) {
        return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

    private static List<Row> claudeCode(LocalDate day, String email) {
        return TestRows.claudeCode(day, """
                {"actor": {"type": "user_actor", "email_address": "%s"}, "terminal_type": "vscode", "is_remote": false,
                 "customer_type": "api", "core_metrics": {"num_sessions": 1, "lines_of_code": {"added": 2, "removed": 3},
                 "commits_by_claude_code": 4, "pull_requests_by_claude_code": 5},
                 "model_breakdown": [
                   {"model": "m1", "tokens": {"input": 100, "output": 50, "cache_read": 10, "cache_creation": 5},
                    "estimated_cost": {"amount": 1, "currency": "USD"}},
                   {"model": "m2", "tokens": {"input": 1, "output": 2, "cache_read": 3, "cache_creation": 4},
                    "estimated_cost": {"amount": 0.25, "currency": "USD"}}]}""".formatted(email));
    }

    private static List<Row> concat(List<Row> first, List<Row> second) {
        List<Row> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** A version of a user. */
    private static Row user(String id, String email, LocalDate from, LocalDate to) {
        return new Row(Tables.USERS).set("organization_id", ORG).set("user_id", id).set("email", email)
                .set("name", "Person " + id).set("role", "user").set("valid_from", from).set("valid_to", to);
    }

    @Test
    void personalDataBeforeTheCutoffIsErasedAndTheRowsStayDistinctAndJoined() {
        replace(ReportKind.CLAUDE_CODE, ORG, D1_TO_D3, concat(concat(claudeCode(D1, "b@example.com"),
                claudeCode(D1, "a@example.com")), claudeCode(D3, "a@example.com")));
        replace(ReportKind.CLAUDE_CODE, OTHER_ORG, DayRange.single(D1), claudeCode(D1, "c@example.com"));
        warehouse.replaceOrganizationRows(Tables.USERS, ORG, List.of(user("u1", "old@example.com", D1, D2),
                user("u1", "new@example.com", D2, null)));

        assertThat(warehouse.erasePersonalData(ORG, D2, PersonalData.ERASURE)).isEqualTo(2 * 2 + 2 + 1);

        assertThat(select("SELECT activity_date, actor_email FROM claude_code_usage WHERE organization_id = '" + ORG
                + "' ORDER BY activity_date, actor_email")).containsExactly(List.of(D1, "erased-1"),
                List.of(D1, "erased-2"), List.of(D3, "a@example.com"));
        // The same person has the same pseudonym in both tables that day: they still join, row for row.
        assertThat(count("SELECT count(*) FROM claude_code_model_usage m JOIN claude_code_usage u"
                + " ON m.organization_id = u.organization_id AND m.activity_date = u.activity_date"
                + " AND m.actor_email = u.actor_email")).isEqualTo(count("SELECT count(*) FROM claude_code_model_usage"))
                .isEqualTo(8);
        assertThat(count("SELECT count(*) FROM claude_code_model_usage WHERE actor_email LIKE '%@%'"
                + " AND activity_date < '" + D2 + "' AND organization_id = '" + ORG + "'")).isZero();
        assertThat(select("SELECT actor_email FROM claude_code_usage WHERE organization_id = '" + OTHER_ORG + "'"))
                .containsExactly(List.of("c@example.com"));
        assertThat(select("SELECT email, name FROM claude_users ORDER BY valid_from")).containsExactly(
                java.util.Arrays.asList(null, null), List.of("new@example.com", "Person u1"));
        assertThat(warehouse.erasePersonalData(ORG, D2, PersonalData.ERASURE)).isZero();
    }

    @Test
    void claudeCodeRowsFillBothTablesAndKeepEveryTool() {
        List<Row> rows = TestRows.claudeCode(D1, """
                {"actor": {"type": "user_actor", "email_address": "a@example.com"}, "terminal_type": "vscode",
                 "is_remote": false, "customer_type": "api", "core_metrics": {"num_sessions": 3,
                 "lines_of_code": {"added": 10, "removed": 4}, "commits_by_claude_code": 1},
                 "tool_actions": {"edit_tool": {"accepted": 5, "rejected": 1},
                                  "hologram_tool": {"accepted": 2, "rejected": 0}},
                 "model_breakdown": [
                   {"model": "m1", "tokens": {"input": 100, "output": 50, "cache_read": 10, "cache_creation": 5},
                    "estimated_cost": {"amount": 186, "currency": "USD"}},
                   {"model": "m2", "tokens": {"input": 1, "output": 2, "cache_read": 3, "cache_creation": 4},
                    "estimated_cost": {"amount": "0.25", "currency": "USD"}}]}""");
        WriteResult result = replace(ReportKind.CLAUDE_CODE, ORG, DayRange.single(D1), rows);

        assertThat(result.rows()).isEqualTo(1);
        List<Object> stored = select("SELECT edit_tool_accepted, edit_tool_rejected, write_tool_accepted, tool_actions,"
                + " input_tokens, estimated_cost_usd, is_remote FROM claude_code_usage").get(0);
        assertThat(((Number) stored.get(0)).longValue()).isEqualTo(5);
        assertThat(((Number) stored.get(1)).longValue()).isEqualTo(1);
        assertThat(((Number) stored.get(2)).longValue()).isZero();
        assertThat(stored.get(3).toString().replace(" ", "")).contains("\"hologram_tool\":{\"accepted\":2,\"rejected\":0}");
        assertThat(((Number) stored.get(4)).longValue()).isEqualTo(101);
        assertThat(decimal(stored.get(5))).isEqualByComparingTo("1.8625");
        assertThat(stored.get(6)).isEqualTo(false);
        assertThat(count("SELECT count(*) FROM claude_code_model_usage")).isEqualTo(2);
        assertThat(warehouse.coveredDays(ReportKind.CLAUDE_CODE, ORG, DayRange.single(D1))).containsExactly(D1);

        replace(ReportKind.CLAUDE_CODE, ORG, DayRange.single(D1), List.of());
        assertThat(count("SELECT count(*) FROM claude_code_model_usage")).isZero();
        assertThat(count("SELECT count(*) FROM claude_code_usage")).isZero();
    }

    /** A run whose process died is completed from the ledger: what it wrote, per report, and its organization. */
    @Test
    void telemetryRowsAreAddedOnceWhateverIsSentAgain() {
        Row first = telemetryEvent("k1", D1, "0.007512");
        Row second = telemetryEvent("k2", D2, "0.000001");

        assertThat(warehouse.insertNew(Tables.CLAUDE_CODE_EVENTS, List.of(first, first))).isEqualTo(1);
        assertThat(warehouse.insertNew(Tables.CLAUDE_CODE_EVENTS, List.of(second, first))).isEqualTo(1);
        assertThat(warehouse.insertNew(Tables.CLAUDE_CODE_EVENTS, List.of(first, second))).isZero();

        assertThat(select("SELECT event_key, cost_usd FROM claude_code_events ORDER BY event_key")).hasSize(2)
                .satisfiesExactly(
                        row -> assertThat(((BigDecimal) row.get(1))).isEqualByComparingTo("0.007512"),
                        row -> assertThat(((BigDecimal) row.get(1))).isEqualByComparingTo("0.000001"));
    }

    @Test
    void telemetryLosesEmailAddressesAndTextBeforeTheCutoff() {
        warehouse.insertNew(Tables.CLAUDE_CODE_EVENTS, List.of(telemetryEvent("old", D1, "0.1").set("prompt", "hi"),
                telemetryEvent("new", D2, "0.2").set("prompt", "there"),
                telemetryEvent("none", D1, "0.3").set("organization_id", null),
                telemetryEvent("other", D1, "0.4").set("organization_id", OTHER_ORG)));
        warehouse.insertNew(Tables.CLAUDE_CODE_METRICS, List.of(new Row(Tables.CLAUDE_CODE_METRICS)
                .set("point_key", "p").set("organization_id", ORG).set("metric_name", "claude_code.cost.usage")
                .set("end_time", Instant.parse("2025-03-01T10:00:00Z")).set("activity_date", D1)
                .set("user_email", "a@example.com").set("value", BigDecimal.ONE).set("attributes", "{}")));

        assertThat(warehouse.erasePersonalData(ORG, D2, PersonalData.ERASURE)).isEqualTo(3);

        assertThat(select("SELECT event_key, user_email, prompt FROM claude_code_events ORDER BY event_key"))
                .containsExactly(List.of("new", "a@example.com", "there"), java.util.Arrays.asList("none", null, null),
                        java.util.Arrays.asList("old", null, null), java.util.Arrays.asList("other", "a@example.com",
                                null));
        assertThat(select("SELECT user_email FROM claude_code_metrics")).containsExactly(
                java.util.Collections.singletonList(null));
    }

    private static Row telemetryEvent(String key, LocalDate day, String cost) {
        return new Row(Tables.CLAUDE_CODE_EVENTS).set("event_key", key).set("organization_id", ORG)
                .set("event_name", "api_request").set("event_time", day.atStartOfDay(java.time.ZoneOffset.UTC)
                        .toInstant().plusSeconds(3600)).set("activity_date", day).set("user_email", "a@example.com")
                .set("cost_usd", new BigDecimal(cost)).set("attributes", "{}").set("received_at", Instant.now());
    }

    @Test
    void anAbandonedRunIsCompletedFromTheLedger() {
        Instant start = Instant.parse("2026-03-09T06:30:00Z");
        RunRecord started = RunRecord.started("run-dead", null, start, "usage,cost", "1", "manual", null,
                "1@another-host");
        warehouse.recordRun(started);
        warehouse.replaceDays(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 5), usage(D2, "k1", 6),
                usage(D2, "k2", 7))::forEach, "run-dead", start.plusSeconds(1), List.of());
        warehouse.replaceDays(ReportKind.COST, ORG, DayRange.single(D1), List.of(cost(D1, "a", "1"))::forEach,
                "run-dead", start.plusSeconds(2), List.of());
        replace(ReportKind.COST, ORG, DayRange.single(D2), List.of(cost(D2, "b", "2")));

        // Another host's run, a day old: its process is taken to be gone.
        Instant now = start.plus(java.time.Duration.ofDays(2));
        assertThat(dev.claudedataingestion.ingest.AbandonedRuns.isAbandoned(started, now)).isTrue();
        assertThat(dev.claudedataingestion.ingest.AbandonedRuns.isAbandoned(started, start.plusSeconds(60))).isFalse();
        RunRecord abandoned = dev.claudedataingestion.ingest.AbandonedRuns.completed(warehouse, started, now);
        assertThat(abandoned.status()).isEqualTo(RunRecord.Status.ABANDONED);
        assertThat(abandoned.organizationId()).isEqualTo(ORG);
        assertThat(abandoned.daysWritten()).isEqualTo(4);
        assertThat(abandoned.rowsWritten()).isEqualTo(4);
        assertThat(abandoned.reportCounts()).isEqualTo("{\"cost\":{\"days\":1,\"rows\":1},"
                + "\"usage\":{\"days\":3,\"rows\":3}}");
        warehouse.recordRun(abandoned);
        assertThat(warehouse.recentRuns(10)).singleElement().satisfies(run -> {
            assertThat(run.status()).isEqualTo(RunRecord.Status.ABANDONED);
            assertThat(run.daysWritten()).isEqualTo(4);
            assertThat(run.reportCounts().replace(" ", "")).isEqualTo(abandoned.reportCounts());
        });
    }

    @Test
    void recordsARunAndUpdatesItWhenItFinishes() {
        Instant start = Instant.parse("2026-03-09T06:30:00.123456Z");
        RunRecord started = RunRecord.started("run-1", null, start, "usage", "1", "cloud_run", "job-exec-7",
                "4242@host-1");
        warehouse.recordRun(started);
        assertThat(warehouse.recentRuns(10)).containsExactly(started);
        warehouse.recordRun(started.finish(ORG, start.plusSeconds(5), RunRecord.Status.FAILED, 3, 42, "boom",
                "{\"usage\":{\"days\":3,\"rows\":42}}", 7, 2));

        assertThat(warehouse.recentRuns(10)).singleElement().satisfies(run -> {
            assertThat(run.organizationId()).isEqualTo(ORG);
            assertThat(run.startedAt()).isEqualTo(start);
            assertThat(run.finishedAt()).isEqualTo(start.plusSeconds(5));
            assertThat(run.status()).isEqualTo(RunRecord.Status.FAILED);
            assertThat(run.rowsWritten()).isEqualTo(42);
            assertThat(run.error()).isEqualTo("boom");
            assertThat(run.trigger()).isEqualTo("cloud_run");
            assertThat(run.executionId()).isEqualTo("job-exec-7");
            assertThat(run.reportCounts().replace(" ", "")).contains("\"rows\":42");
            assertThat(run.requestsMade()).isEqualTo(7);
            assertThat(run.retries()).isEqualTo(2);
        });
        assertThat(((Number) select("SELECT duration_ms FROM ingestion_runs").get(0).get(0)).longValue())
                .isEqualTo(5000);
    }

    @Test
    void aQueryForOneOrganizationSeesOnlyItsRowsInEveryTableAndView() {
        replace(ReportKind.USAGE, ORG, DayRange.of(D1, D2), List.of(usage(D1, "k1", 5), usage(D2, "k2", 7)));
        replace(ReportKind.USAGE, OTHER_ORG, DayRange.single(D1), List.of(usage(D1, "k1", 100)));
        Optional<String> org = Optional.of(ORG);

        assertThat(((Number) Rows.select(warehouse, "SELECT SUM(output_tokens) FROM claude_usage", org).get(0).get(0))
                .longValue()).isEqualTo(12L);
        assertThat(Rows.select(warehouse, "SELECT DISTINCT organization_id FROM claude_tokens_daily", org))
                .containsExactly(List.of(ORG));
        assertThat(Rows.select(warehouse, "SELECT COUNT(*) FROM ingestion_coverage", org)).containsExactly(List.of(2L));
        // The statement's own WITH list, after a comment, keeps working beside the shadows.
        assertThat(Rows.select(warehouse, "-- per organization\n with o AS (SELECT organization_id FROM claude_usage)"
                + " SELECT COUNT(DISTINCT organization_id) FROM o", org)).containsExactly(List.of(1L));
        assertThat(Rows.select(warehouse, "SELECT COUNT(DISTINCT organization_id) FROM claude_usage"))
                .containsExactly(List.of(2L));
    }

    @Test
    void ensureSchemaAddsColumnsThatANewerVersionDefinesAndKeepsData() {
        warehouse.close();
        warehouse = null;
        createOldTable("claude_costs", Map.of("organization_id", "VARCHAR(100)", "activity_date", "DATE",
                "amount_cents", "NUMERIC(38,20)"));
        warehouse = reopen();
        warehouse.ensureSchema(AnalysisViews.catalog());
        warehouse.ensureSchema(AnalysisViews.catalog());

        replace(ReportKind.COST, ORG, DayRange.single(D1), List.of(cost(D1, "a", "250")));
        assertThat(decimal(select("SELECT amount_usd FROM claude_costs").get(0).get(0))).isEqualByComparingTo("2.5");
        assertThat(select("SELECT description, currency, run_id FROM claude_costs").get(0).get(0)).isEqualTo("a");
    }

    @Test
    void attributedRowsKeepTheirActorsAndBothAmountsExactly() {
        java.time.Instant day = D1.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        List<Row> rows = new java.util.ArrayList<>();
        rows.addAll(TestRows.parse(dev.claudedataingestion.reports.AnalyticsCostReport.INSTANCE, day, """
                {"group": {"actor": {"type": "user_actor", "user_id": "user_1", "email_address": "a@example.com",
                 "name": "A", "deleted": true}, "model": "m", "cost_type": "tokens", "token_type": "output_tokens"},
                 "cost": {"amount": "80.00000000000000000001", "list_amount": "100.00000000000000000012",
                 "currency": "USD", "requests": null}}"""));
        rows.addAll(TestRows.parse(dev.claudedataingestion.reports.AnalyticsCostReport.INSTANCE, day, """
                {"group": {"actor": null, "cost_type": "code_execution"},
                 "cost": {"amount": "5", "list_amount": "5", "currency": "USD", "requests": 2}}"""));
        replace(ReportKind.ANALYTICS_COST, ORG, DayRange.single(D1), rows);

        List<Object> sums = select("SELECT sum(amount_cents), sum(list_amount_cents), sum(list_amount_usd),"
                + " count(actor_id), max(actor_email), sum(requests) FROM claude_cost_attributed").get(0);
        assertThat(decimal(sums.get(0))).isEqualByComparingTo("85.00000000000000000001");
        assertThat(decimal(sums.get(1))).isEqualByComparingTo("105.00000000000000000012");
        assertThat(decimal(sums.get(2))).isEqualByComparingTo("1.0500000000000000000012");
        assertThat(((Number) sums.get(3)).longValue()).isEqualTo(1);
        assertThat(sums.get(4)).isEqualTo("a@example.com");
        assertThat(((Number) sums.get(5)).longValue()).isEqualTo(2);
        assertThat(warehouse.coveredDays(ReportKind.ANALYTICS_COST, ORG, DayRange.single(D1))).containsExactly(D1);
    }

    @Test
    void overlappingReplacesOfOneWindowLeaveOneCopy() throws Exception {
        List<Row> rows = new java.util.ArrayList<>();
        for (LocalDate day : D1_TO_D3.days().toList()) {
            for (int key = 0; key < 5_000; key++) {
                rows.add(usage(day, "k" + key, key));
            }
        }
        int writers = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(writers);
        List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                String runId = "writer-" + i;
                results.add(pool.submit(() -> {
                    try (Warehouse writer = reopen()) {
                        together.await();
                        writer.replaceDays(ReportKind.USAGE, ORG, D1_TO_D3, rows::forEach, runId, Instant.now(),
                                List.of());
                        return true;
                    } catch (WarehouseException e) {
                        // A backend may refuse the second of two conflicting transactions; it changed nothing.
                        return false;
                    }
                }));
            }
            long succeeded = 0;
            for (java.util.concurrent.Future<Boolean> result : results) {
                succeeded += result.get() ? 1 : 0;
            }
            assertThat(succeeded).isPositive();
        } finally {
            pool.shutdownNow();
        }

        assertThat(count("SELECT count(*) FROM claude_usage")).isEqualTo(rows.size());
        assertThat(count("SELECT count(DISTINCT run_id) FROM claude_usage")).isEqualTo(1);
        assertThat(select("SELECT activity_date, row_count FROM ingestion_coverage ORDER BY activity_date"))
                .containsExactly(List.of(D1, 5_000L), List.of(D2, 5_000L), List.of(D3, 5_000L));
        assertThat(select("SELECT DISTINCT c.run_id = u.run_id FROM ingestion_coverage c, claude_usage u"))
                .containsExactly(List.of(true));
    }

    /** Opens the warehouse again after {@link #createOldTable}; by default a new one, which for files is the same. */
    protected Warehouse reopen() {
        return openWarehouse();
    }

    @Test
    void dayTotalsAreTheStoredRowsAndHeadlineOfCoveredDaysOnly() {
        replace(ReportKind.USAGE, ORG, DayRange.of(D1, D2), List.of(usage(D1, "k1", 5), usage(D1, "k2", 7)));
        replace(ReportKind.USAGE, OTHER_ORG, DayRange.of(D1, D3), List.of(usage(D3, "k1", 100)));

        Map<LocalDate, DayTotal> totals = warehouse.dayTotals(ReportKind.USAGE, ORG, D1_TO_D3);
        assertThat(totals.keySet()).containsExactly(D1, D2);
        // Each row holds 10 + 1 + 2 + 3 tokens besides its output tokens.
        assertThat(totals.get(D1).rows()).isEqualTo(2);
        assertThat(totals.get(D1).total()).isEqualByComparingTo(BigDecimal.valueOf(16 + 5 + 16 + 7));
        assertThat(totals.get(D2)).isEqualTo(new DayTotal(0, BigDecimal.ZERO));
    }

    @Test
    void restatementsAreRecordedWithTheNewRows() {
        replace(ReportKind.COST, ORG, DayRange.single(D1), List.of(cost(D1, "a", "1.5")));
        Restatement revised = new Restatement(D1, "amount_cents", 1, 2, new BigDecimal("1.5"), new BigDecimal("4.25"));
        warehouse.replaceDays(ReportKind.COST, ORG, DayRange.single(D1),
                List.of(cost(D1, "a", "1.5"), cost(D1, "b", "2.75"))::forEach, "run-2", Instant.now(), List.of(revised));

        List<Object> stored = select("SELECT organization_id, report, activity_date, run_id, measure, old_row_count,"
                + " new_row_count, old_total, new_total FROM ingestion_restatements").get(0);
        assertThat(stored.subList(0, 5)).containsExactly(ORG, "cost", D1, "run-2", "amount_cents");
        assertThat(((Number) stored.get(5)).longValue()).isEqualTo(1);
        assertThat(((Number) stored.get(6)).longValue()).isEqualTo(2);
        assertThat(decimal(stored.get(7))).isEqualByComparingTo("1.5");
        assertThat(decimal(stored.get(8))).isEqualByComparingTo("4.25");
    }

    @Test
    void coverageSummarisesDaysAndRowsPerOrganizationAndReport() {
        replace(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 1), usage(D1, "k2", 1)));
        replace(ReportKind.COST, OTHER_ORG, DayRange.single(D2), List.of());

        assertThat(warehouse.coverage()).containsExactlyInAnyOrder(
                new Warehouse.CoverageSummary(ORG, ReportKind.USAGE, Set.of(D1, D2, D3), 2, Set.of()),
                new Warehouse.CoverageSummary(OTHER_ORG, ReportKind.COST, Set.of(D2), 0, Set.of()));
    }

    @Test
    void aDayFetchedBeforeItsFiguresWereFinalIsProvisionalInTheLedgerAndTheViews() {
        // Fetched the moment D2's figures became final: D3 could still be revised.
        warehouse.replaceDays(ReportKind.USAGE, ORG, D1_TO_D3, List.of(usage(D1, "k1", 1), usage(D3, "k1", 1))::forEach,
                "run-1", Revisions.finalFrom(D2), List.of());

        assertThat(warehouse.coverage()).containsExactly(
                new Warehouse.CoverageSummary(ORG, ReportKind.USAGE, Set.of(D1, D2, D3), 2, Set.of(D3)));
        assertThat(warehouse.fetchedAt(ReportKind.USAGE, ORG, D1_TO_D3)).containsEntry(D3, Revisions.finalFrom(D2));
        assertThat(select("SELECT activity_date, is_final FROM claude_tokens_daily ORDER BY activity_date"))
                .containsExactly(List.of(D1, true), List.of(D3, false));
    }

    @Test
    void aReadOnlyWarehouseRefusesToWrite() {
        replace(ReportKind.USAGE, ORG, DayRange.single(D1), List.of(usage(D1, "k1", 1)));
        warehouse.close();
        warehouse = reopenReadOnly();

        assertThat(count("SELECT count(*) FROM claude_usage")).isEqualTo(1);
        assertThatThrownBy(() -> Rows.query(warehouse, "DELETE FROM claude_usage")).isInstanceOf(WarehouseException.class);
        assertThat(count("SELECT count(*) FROM claude_usage")).isEqualTo(1);
    }

    @Test
    void queryRunsOneStatementOnly() {
        replace(ReportKind.USAGE, ORG, DayRange.single(D1), List.of(usage(D1, "k1", 1)));
        warehouse.close();
        warehouse = reopenReadOnly();

        assertThatThrownBy(() -> Rows.query(warehouse, "SELECT 1;\nDELETE FROM claude_usage")).isInstanceOf(WarehouseException.class);
        assertThat(count("SELECT count(*) FROM claude_usage")).isEqualTo(1);
    }
}
