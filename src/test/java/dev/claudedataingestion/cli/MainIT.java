package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command line as a user meets it, through ingest runs against the simulator over HTTP: exit codes, messages,
 * and what is printed.
 */
class MainIT extends CommandLineFixture {

    @Test
    void personalDataOlderThanTheRetentionPeriodIsErasedAfterEachRun() {
        simulatorEnvironment();
        environment.put("PERSONAL_DATA_RETENTION_DAYS", "3");
        assertThat(run("ingest", "--reports", "claude_code", "--from", "2026-03-01", "--to", "2026-03-08")).isZero();

        // The clock says 2026-03-09: the last three days keep their addresses, the days before keep none.
        String addresses = "SELECT count(*) FROM claude_code_usage WHERE actor_email LIKE '%@%' AND activity_date";
        assertThat(queryCount(addresses + " < DATE '2026-03-06'")).isZero();
        assertThat(queryCount(addresses + " >= DATE '2026-03-06'")).isPositive();
        assertThat(queryCount("SELECT count(*) FROM claude_code_usage WHERE actor_email LIKE 'erased-%'"))
                .isPositive();
        assertThat(queryCount("SELECT count(*) FROM claude_code_model_usage WHERE actor_email LIKE '%@%'"
                + " AND activity_date < DATE '2026-03-06'")).isZero();

        environment.put("PERSONAL_DATA_RETENTION_DAYS", "forever");
        assertThat(run("ingest", "--reports", "claude_code")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("PERSONAL_DATA_RETENTION_DAYS 'forever' is not a whole number of days");
    }
    @Test
    void reportOntoAFolderOrIntoAnUnwritableOneSaysSo() throws Exception {
        simulatorEnvironment();
        assertThat(run("ingest", "--reports", "cost")).isZero();
        assertThat(run("report", "--out", directory.toString())).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("is a folder; name a file");
        Path blocked = Files.createFile(directory.resolve("not-a-folder"));
        assertThat(run("report", "--out", blocked.resolve("report.html").toString())).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("cannot write the report to").contains("--out");
    }
    @Test
    void aWrongBaseUrlFailsAtOnceNamingTheSetting() throws Exception {
        simulatorEnvironment();
        int closed;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        environment.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + closed);
        assertThat(run("ingest", "--reports", "cost")).isEqualTo(Main.API_FAILURE);
        assertThat(err).contains("ANTHROPIC_BASE_URL (http://127.0.0.1:" + closed + ")").contains("no answer from")
                .doesNotContain("attempts");

        com.sun.net.httpserver.HttpServer page = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        page.createContext("/", exchange -> {
            byte[] html = "<!DOCTYPE html><html><body>Sign in</body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, html.length);
            exchange.getResponseBody().write(html);
            exchange.close();
        });
        page.start();
        try {
            environment.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + page.getAddress().getPort());
            assertThat(run("ingest", "--reports", "cost")).isEqualTo(Main.API_FAILURE);
            assertThat(err).contains("is not the Admin API's JSON; check ANTHROPIC_BASE_URL");
        } finally {
            page.stop(0);
        }
    }
    @Test
    void aSecondOrganizationIsMixedInOnlyWhenNamedAndReportsMustChoose() {
        simulatorEnvironment();
        assertThat(run("ingest", "--reports", "cost")).isZero();
        SyntheticOrganization other = new SyntheticOrganization(99, SyntheticOrganization.Size.DEMO,
                LocalDate.of(2026, 1, 1));
        try (AdminApiSimulator second = TestApi.simulator(other)) {
            environment.put("ANTHROPIC_BASE_URL", second.baseUrl().toString());
            assertThat(run("ingest", "--reports", "cost")).isEqualTo(Main.BAD_CONFIGURATION);
            assertThat(err).contains("the warehouse holds organization " + organization.id())
                    .contains("ANTHROPIC_ORGANIZATION_ID=" + other.id());
            environment.put("ANTHROPIC_ORGANIZATION_ID", other.id());
            assertThat(run("ingest", "--reports", "cost")).isZero();
        }
        Path html = directory.resolve("r.html");
        assertThat(run("report", "--out", html.toString())).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("choose one with --organization").contains(organization.id()).contains(other.id());
        assertThat(run("report", "--organization", other.id(), "--out", html.toString())).isZero();
        assertThat(out).contains("organization " + other.id());
        assertThat(run("status", "--organization", other.id())).isZero();
        assertThat(out).contains(other.id()).doesNotContain(organization.id());
        // The first organization's run is older than the other's two, yet it is its latest.
        assertThat(run("status", "--organization", organization.id(), "--runs", "1")).isZero();
        assertThat(out).contains("cost").doesNotContain("No runs recorded").doesNotContain(other.id());
        assertThat(run("check", "--organization", "org-unknown")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--organization org-unknown is not in this warehouse").contains(other.id());
        String organizations = "SELECT DISTINCT organization_id FROM claude_cost_daily ORDER BY 1";
        assertThat(run("query", "--format", "csv", organizations)).isZero();
        assertThat(out).contains(organization.id()).contains(other.id());
        assertThat(run("query", "--format", "csv", "--organization", other.id(), organizations)).isZero();
        assertThat(out.lines()).containsExactly("organization_id", other.id());
        assertThat(run("query", "--organization", "org-unknown", organizations)).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--organization org-unknown is not in this warehouse");
    }
    @Test
    void statusSpeaksJsonAndFailsOnGapsWhenAsked() throws Exception {
        simulatorEnvironment();
        assertThat(run("ingest", "--quiet")).isZero();
        assertThat(run("status", "--format", "json")).isZero();
        JsonNode status = new ObjectMapper().readTree(out);
        assertThat(status.get("reports")).anySatisfy(report -> {
            assertThat(report.get("report").asText()).isEqualTo("cost");
            assertThat(report.get("days_missing").asInt()).isZero();
            assertThat(report.get("last_day").asText()).isEqualTo("2026-03-08");
        });
        assertThat(status.at("/runs/0/status").asText()).isEqualTo("succeeded");
        assertThat(run("status", "--fail-on-gaps")).isZero();
        environment.put("INGEST_START_DATE", "2026-02-01");
        assertThat(run("status", "--fail-on-gaps")).isEqualTo(Main.CHECK_FAILED);
        assertThat(run("generate-completion")).isZero();
        assertThat(out).contains("complete -F").contains("claude-ingest");
    }
    @Test
    void anApiKeyWithReadAnalyticsReadsTheAnalyticsReportsOnlyAndNeedsTheOrganizationNamed() {
        simulatorEnvironment();
        environment.put("ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.ANALYTICS_KEY);
        String analytics = "analytics_usage,analytics_cost";
        assertThat(run("ingest", "--reports", analytics + ",dimensions")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("starts with sk-ant-api").contains("--reports " + analytics)
                .doesNotContain(AdminApiSimulator.ANALYTICS_KEY);
        assertThat(run("ingest", "--reports", analytics)).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("ANTHROPIC_ORGANIZATION_ID");
        assertThat(simulator.requests()).isEmpty();

        environment.put("ANTHROPIC_ORGANIZATION_ID", organization.id());
        assertThat(run("ingest", "--reports", analytics)).isZero();
        assertThat(simulator.requests()).isNotEmpty().allMatch(r -> r.path().contains("/analytics/"));
        assertThat(run("status")).isZero();
        assertThat(out).contains("analytics_usage").contains("analytics_cost");
    }
    @Test
    void ingestThenStatusThenQuery() throws Exception {
        simulatorEnvironment();
        assertThat(run("ingest")).isZero();

        assertThat(run("status")).isZero();
        assertThat(out).contains("Organization " + organization.id())
                .contains("usage           2026-02-20 to 2026-03-08, 17 days").contains("no days missing")
                .contains("succeeded");

        assertThat(run("query", "--format", "json", "SELECT report, count(*) AS days, sum(row_count) AS rows"
                + " FROM ingestion_coverage GROUP BY report ORDER BY report")).isZero();
        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(json).hasSize(5);
        assertThat(json).extracting(report -> report.get("report").asText()).containsExactly("analytics_cost",
                "analytics_usage", "claude_code", "cost", "usage");
        assertThat(json).allMatch(report -> report.get("days").asLong() == 17);

        assertThat(run("query", "--format", "csv", "SELECT 'a,b' AS x, 1.50 AS y")).isZero();
        assertThat(out).isEqualTo("x,y\r\n\"a,b\",1.5\r\n");

        assertThat(run("query", "SELECT activity_date, sum(amount_usd) AS usd FROM claude_costs GROUP BY 1"
                + " ORDER BY 1 LIMIT 2")).isZero();
        assertThat(out).contains("activity_date | usd").contains("2026-02-20").contains("(2 rows)");
    }
    @Test
    void checkExitsWithOneWhenACheckFails() {
        simulatorEnvironment();
        assertThat(run("ingest")).isZero();
        assertThat(run("check")).isZero();
        assertThat(out).contains("ok    freshness").contains("ok    reconciliation")
                .contains("no key appears twice in the fact tables over 2026-02-20..2026-03-08 (the last 90 days; --all"
                        + " for every day)");
        assertThat(run("check", "--all")).isZero();
        assertThat(out).contains("no key appears twice in the fact tables over every day loaded, ");
        assertThat(run("check", "--monthly-budget", "1")).isEqualTo(Main.CHECK_FAILED);
        assertThat(out).contains("fail  budget");
        environment.put("CHECK_MONTHLY_BUDGET_USD", "lots");
        assertThat(run("check")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("CHECK_MONTHLY_BUDGET_USD");
    }
    @Test
    void theAttributedReportsAreLoadedWhenAskedForAndTheirUnservedDaysAreNotMissing() {
        simulatorEnvironment();
        environment.put("INGEST_START_DATE", "2025-12-01");
        assertThat(run("ingest", "--reports", "analytics_usage,analytics_cost")).isZero();
        assertThat(run("status")).isZero();
        assertThat(out.lines().filter(line -> line.startsWith("  analytics_"))).hasSize(2)
                .allMatch(line -> line.contains("2026-01-01 to 2026-03-08") && line.contains("no days missing"));
        assertThat(out).contains("2025-12-01..2025-12-31 not offered by this API");
        // An organization that loads only the Usage and Cost Analytics API is not expected to hold the other reports.
        int code = run("check", "--format", "json");
        assertThat(code).as(err).isZero();
        assertThat(out).doesNotContain("never loaded").doesNotContain("no data loaded");
    }
    @Test
    void checkWithWarningsFailsOnlyWhenAsked() {
        simulatorEnvironment();
        assertThat(run("ingest", "--reports", "usage,cost")).isZero();
        assertThat(run("check", "--format", "json")).isEqualTo(Main.CHECK_FAILED);
        assertThat(out).contains("claude_code: no data loaded");
        // The organization has a discount on Opus: billed below usage × the price table, which only the list
        // prices of the attributed cost explain.
        assertThat(out).contains("billed $").contains("usage priced at $");
        assertThat(run("ingest", "--reports", "analytics_cost")).isZero();
        assertThat(run("check")).isEqualTo(Main.CHECK_FAILED);
        // Without the names, the default workspace's real id is unknown: its groups are unknown, not differences.
        assertThat(out).contains("ok    reconciliation").contains("a negotiated discount, not a difference")
                .contains("groups unknown: analytics_cost lists no price for them (the default workspace's real id is"
                        + " not loaded: run ingest with the dimensions)");
        // Data through 2026-03-06, two days behind: a warning.
        assertThat(run("ingest", "--from", "2026-02-20", "--to", "2026-03-06", "--reports", "claude_code")).isZero();
        assertThat(run("check")).isZero();
        assertThat(out).contains("warn  freshness").contains("claude_code: no data since 2026-03-06");
        assertThat(run("check", "--fail-on", "warn")).isEqualTo(Main.CHECK_FAILED);
        assertThat(run("check", "--stale-warn-days", "0")).isEqualTo(Main.BAD_CONFIGURATION);
    }
    @Test
    void pricesListsTheCatalogAndWhetherEachModelInTheWarehouseIsPriced() throws Exception {
        simulatorEnvironment();
        assertThat(run("ingest", "--reports", "usage")).isZero();
        assertThat(run("prices")).isZero();
        assertThat(out).contains("Price catalog 2026-12-03").contains("claude-opus-4-8").contains("Every model is priced");
        List<String> models = out.lines().filter(line -> line.startsWith("  claude-")).toList();
        assertThat(models).isNotEmpty().allSatisfy(line -> assertThat(line).contains("priced as claude-"));

        Path catalog = TestApi.sonnetOnlyCatalog(directory);
        assertThat(run("prices", "--prices", catalog.toString())).isZero();
        assertThat(out).contains("Price catalog sonnet-only").contains("claude-opus-4-8")
                .contains("UNPRICED: give it a price with --prices FILE").contains("models unpriced");
        assertThat(out.lines().filter(line -> line.startsWith("  claude-sonnet-4-5-"))).singleElement().asString()
                .contains("priced as claude-sonnet-4-5");

        // ingest reads its catalog before it fetches anything: one it cannot read stops it at once.
        simulator.clearRequests();
        assertThat(run("ingest", "--prices", directory.resolve("missing.json").toString()))
                .isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--prices").contains("missing.json");
        assertThat(simulator.requests()).isEmpty();
        assertThat(run("ingest", "--reports", "usage", "--prices", catalog.toString())).isZero();
    }
    @Test
    void queryRefusesToWriteOrRunPastItsTimeout() {
        simulatorEnvironment();
        assertThat(run("ingest", "--reports", "cost")).isZero();
        assertThat(run("query", "DELETE FROM claude_costs")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("statement refused: query failed").contains("read-only");
        assertThat(run("query", "SELECT * FROM no_such_table")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("statement refused").contains("no_such_table");
        assertThat(run("query", "--timeout", "1s", "SELECT count(*) FROM range(100000000000)"))
                .isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("longer than its timeout of 1 s and was stopped");
        assertThat(run("query", "SELECT count(*) AS n FROM claude_costs")).isZero();
        assertThat(out).doesNotContain(" 0\n");
        assertThat(run("query", "--maximum-bytes-billed", "1GB", "SELECT 1")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--maximum-bytes-billed applies to BigQuery only");
    }
    @Test
    void anApiFailureExitsWithThree() {
        simulatorEnvironment();
        simulator.inject(Fault.status(403, 1));
        assertThat(run("ingest", "--reports", "usage")).isEqualTo(Main.API_FAILURE);
        assertThat(err).contains("Admin API error").contains("403").contains("permission_error")
                .contains("request-id req_sim");
    }
    @Test
    void aDeadlineThatStopsTheRunBeforeAnyWindowIsAFailure() {
        simulatorEnvironment();
        // Time moves on from the tests' instant, so that the deadline can pass.
        java.time.Clock moving = java.time.Clock.offset(java.time.Clock.systemUTC(),
                java.time.Duration.between(java.time.Instant.now(), TestApi.NOW));
        assertThat(run(moving, "ingest", "--deadline", "PT0.001S")).isEqualTo(Main.API_FAILURE);
        assertThat(err).contains("nothing was loaded").contains("--deadline");
    }
    @Test
    void theKeyFileIsReadAndItsTrailingNewlineIgnored() throws Exception {
        simulatorEnvironment();
        Path keyFile = directory.resolve("key");
        Files.writeString(keyFile, AdminApiSimulator.DEMO_KEY + "\n");
        environment.remove("ANTHROPIC_ADMIN_API_KEY");
        environment.put("ANTHROPIC_ADMIN_API_KEY_FILE", keyFile.toString());
        assertThat(run("ingest", "--reports", "cost")).isZero();
    }
    @Test
    void aDifferentOrganizationIdFailsAsConfiguration() {
        simulatorEnvironment();
        environment.put("ANTHROPIC_ORGANIZATION_ID", "00000000-0000-0000-0000-000000000000");
        assertThat(run("ingest")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("ANTHROPIC_ORGANIZATION_ID").contains(organization.id());
    }
    @Test
    void theDemoLoadsNinetyDaysAndAgreesWithTheApi() {
        assertThat(run("demo", "--warehouse", warehouse())).isZero();
        assertThat(out).contains("Loaded 2025-12-09..2026-03-08").contains("usage").contains("cost")
                .contains("claude_code").doesNotContain(" NO");
        assertThat(out.lines().filter(line -> line.endsWith(" yes")).count()).isEqualTo(5);
        // The analytics reports serve the demo's days from 2026-01-01, and the demo names who spent most.
        assertThat(out).containsPattern("analytics_cost +67 ").contains("Who spent most, billed")
                .containsPattern("\\$ *[0-9,]+\\.[0-9]{2}");
    }
}
