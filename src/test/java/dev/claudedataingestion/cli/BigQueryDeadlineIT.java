package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.config.Settings;
import dev.claudedataingestion.pipeline.Warehouses;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.sink.RunRecord;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.bigquery.BigQueryFake;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A BigQuery job that never finishes does not outlive the run's deadline: the run cancels it, ends soon after its
 * deadline, and records why, so that Cloud Run never kills a task that leaves a {@code running} row.
 */
class BigQueryDeadlineIT {

    private final AdminApiSimulator simulator = TestApi.simulator(TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1)));
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

    @Test
    void aRunWhoseJobNeverFinishesCancelsItAtTheDeadlineAndRecordsWhy() {
        Map<String, String> environment = Map.of("ANTHROPIC_BASE_URL", simulator.baseUrl().toString(),
                "ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY, "ANTHROPIC_REQUESTS_PER_SECOND", "1000",
                "INGEST_START_DATE", "2026-03-01", "BIGQUERY_PROJECT_ID", "test-project",
                "BIGQUERY_API_URL", fake.url().toString());
        fake.holdJobs(Duration.ofHours(1));
        // Real time, moved to the tests' day, so that the deadline passes.
        Clock moving = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), TestApi.NOW));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

        long start = System.nanoTime();
        int code = Main.run(new String[] {"ingest", "--reports", "cost", "--deadline", "3s"}, environment, moving,
                quiet, new PrintStream(err, true), false);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(code).isEqualTo(Main.WAREHOUSE_FAILURE);
        assertThat(err.toString()).contains("still running at the run's deadline").contains("cancelled");
        // The deadline, the cancel and its answer, and recording the run: well inside the 30 s grace.
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        assertThat(fake.requests()).anyMatch(request -> request.path().endsWith("/cancel"));
        fake.holdJobs(Duration.ZERO);
        try (Warehouse warehouse = Warehouses.open(new Settings(environment).warehouse(null), true)) {
            List<RunRecord> runs = warehouse.recentRuns(1);
            assertThat(runs).singleElement().satisfies(run -> {
                assertThat(run.status()).isEqualTo(RunRecord.Status.FAILED);
                assertThat(run.error()).contains("cancelled");
                assertThat(run.finishedAt()).isNotNull();
            });
        }
    }
}
