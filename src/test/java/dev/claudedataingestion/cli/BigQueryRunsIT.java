package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.Warehouses;
import dev.claudedataingestion.warehouse.bigquery.BigQueryFake;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole runs of {@code claude-ingest ingest} into BigQuery (its fake): the jobs a backfill and a daily run create,
 * as docs/bigquery.md counts them (a change here is a change to what production pays for and to its share of the
 * per-table daily quota), and a job that never finishes, which must not outlive the run's deadline.
 */
class BigQueryRunsIT {

    private final AdminApiSimulator simulator = TestApi.simulator(TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2025, 1, 1)));
    private BigQueryFake fake;

    @BeforeEach
    void start() throws Exception {
        fake = new BigQueryFake();
    }

    @AfterEach
    void stop() throws Exception {
        simulator.close();
        fake.close();
    }

    private Map<String, String> environment(String startDate) {
        return Map.of("ANTHROPIC_BASE_URL", simulator.baseUrl().toString(),
                "ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY, "ANTHROPIC_REQUESTS_PER_SECOND", "1000",
                "INGEST_START_DATE", startDate, "BIGQUERY_PROJECT_ID", "test-project",
                "BIGQUERY_API_URL", fake.url().toString());
    }

    /** Requests since {@code from}, by kind: load jobs, query jobs (DML, scripts), reads, table operations. */
    private Map<String, Integer> count(int from) {
        Map<String, Integer> counts = new TreeMap<>();
        List<BigQueryFake.Recorded> requests = fake.requests();
        for (BigQueryFake.Recorded request : requests.subList(from, requests.size())) {
            String path = request.path();
            String kind;
            if (path.startsWith("/upload/") && "POST".equals(request.method())) {
                kind = "load jobs";
            } else if (path.endsWith("/jobs") && "POST".equals(request.method())) {
                kind = request.body().contains("\"dryRun\":true") ? "dry runs"
                        : request.body().contains("BEGIN TRANSACTION") ? "transactions" : "other query jobs";
            } else if (path.endsWith("/queries") && "POST".equals(request.method())) {
                kind = "reads";
            } else if (path.contains("/tables") && !"GET".equals(request.method())) {
                kind = "table " + request.method();
            } else {
                continue;
            }
            counts.merge(kind, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void aBackfillAndADailyRunCreateTheJobsTheDocumentationCounts() {
        Map<String, String> environment = environment("2026-01-01");

        // 2026-01-01 to 2026-03-08: 67 days, three windows of each of the five reports.
        assertThat(TestApi.run(environment, TestApi.CLOCK, new String[] {"ingest"}).code()).isZero();
        Map<String, Integer> backfill = count(0);
        int before = fake.requests().size();
        assertThat(TestApi.run(environment, TestApi.CLOCK, new String[] {"ingest"}).code()).isZero();
        Map<String, Integer> daily = count(before);

        // Per window: a staging table, a load job and a drop per table (Claude Code has two), one transaction.
        // Per run: two records of the run, for the dimensions (the organization, workspaces, keys, users) four loads
        // and four transactions, and one of each for the actors.
        int tables = 1 + 1 + 2 + 1 + 1;
        assertThat(backfill).containsEntry("load jobs", 3 * tables + 4 + 1)
                .containsEntry("transactions", 3 * 5 + 4 + 1)
                .containsEntry("other query jobs", 2)
                .containsEntry("table DELETE", 3 * tables + 4 + 1);
        // The daily run re-pulls the 30 days of lookback: one window of each report.
        assertThat(daily).containsEntry("load jobs", tables + 4 + 1)
                .containsEntry("transactions", 5 + 4 + 1)
                .containsEntry("other query jobs", 2)
                .containsEntry("table DELETE", tables + 4 + 1)
                // Reads: each report's coverage, coverage and stored totals per window, the dimensions' history,
                // the actors in each attributed table and their history, earlier runs left running, the
                // organizations the warehouse holds, and the prices check after the run (coverage, usage, list).
                .containsEntry("reads", 5 + 5 * 2 + 4 + 2 + 1 + 2 + 3);
    }

    @Test
    void aRunWhoseJobNeverFinishesCancelsItAtTheDeadlineAndRecordsWhy() {
        Map<String, String> environment = environment("2026-03-01");
        fake.holdJobs(Duration.ofHours(1));
        // Real time, moved to the tests' day, so that the deadline passes.
        Clock moving = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), TestApi.NOW));
        long start = System.nanoTime();
        // Room to reach the first load on a busy machine; the load then never finishes.
        TestApi.Ran ran = TestApi.run(environment, moving, "ingest", "--reports", "cost", "--deadline", "10s");
        int code = ran.code();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(code).isEqualTo(Main.WAREHOUSE_FAILURE);
        assertThat(ran.err()).contains("still running at the run's deadline").contains("cancelled");
        // The deadline, the cancel and its answer, and recording the run: well inside the 30 s grace.
        assertThat(took).isLessThan(Duration.ofSeconds(10 + 30));
        assertThat(fake.requests()).anyMatch(request -> request.path().endsWith("/cancel"));
        fake.holdJobs(Duration.ZERO);
        try (Warehouse warehouse = Warehouses.locate(Optional.empty(), environment).open(true)) {
            List<RunRecord> runs = warehouse.recentRuns(1);
            assertThat(runs).singleElement().satisfies(run -> {
                assertThat(run.status()).isEqualTo(RunRecord.Status.FAILED);
                assertThat(run.error()).contains("cancelled");
                assertThat(run.finishedAt()).isNotNull();
            });
        }
    }
}
