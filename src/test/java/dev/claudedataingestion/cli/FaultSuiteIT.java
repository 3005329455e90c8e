package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.ServedTotals;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the machine rather than of the API, each in a real process: two runs at once on one DuckDB file, and a
 * disk that takes no more. Each ends in one clear message, and nothing is lost or counted twice.
 */
class FaultSuiteIT {

    private static final DayRange DAYS = DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 3, 8));
    private static final String KEY = "sk-ant-admin01-" + "FaultSuiteSecret".repeat(3);

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(
            new SyntheticOrganization.Size(10, 100, 6, 20), LocalDate.of(2025, 6, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    private ProcessBuilder ingest(String... shellPrefix) {
        List<String> command = new ArrayList<>(List.of(shellPrefix));
        // The production logging configuration: a test waits for the child's log lines.
        command.addAll(TestApi.mainCommand());
        command.addAll(List.of("ingest", "--reports", "usage,cost", "--from", DAYS.first().toString(), "--to",
                DAYS.last().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("ANTHROPIC_BASE_URL", simulator.baseUrl().toString());
        environment.put("ANTHROPIC_ADMIN_API_KEY", KEY);
        environment.put("ANTHROPIC_REQUESTS_PER_SECOND", "1000");
        environment.put("WAREHOUSE", "duckdb:" + directory.resolve("w.duckdb"));
        return builder;
    }

    private record Finished(int exit, String output) {
    }

    private static Finished finish(Process process) throws Exception {
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Finished(process.exitValue(), output);
    }

    private void assertWarehouseEqualsApi() {
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            assertThat(warehouse.coveredDays(ReportKind.USAGE, organization.id(), DAYS)).hasSize(DAYS.size());
            long output = TestApi.usageTotals(organization, DAYS).values().stream()
                    .mapToLong(totals -> totals.measures()[4]).sum();
            long rows = TestApi.usageTotals(organization, DAYS).values().stream().mapToLong(ServedTotals.Day::rows)
                    .sum();
            List<Object> stored = Rows.select(warehouse, "SELECT count(*), sum(output_tokens) FROM claude_usage").get(0);
            assertThat(((Number) stored.get(0)).longValue()).isEqualTo(rows);
            assertThat(((Number) stored.get(1)).longValue()).isEqualTo(output);
        }
    }

    @Test
    void aSecondRunAtTheSameTimeIsToldTheWarehouseIsBusyAndNothingIsCountedTwice() throws Exception {
        // The first run holds the file for a while: its pages come slowly.
        for (int i = 0; i < 6; i++) {
            simulator.inject(Fault.slow(Duration.ofMillis(500), 1).on("/organizations/"));
        }
        Process first = ingest().start();
        // Once the first run says it started, it holds the warehouse.
        java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(first.getInputStream(),
                StandardCharsets.UTF_8));
        StringBuilder firstOutput = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            firstOutput.append(line).append('\n');
            if (line.contains(" started: ")) {
                break;
            }
        }
        Finished second = finish(ingest().start());
        Finished firstRest = finish(first);
        Finished firstDone = new Finished(firstRest.exit(), firstOutput + firstRest.output());

        assertThat(firstDone.exit()).as(firstDone.output()).isZero();
        assertThat(second.exit()).isEqualTo(Main.WAREHOUSE_FAILURE);
        assertThat(second.output()).contains("in use by another process").contains("wait for the other run")
                .doesNotContain(KEY);
        assertWarehouseEqualsApi();
    }

    @Test
    void aFullDiskEndsWithOneClearMessageAndTheNextRunCompletes() throws Exception {
        // A small filesystem of its own for the warehouse: DuckDB fills it part way through the backfill.
        Path disk = java.nio.file.Files.createDirectories(directory.resolve("disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0,
                "a small tmpfs cannot be mounted here (the tests need root for it)");
        try {
            ProcessBuilder full = ingest();
            full.environment().put("WAREHOUSE", "duckdb:" + disk.resolve("w.duckdb"));
            Finished failed = finish(full.start());
            assertThat(failed.exit()).as(failed.output()).isEqualTo(Main.WAREHOUSE_FAILURE);
            assertThat(failed.output()).contains("warehouse error").contains("nothing was changed")
                    .contains("is full").contains("free space there and run again")
                    .doesNotContain("Exception in thread").doesNotContain(KEY);

            // Room again: the next run completes the range, and every day is there once.
            assertThat(new ProcessBuilder("mount", "-o", "remount,size=200m", disk.toString()).start().waitFor())
                    .isZero();
            ProcessBuilder next = ingest();
            next.environment().put("WAREHOUSE", "duckdb:" + disk.resolve("w.duckdb"));
            Finished completed = finish(next.start());
            assertThat(completed.exit()).as(completed.output()).isZero();
            java.nio.file.Files.copy(disk.resolve("w.duckdb"), directory.resolve("w.duckdb"));
            assertWarehouseEqualsApi();
        } finally {
            new ProcessBuilder("umount", disk.toString()).start().waitFor();
        }
    }
}
