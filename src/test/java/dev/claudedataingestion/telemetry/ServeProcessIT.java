package dev.claudedataingestion.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code claude-ingest serve} as a process, as Cloud Run runs it: it says where it listens, takes an export, and on
 * SIGTERM finishes what it took and stops, leaving the tables and no view of its own making.
 */
class ServeProcessIT {

    @TempDir
    Path directory;

    @Test
    void servesUntilSigtermAndKeepsWhatItAcknowledged() throws Exception {
        List<String> command = TestApi.mainCommand();
        command.addAll(List.of("serve", "--port", "0", "--warehouse", "duckdb:" + directory.resolve("t.duckdb")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OTLP_TOKEN", "process-token");
        Process child = builder.start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        Matcher address = Pattern.compile("at http://127\\.0\\.0\\.1:(\\d+) \\(OTLP/HTTP\\) into duckdb:.*, bearer"
                + " token required").matcher(String.valueOf(first));
        assertThat(address.find()).as(first).isTrue();

        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + address.group(1) + "/v1/logs")).header("Content-Type",
                        "application/x-protobuf").header("Authorization", "Bearer process-token")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpReceiverTest.capture("claude-code-2.1.332-logs.pb")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        // SIGTERM, as Cloud Run sends before it stops an instance.
        child.toHandle().destroy();
        assertThat(lines.readLine()).isEqualTo("Stopped: every request answered, every row acknowledged written");
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // 128 + 15: how the JVM reports a stop by SIGTERM, shutdown hooks and all.
        assertThat(child.exitValue()).isEqualTo(143);

        // status says what serve received, in words and for scripts.
        TestApi.Ran status = TestApi.run(java.util.Map.of(), TestApi.CLOCK, "status", "--warehouse", "duckdb:"
                + directory.resolve("t.duckdb"));
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("Claude Code's telemetry, as serve received it:")
                .contains("  no organization named: 7 events, 0 data points, the last received 20");
        TestApi.Ran json = TestApi.run(java.util.Map.of(), TestApi.CLOCK, "status", "--format", "json",
                "--warehouse", "duckdb:" + directory.resolve("t.duckdb"));
        assertThat(json.out()).contains("\"events\" : 7").contains("\"data_points\" : 0");
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("t.duckdb"), true)) {
            assertThat(Rows.select(warehouse, "SELECT COUNT(*) FROM claude_code_events")).singleElement()
                    .isEqualTo(List.of(7L));
            assertThat(Rows.select(warehouse, "SELECT COUNT(*) FROM information_schema.tables WHERE table_type ="
                    + " 'VIEW' AND table_schema = current_schema()")).singleElement().isEqualTo(List.of(0L));
        }
    }
}
