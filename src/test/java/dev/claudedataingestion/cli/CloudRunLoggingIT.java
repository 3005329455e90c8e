package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On Cloud Run the job logs JSON lines that Cloud Logging indexes, and records where it ran. */
class CloudRunLoggingIT {

    private static final String KEY = "sk-ant-admin01-" + "CloudRunSecret".repeat(4);

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    /** What a CLI run logged: its standard error, and each line of it as JSON. */
    private record Logged(String stderr, List<JsonNode> lines) {
    }

    /** Runs {@code ingest args} as the Cloud Run job does, against the simulator, and asserts it succeeded. */
    private Logged ingestOnCloudRun(String... args) throws Exception {
        List<String> command = TestApi.mainCommand();
        command.add("ingest");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.put("ANTHROPIC_BASE_URL", simulator.baseUrl().toString());
        environment.put("ANTHROPIC_ADMIN_API_KEY", KEY);
        environment.put("ANTHROPIC_REQUESTS_PER_SECOND", "1000");
        environment.put("WAREHOUSE", "duckdb:" + directory.resolve("w.duckdb"));
        environment.put("CLOUD_RUN_JOB", "claude-data-ingestion");
        environment.put("CLOUD_RUN_EXECUTION", "claude-data-ingestion-x7k2p");
        Process child = builder.start();
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(stderr).isZero();
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : stderr.lines().toList()) {
            lines.add(json.readTree(line));
        }
        return new Logged(stderr, lines);
    }

    /** Amounts below zero are loaded as served, and the run warns once for the window, naming the days. */
    @Test
    void aWindowWithAmountsBelowZeroIsWarnedOf() throws Exception {
        simulator.inject(Fault.of(Fault.Kind.NEGATIVE_AMOUNTS, 1).on("cost_report"));
        Logged run = ingestOnCloudRun("--reports", "cost", "--from", "2026-02-01", "--to", "2026-02-02");

        assertThat(run.lines()).filteredOn(line -> line.path("message").asText().contains("below zero"))
                .singleElement().satisfies(warning -> {
                    assertThat(warning.path("severity").asText()).isEqualTo("WARNING");
                    assertThat(warning.path("report").asText()).isEqualTo("cost");
                    assertThat(warning.path("message").asText())
                            .contains("rows below zero on [2026-02-01, 2026-02-02]")
                            .contains("'claude-ingest check' counts them under units");
                });
    }

    @Test
    void logsJsonLinesWithTheRunsFieldsAndNeverTheKey() throws Exception {
        simulator.inject(Fault.status(429, 1).on("cost_report"));
        Logged logged = ingestOnCloudRun("--from", "2026-02-01", "--to", "2026-02-03", "--check");
        String stderr = logged.stderr();
        List<JsonNode> lines = logged.lines();
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.get("severity").asText()).isIn("DEBUG", "INFO", "WARNING", "ERROR");
            assertThat(line.get("message").isTextual()).isTrue();
        });
        String runId = lines.stream().filter(line -> line.has("run_id")).findFirst().orElseThrow().get("run_id").asText();
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("severity").asText()).isEqualTo("WARNING");
            assertThat(line.path("request_id").asText()).startsWith("req_sim");
            assertThat(line.path("report").asText()).isEqualTo("cost");
            assertThat(line.path("window").asText()).isEqualTo("2026-02-01..2026-02-03");
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("report").asText()).isEqualTo("usage");
            assertThat(line.path("rows").asLong()).isPositive();
        });
        assertThat(lines).filteredOn(line -> line.has("status")).singleElement().satisfies(summary -> {
            assertThat(summary.path("status").asText()).isEqualTo("succeeded");
            assertThat(summary.path("run_id").asText()).isEqualTo(runId);
            assertThat(summary.path("retries").asLong()).isEqualTo(1);
        });
        assertThat(summaryFields(lines)).containsKeys("days", "rows", "requests", "retries", "seconds");
        // ingest --check: one line per check, its name and result as fields, a failure at ERROR.
        assertThat(lines).filteredOn(line -> line.has("check")).extracting(line -> line.get("check").asText())
                .contains("freshness", "gaps", "duplicates");
        assertThat(lines).filteredOn(line -> line.path("check").asText().equals("freshness")).singleElement()
                .satisfies(line -> {
                    // February's data, checked in a later month: stale.
                    assertThat(line.get("check_status").asText()).isEqualTo("fail");
                    assertThat(line.get("severity").asText()).isEqualTo("ERROR");
                    assertThat(line.get("organization_id").asText()).isEqualTo(organization.id());
                });
        assertThat(stderr).doesNotContain(KEY).doesNotContain("CloudRunSecret");

        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            RunRecord run = warehouse.recentRuns(1).get(0);
            assertThat(run.runId()).isEqualTo(runId);
            assertThat(run.trigger()).isEqualTo("cloud_run");
            assertThat(run.executionId()).isEqualTo("claude-data-ingestion-x7k2p");
        }
    }

    private static Map<String, String> summaryFields(List<JsonNode> lines) {
        Map<String, String> fields = new java.util.HashMap<>();
        JsonNode summary = lines.stream().filter(line -> line.has("status")).findFirst().orElseThrow();
        summary.fieldNames().forEachRemaining(name -> fields.put(name, summary.get(name).asText()));
        return fields;
    }

    /** A command on Cloud Run that fails: its only output. */
    private String fail(Map<String, String> settings, String... arguments) throws Exception {
        List<String> command = TestApi.mainCommand();
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CLOUD_RUN_JOB", "claude-data-ingestion");
        builder.environment().put("ANTHROPIC_BASE_URL", simulator.baseUrl().toString());
        builder.environment().put("WAREHOUSE", "duckdb:" + directory.resolve("w.duckdb"));
        builder.environment().putAll(settings);
        Process child = builder.start();
        String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return child.exitValue() + " " + stderr;
    }

    /** Every way a command fails before or outside a run ends in one JSON line that Cloud Logging can filter on. */
    @Test
    void aFailureOutsideARunIsOneJsonLineWithItsClassExitCodeAndHint() throws Exception {
        ObjectMapper json = new ObjectMapper();
        record Case(Map<String, String> settings, List<String> arguments, int exit, String error, String says) {
        }
        for (Case failure : List.of(
                new Case(Map.of("ANTHROPIC_ADMIN_API_KEY", "sk-ant-api03-" + "NotAnAdminKey".repeat(4)),
                        List.of("ingest"), Main.BAD_CONFIGURATION, "ConfigException", "Admin key"),
                new Case(Map.of("ANTHROPIC_ADMIN_API_KEY", KEY), List.of("ingest", "--form", "2026-02-01"),
                        Main.BAD_CONFIGURATION, "UnmatchedArgumentException", "--form"),
                new Case(Map.of("LOG_LEVEL", "loud"), List.of("status"), Main.BAD_CONFIGURATION,
                        "ConfigException", "LOG_LEVEL"),
                new Case(Map.of(), List.of("status", "--warehouse", "duckdb:" + directory.resolve("none/w.duckdb")),
                        Main.WAREHOUSE_FAILURE, "WarehouseException", "no DuckDB warehouse"))) {
            String[] result = fail(failure.settings(), failure.arguments().toArray(String[]::new)).split(" ", 2);
            assertThat(Integer.parseInt(result[0])).as(result[1]).isEqualTo(failure.exit());
            assertThat(result[1].lines()).as(result[1]).singleElement().satisfies(line -> {
                JsonNode object = json.readTree(line);
                assertThat(object.get("severity").asText()).isEqualTo("ERROR");
                assertThat(object.get("error").asText()).isEqualTo(failure.error());
                assertThat(object.get("exit_code").asInt()).isEqualTo(failure.exit());
                assertThat(object.get("message").asText()).contains(failure.says());
                assertThat(object.get("hint").asText()).isNotBlank();
            });
            assertThat(result[1]).doesNotContain("NotAnAdminKey");
        }
    }
}
