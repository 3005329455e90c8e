package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL at different moments leaves every day wholly old or wholly new, and the next run
 * completes the range. The run is a real process, so that nothing of the test's JVM can tidy up after it.
 */
class KilledProcessIT {

    private static final DayRange DAYS = DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 3, 8));

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(
            new SyntheticOrganization.Size(20, 120, 6, 40), LocalDate.of(2025, 6, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    private Path temp() throws Exception {
        return Files.createDirectories(directory.resolve("tmp"));
    }

    private Process start() throws Exception {
        // The production logging configuration: the test watches the child's log lines.
        List<String> command = TestApi.mainCommand("-Djava.io.tmpdir=" + temp());
        command.addAll(List.of("ingest", "--from", DAYS.first().toString(), "--to", DAYS.last().toString(),
                // Every report writes through the same path; the older three are enough to be killed in.
                "--reports", "usage,cost,claude_code,dimensions"));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.put("ANTHROPIC_BASE_URL", simulator.baseUrl().toString());
        environment.put("ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY);
        environment.put("ANTHROPIC_REQUESTS_PER_SECOND", "1000");
        environment.put("WAREHOUSE", "duckdb:" + directory.resolve("w.duckdb"));
        builder.redirectErrorStream(true);
        return builder.start();
    }

    /** Waits for the {@code n}th window the child reports written, then lets it go on for {@code afterMillis}. */
    private static void killAfterWindows(Process child, int n, long afterMillis) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        int windows = 0;
        String line;
        while (windows < n && (line = lines.readLine()) != null) {
            if (line.contains(" rows in ") && line.contains("replaced in")) {
                windows++;
            }
        }
        Thread.sleep(afterMillis);
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private void assertEachDayWhollyOldOrWhollyNew() {
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            Set<LocalDate> covered = warehouse.coveredDays(ReportKind.USAGE, organization.id(), DAYS);
            Map<LocalDate, long[]> stored = new TreeMap<>();
            for (List<Object> row : Rows.select(warehouse,
                    "SELECT activity_date, count(*), sum(output_tokens) FROM claude_usage GROUP BY 1")) {
                stored.put((LocalDate) row.get(0), new long[] {((Number) row.get(1)).longValue(),
                    ((Number) row.get(2)).longValue()});
            }
            TestApi.usageTotals(organization, DAYS).forEach((day, expected) -> {
                if (covered.contains(day)) {
                    assertThat(stored.get(day)).as("covered day %s", day)
                            .containsExactly(expected.rows(), expected.measures()[4]);
                } else {
                    assertThat(stored).as("uncovered day %s", day).doesNotContainKey(day);
                }
            });
        }
    }

    @Test
    void aKilledRunLeavesWholeDaysAndTheNextRunCompletesThem() throws Exception {
        // Slow pages keep the child busy long enough to be killed at the chosen moments.
        simulator.inject(Fault.slow(Duration.ofMillis(150), 1000).on("/v1/organizations/"));
        List<Integer> coveredAfterKills = new ArrayList<>();
        long[] pauses = {0, 40, 120};
        for (int i = 0; i < pauses.length; i++) {
            killAfterWindows(start(), Math.min(i + 1, 2), pauses[i]);
            assertEachDayWhollyOldOrWhollyNew();
            if (i == 0) {
                // Its process gone, status shows the run abandoned at once, with the days the ledger holds of it.
                TestApi.Ran status = TestApi.run(Map.of(), TestApi.CLOCK, "status", "--warehouse", "duckdb:"
                        + directory.resolve("w.duckdb"));
                assertThat(status.code()).isZero();
                assertThat(status.out()).contains("abandoned").doesNotContain("running ");
            }
            try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
                coveredAfterKills.add(warehouse.coveredDays(ReportKind.USAGE, organization.id(), DAYS).size());
            }
        }
        // The first kill, right after the first window, certainly left days for the next run.
        assertThat(coveredAfterKills.get(0)).isLessThan(DAYS.size());
        simulator.clearFaults();

        Process last = start();
        last.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).isZero();
        assertEachDayWhollyOldOrWhollyNew();
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            assertThat(warehouse.coveredDays(ReportKind.USAGE, organization.id(), DAYS)).hasSize(DAYS.size());
            // The killed runs never got to say how they ended; the next run found their processes gone.
            assertThat(warehouse.recentRuns(10)).hasSize(4).extracting(RunRecord::status).containsExactlyInAnyOrder(
                    RunRecord.Status.SUCCEEDED, RunRecord.Status.ABANDONED, RunRecord.Status.ABANDONED,
                    RunRecord.Status.ABANDONED);
            assertThat(warehouse.recentRuns(10)).filteredOn(run -> run.status() == RunRecord.Status.ABANDONED)
                    .allSatisfy(run -> {
                        assertThat(run.error()).contains("the process ended without recording how");
                        // Completed from the ledger: each had written a window before it was killed.
                        assertThat(run.daysWritten()).isPositive();
                        assertThat(run.rowsWritten()).isPositive();
                        assertThat(run.reportCounts()).contains("\"usage\":{\"days\":");
                        assertThat(run.organizationId()).isEqualTo(organization.id());
                    });
        }
    }

    @Test
    void aRunningIngestCanBeWatchedAndSigtermKeepsWhatItWroteRecordsItselfInterruptedAndLeavesNoSpool() throws Exception {
        simulator.inject(Fault.slow(Duration.ofMillis(150), 1000).on("/v1/organizations/"));
        Process child = start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder output = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            output.append(line).append('\n');
            if (line.contains(" rows in ") && line.contains("replaced in")) {
                break;
            }
        }
        // The run goes on; its warehouse can be watched meanwhile.
        TestApi.Ran status = TestApi.run(Map.of(), TestApi.CLOCK, "status", "--warehouse", "duckdb:"
                + directory.resolve("w.duckdb"));
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("usage").contains("running");
        assertThat(child.isAlive()).isTrue();
        // SIGTERM, as Cloud Run and Ctrl-C send; ProcessHandle leaves the pipes open so the last lines can be read.
        child.toHandle().destroy();
        while ((line = lines.readLine()) != null) {
            output.append(line).append('\n');
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(output).contains("claude-ingest: interrupted;").contains("are kept");
        assertEachDayWhollyOldOrWhollyNew();
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            assertThat(warehouse.recentRuns(10)).singleElement().satisfies(run -> {
                assertThat(run.status()).isEqualTo(RunRecord.Status.INTERRUPTED);
                assertThat(run.daysWritten()).isPositive();
                assertThat(run.finishedAt()).isNotNull();
            });
        }
        try (java.util.stream.Stream<Path> left = Files.list(temp())) {
            assertThat(left.map(path -> path.getFileName().toString())).noneMatch(name -> name.endsWith(".spool"));
        }
    }
}
