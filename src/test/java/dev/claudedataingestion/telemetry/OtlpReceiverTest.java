package dev.claudedataingestion.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.TelemetryConfig;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.Warehouses;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver over HTTP, fed what Claude Code 2.1.332 sent (captured from the real CLI: {@code
 * src/test/resources/telemetry}), into DuckDB.
 */
class OtlpReceiverTest {

    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";
    private static final String TOKEN = "test-token-123";

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newHttpClient();
    private Warehouse warehouse;
    private OtlpReceiver receiver;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (warehouse != null) {
            warehouse.close();
        }
    }

    private void start(boolean readOnly, int bufferRows, OtlpReceiver.Batching batching) throws IOException {
        String url = "duckdb:" + directory.resolve("telemetry.duckdb");
        if (!readOnly) {
            warehouse = Warehouses.locate(Optional.of(url), Map.of()).open(false);
            warehouse.ensureSchema(AnalysisViews.catalog());
        } else {
            try (Warehouse schema = Warehouses.locate(Optional.of(url), Map.of()).open(false)) {
                schema.ensureSchema(AnalysisViews.catalog());
            }
            warehouse = Warehouses.locate(Optional.of(url), Map.of()).open(true);
        }
        TelemetryConfig config = new TelemetryConfig("127.0.0.1", 0, Optional.of(TOKEN.getBytes(
                StandardCharsets.UTF_8)), 1_000_000, bufferRows, false, Optional.of("org-telemetry"));
        receiver = OtlpReceiver.start(config, warehouse, batching, Clock.systemUTC());
    }

    private void start() throws IOException {
        start(false, 50_000, OtlpReceiver.Batching.LOCAL);
    }

    static byte[] capture(String name) {
        try (InputStream in = OtlpReceiverTest.class.getResourceAsStream("/telemetry/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<byte[]> post(String path, String type, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + receiver.address().getPort() + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        if (!headers.containsKey("Authorization")) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<byte[]> post(String path, String type, byte[] body) {
        return post(path, type, body, Map.of());
    }

    private List<List<Object>> select(String sql) {
        return Rows.select(warehouse, sql);
    }

    private long count(String table) {
        return ((Number) select("SELECT COUNT(*) FROM " + table).get(0).get(0)).longValue();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void eachEventIsStoredOnceFromProtobufGzipAndChunkedJson() throws Exception {
        start();

        assertThat(post("/v1/logs", PROTOBUF, gzip(capture("claude-code-2.1.332-logs.pb")),
                Map.of("Content-Encoding", "gzip")).statusCode()).isEqualTo(200);
        // Chunked: a body of unknown length, as Claude Code 2.1.197 sent its exports.
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + receiver.address().getPort() + "/v1/logs")).header("Content-Type", JSON)
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
                        capture("claude-code-2.1.332-logs.json")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertThat(chunked.headers().firstValue("Content-Type")).contains(JSON);
        assertThat(chunked.body()).isEqualTo("{}");
        // The exporter's retry of the first: nothing more.
        assertThat(post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb")).statusCode()).isEqualTo(200);

        assertThat(count("claude_code_events")).isEqualTo(14);
        assertThat(select("SELECT COUNT(*), SUM(cost_usd), SUM(input_tokens), SUM(output_tokens),"
                + " SUM(cache_read_tokens), SUM(cache_creation_tokens), MIN(model), COUNT(DISTINCT session_id),"
                + " MAX(user_account_id), MIN(user_email), MIN(organization_id), MIN(request_id),"
                + " MIN(speed), MIN(query_source), MIN(effort), MIN(terminal_type), MIN(provider)"
                + " FROM claude_code_events WHERE event_name = 'api_request'")).singleElement().satisfies(row -> {
                    assertThat(((Number) row.get(0)).longValue()).isEqualTo(2);
                    // 2 × (1200×4 + 42×20 + 300×0.2 + 50×5) millionths, as cost_usd_micros 5950 said.
                    assertThat((BigDecimal) row.get(1)).isEqualByComparingTo("0.0119");
                    assertThat(row.subList(2, 6)).extracting(value -> ((Number) value).longValue())
                            .containsExactly(2400L, 84L, 600L, 100L);
                    assertThat(row.subList(6, 17)).containsExactly("claude-opus-5-5", 2L, "user_01dev",
                            "dev@example.com", "org-telemetry", "req_abc", "normal", "sdk", "medium",
                            "non-interactive", "firstParty");
                });
        assertThat(select("SELECT prompt, attributes FROM claude_code_events WHERE event_name = 'user_prompt'"))
                .allSatisfy(row -> {
                    assertThat(row.get(0)).isNull();
                    assertThat((String) row.get(1)).contains("\"prompt_length\"").doesNotContain("REDACTED")
                            .doesNotContain("dev@example.com");
                });
    }

    @Test
    void metricPointsAreStoredOnceAndTheirCostIsTheEventsCost() throws Exception {
        start();

        for (int i = 0; i < 2; i++) {
            assertThat(post("/v1/metrics", PROTOBUF, capture("claude-code-2.1.332-metrics.pb")).statusCode())
                    .isEqualTo(200);
            assertThat(post("/v1/metrics", JSON, capture("claude-code-2.1.332-metrics.json")).statusCode())
                    .isEqualTo(200);
        }
        post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb"));
        post("/v1/logs", JSON, capture("claude-code-2.1.332-logs.json"));

        assertThat(count("claude_code_metrics")).isEqualTo(14);
        assertThat(select("SELECT (SELECT SUM(value) FROM claude_code_metrics WHERE metric_name ="
                + " 'claude_code.cost.usage'), (SELECT SUM(cost_usd) FROM claude_code_events)")).singleElement()
                .satisfies(row -> assertThat((BigDecimal) row.get(0)).isEqualByComparingTo((BigDecimal) row.get(1))
                        .isEqualByComparingTo("0.0119"));
        assertThat(select("SELECT type, SUM(value) FROM claude_code_metrics WHERE metric_name ="
                + " 'claude_code.token.usage' GROUP BY type ORDER BY type")).extracting(row -> row.get(0) + "="
                + ((BigDecimal) row.get(1)).stripTrailingZeros().toPlainString())
                .containsExactly("cacheCreation=100", "cacheRead=600", "input=2400", "output=84");
    }

    @Test
    void whatIsNotAnExportIsRefusedAsTheSpecificationSaysAndNothingIsStored() throws Exception {
        start();
        byte[] logs = capture("claude-code-2.1.332-logs.pb");

        assertThat(post("/v1/logs", PROTOBUF, logs, Map.of("Authorization", "Bearer wrong")).statusCode())
                .isEqualTo(401);
        assertThat(post("/v1/logs", "text/plain", logs).statusCode()).isEqualTo(415);
        assertThat(post("/v1/logs", PROTOBUF, new byte[] {(byte) 0xff, 0x01, 0x02}).statusCode()).isEqualTo(400);
        assertThat(post("/v1/logs", JSON, "{\"resourceLogs\": 3}".getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(400);
        assertThat(post("/v1/logs", PROTOBUF, logs, Map.of("Content-Encoding", "gzip")).statusCode()).isEqualTo(400);
        assertThat(post("/v1/other", PROTOBUF, logs).statusCode()).isEqualTo(404);
        // Over the limit once uncompressed, though small on the wire.
        HttpResponse<byte[]> large = post("/v1/logs", JSON, gzip(new byte[2_000_000]), Map.of("Content-Encoding",
                "gzip"));
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(new String(large.body(), StandardCharsets.UTF_8)).startsWith("{\"code\":413,")
                .contains(TelemetryConfig.MAX_BODY);

        assertThat(count("claude_code_events")).isZero();
    }

    @Test
    void aBodyThatDoesNotArriveInTimeLosesItsConnectionAndFreesItsThread() throws Exception {
        String url = "duckdb:" + directory.resolve("telemetry.duckdb");
        warehouse = Warehouses.locate(Optional.of(url), Map.of()).open(false);
        warehouse.ensureSchema(AnalysisViews.catalog());
        receiver = OtlpReceiver.start(new TelemetryConfig("127.0.0.1", 0, Optional.empty(), 1_000_000, 50_000, false,
                Optional.empty()), warehouse, OtlpReceiver.Batching.LOCAL, Clock.systemUTC(), Duration.ofSeconds(1));
        // Eight clients, one for each handler thread, promise a body and send a tenth of it.
        List<java.net.Socket> slow = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            java.net.Socket socket = new java.net.Socket("127.0.0.1", receiver.address().getPort());
            socket.getOutputStream().write(("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: " + PROTOBUF
                    + "\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[100]);
            socket.getOutputStream().flush();
            socket.setSoTimeout(10_000);
            slow.add(socket);
        }

        for (java.net.Socket socket : slow) {
            try (socket) {
                // Closed by the receiver: end of stream, or a reset.
                assertThat(readsToEnd(socket)).isTrue();
            }
        }
        assertThat(post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb")).statusCode()).isEqualTo(200);
        assertThat(count("claude_code_events")).isEqualTo(7);
    }

    private static boolean readsToEnd(java.net.Socket socket) {
        try {
            return socket.getInputStream().read() == -1 || socket.getInputStream().readAllBytes() != null;
        } catch (java.net.SocketException reset) {
            return true;
        } catch (IOException timedOut) {
            return false;
        }
    }

    @Test
    void anEncodingOtherThanGzipIsRefusedAsUnsupported() throws Exception {
        start();

        HttpResponse<byte[]> answer = post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb"),
                Map.of("Content-Encoding", "br"));

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(com.google.rpc.Status.parseFrom(answer.body()).getMessage()).contains("Content-Encoding br")
                .contains("gzip");
    }

    @Test
    void aStatusBodyNamesTheProblemInTheRequestsEncoding() throws Exception {
        start();

        HttpResponse<byte[]> refused = post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb"),
                Map.of("Authorization", "Bearer wrong"));

        assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        com.google.rpc.Status status = com.google.rpc.Status.parseFrom(refused.body());
        assertThat(status.getCode()).isEqualTo(401);
        assertThat(status.getMessage()).contains("OTEL_EXPORTER_OTLP_HEADERS").doesNotContain(TOKEN);
    }

    /** The other documented events, as Anthropic's monitoring guide names their attributes. */
    @Test
    void toolAndErrorEventsKeepTheirDocumentedAttributesAsColumns() throws Exception {
        start();
        ScopeLogs.Builder scope = ScopeLogs.newBuilder()
                .addLogRecords(record("tool_result", 7, "tool_name", "Edit", "success", "false", "error", "no such file",
                        "decision_type", "accept", "decision_source", "config", "duration_ms", "12"))
                .addLogRecords(record("tool_decision", 8, "tool_name", "Bash", "decision", "reject", "source",
                        "user_reject"))
                .addLogRecords(record("api_error", 9, "model", "claude-opus-5-5", "error", "Overloaded",
                        "status_code", "529", "attempt", "2"));
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs
                .newBuilder().addScopeLogs(scope)).build();

        assertThat(post("/v1/logs", PROTOBUF, request.toByteArray()).statusCode()).isEqualTo(200);

        assertThat(select("SELECT event_name, tool_name, success, decision, decision_source, error, status_code,"
                + " attempt, duration_ms, attributes FROM claude_code_events ORDER BY event_sequence")).containsExactly(
                java.util.Arrays.asList("tool_result", "Edit", false, "accept", "config", "no such file", null, null,
                        12L, "{}"),
                java.util.Arrays.asList("tool_decision", "Bash", null, "reject", "user_reject", null, null, null, null,
                        "{}"),
                java.util.Arrays.asList("api_error", null, null, null, null, "Overloaded", "529", 2L, null, "{}"));
    }

    private static LogRecord record(String event, long sequence, String... attributes) {
        LogRecord.Builder record = LogRecord.newBuilder().setTimeUnixNano(1_796_306_041_000_000_000L + sequence)
                .addAttributes(KeyValue.newBuilder().setKey("event.name").setValue(AnyValue.newBuilder()
                        .setStringValue(event)))
                .addAttributes(KeyValue.newBuilder().setKey("session.id").setValue(AnyValue.newBuilder()
                        .setStringValue("s-1")))
                .addAttributes(KeyValue.newBuilder().setKey("event.sequence").setValue(AnyValue.newBuilder()
                        .setIntValue(sequence)));
        for (int i = 0; i < attributes.length; i += 2) {
            record.addAttributes(KeyValue.newBuilder().setKey(attributes[i]).setValue(AnyValue.newBuilder()
                    .setStringValue(attributes[i + 1])));
        }
        return record.build();
    }

    @Test
    void spansAreReadAndAnsweredAsRejected() throws Exception {
        start();
        ExportTraceServiceRequest traces = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans
                .newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("a"))
                        .addSpans(Span.newBuilder().setName("b")))).build();

        HttpResponse<byte[]> answer = post("/v1/traces", PROTOBUF, traces.toByteArray());

        assertThat(answer.statusCode()).isEqualTo(200);
        ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(answer.body());
        assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
        assertThat(response.getPartialSuccess().getErrorMessage()).contains("dropped");
    }

    @Test
    void aRecordThatNamesNoEventOrHasNoNumberForACostIsRejectedAndTheRestStored() throws Exception {
        start();
        ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder()
                .mergeFrom(capture("claude-code-2.1.332-logs.pb"));
        request.addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder().addLogRecords(
                LogRecord.newBuilder().setTimeUnixNano(1).addAttributes(KeyValue.newBuilder().setKey("x")
                        .setValue(AnyValue.newBuilder().setIntValue(1)))).addLogRecords(LogRecord.newBuilder()
                .addAttributes(KeyValue.newBuilder().setKey("event.name").setValue(AnyValue.newBuilder()
                        .setStringValue("api_request"))).addAttributes(KeyValue.newBuilder().setKey("cost_usd")
                        .setValue(AnyValue.newBuilder().setStringValue("lots"))))));

        HttpResponse<byte[]> answer = post("/v1/logs", JSON, JsonFormat.printer().print(request)
                .getBytes(StandardCharsets.UTF_8));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).contains("\"rejectedLogRecords\":\"2\"")
                .contains("2 log records not stored; the first names no event");
        assertThat(count("claude_code_events")).isEqualTo(7);
    }

    /** Into BigQuery (its fake): a load job and one INSERT per batch, each event once across repeated exports. */
    @Test
    void eachEventIsStoredOnceInBigQueryToo() throws Exception {
        try (dev.claudedataingestion.warehouse.bigquery.BigQueryFake fake =
                new dev.claudedataingestion.warehouse.bigquery.BigQueryFake()) {
            warehouse = Warehouses.locate(Optional.of("bigquery://test-project/ai_usage_analytics"),
                    Map.of("BIGQUERY_API_URL", fake.url().toString())).open(false);
            warehouse.ensureSchema(AnalysisViews.catalog());
            receiver = OtlpReceiver.start(new TelemetryConfig("127.0.0.1", 0, Optional.of(TOKEN.getBytes(
                    StandardCharsets.UTF_8)), 1_000_000, 50_000, false, Optional.of("org-telemetry")), warehouse,
                    new OtlpReceiver.Batching(20_000, Duration.ofMillis(100)), Clock.systemUTC());

            for (int i = 0; i < 2; i++) {
                assertThat(post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb")).statusCode())
                        .isEqualTo(200);
                assertThat(post("/v1/metrics", JSON, capture("claude-code-2.1.332-metrics.json")).statusCode())
                        .isEqualTo(200);
            }

            assertThat(select("SELECT COUNT(*), SUM(cost_usd) FROM claude_code_events")).singleElement()
                    .satisfies(row -> {
                        assertThat(((Number) row.get(0)).longValue()).isEqualTo(7);
                        assertThat(new BigDecimal(row.get(1).toString())).isEqualByComparingTo("0.00595");
                    });
            assertThat(count("claude_code_metrics")).isEqualTo(7);
            receiver.close();
            receiver = null;
            warehouse.close();
            warehouse = null;
        }
    }

    @Test
    void aFullBufferAnswers503WithRetryAfterAndTheQueuedRequestIsStillStored() throws Exception {
        // A batch gathers for two seconds: the first request fills the buffer meanwhile.
        start(false, 10, new OtlpReceiver.Batching(1_000, Duration.ofSeconds(2)));
        byte[] logs = capture("claude-code-2.1.332-logs.pb");

        CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() -> post("/v1/logs", PROTOBUF,
                logs));
        Thread.sleep(500);
        HttpResponse<byte[]> second = post("/v1/logs", JSON, capture("claude-code-2.1.332-logs.json"));

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Retry-After")).contains(String.valueOf(
                OtlpReceiver.RETRY_AFTER_SECONDS));
        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(count("claude_code_events")).isEqualTo(7);
    }

    @Test
    void aWriteTheWarehouseRefusesIsAnswered503AndNothingIsAcknowledged() throws Exception {
        start(true, 50_000, OtlpReceiver.Batching.LOCAL);

        HttpResponse<byte[]> answer = post("/v1/logs", PROTOBUF, capture("claude-code-2.1.332-logs.pb"));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(count("claude_code_events")).isZero();
    }
}
