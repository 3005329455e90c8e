package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.sink.RunRecord;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.duckdb.DuckDbWarehouse;
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

    @Test
    void logsJsonLinesWithTheRunsFieldsAndNeverTheKey() throws Exception {
        simulator.inject(Fault.status(429, 1).on("cost_report"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", TestApi.productionClassPath(), Main.class.getName(), "ingest",
                "--from", "2026-02-01", "--to", "2026-02-03");
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
        assertThat(stderr).doesNotContain(KEY).doesNotContain("CloudRunSecret");

        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            RunRecord run = warehouse.recentRuns(1).get(0);
            assertThat(run.runId()).isEqualTo(runId);
            assertThat(run.trigger()).isEqualTo("cloud_run");
            assertThat(run.executionId()).isEqualTo("claude-data-ingestion-x7k2p");
        }
    }
}
