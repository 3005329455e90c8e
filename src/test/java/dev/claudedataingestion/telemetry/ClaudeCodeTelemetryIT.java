package dev.claudedataingestion.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.config.TelemetryConfig;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.Warehouses;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI ({@value #VERSION}, from npm, run by its path with a fresh {@code HOME}) answers two
 * prompts through a Messages API stand-in this test owns and exports its telemetry through a fault proxy to the
 * receiver: the proxy passes the first log export on and answers it 503 (so the exporter sends it again, and the
 * receiver must not store it twice), and answers the first metrics export 503 without passing it on (so only the
 * retry can bring it).
 */
class ClaudeCodeTelemetryIT {

    static final String VERSION = "2.1.332";
    private static final Path CLI = Path.of("target/claude-code/node_modules/.bin/claude");
    private static final String TOKEN = "it-token-7f3a";
    /** What the stand-in says each request used. */
    private static final long INPUT = 1200;
    private static final long OUTPUT = 42;
    private static final long CACHE_READ = 300;
    private static final long CACHE_WRITE = 50;

    @TempDir
    Path directory;

    private HttpServer messages;
    private HttpServer proxy;
    private Warehouse warehouse;
    private OtlpReceiver receiver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, AtomicInteger> exports = new ConcurrentHashMap<>();
    /** The api_request events the CLI sent, by session and sequence, as the proxy saw them. */
    private final Map<String, Map<String, Object>> sentRequests = new ConcurrentHashMap<>();
    private final AtomicInteger modelRequests = new AtomicInteger();

    /** The pinned CLI, installed into the project's own folder when npm is at hand (never {@code -g}). */
    static Path cli() throws IOException, InterruptedException {
        if (!Files.isExecutable(CLI)) {
            assumeTrue(TestApi.onPath("npm"), "npm is not installed: Claude Code's telemetry is tested with the real"
                    + " CLI, installed from npm (.ci/run does it when node is present)");
            Process install = new ProcessBuilder("npm", "install", "--prefix", "target/claude-code", "--no-audit",
                    "--no-fund", "--loglevel=error", "@anthropic-ai/claude-code@" + VERSION)
                    .redirectErrorStream(true).redirectOutput(Path.of("target/claude-code-install.log").toFile())
                    .start();
            assumeTrue(install.waitFor(5, TimeUnit.MINUTES) && install.exitValue() == 0,
                    "npm could not install @anthropic-ai/claude-code@" + VERSION + "; see target/claude-code-install.log");
        }
        return CLI.toAbsolutePath();
    }

    @BeforeEach
    void start() throws IOException {
        warehouse = Warehouses.locate(Optional.of("duckdb:" + directory.resolve("t.duckdb")), Map.of()).open(false);
        warehouse.ensureSchema(AnalysisViews.catalog());
        receiver = OtlpReceiver.start(new TelemetryConfig("127.0.0.1", 0, Optional.of(TOKEN.getBytes(
                StandardCharsets.UTF_8)), 8_000_000, 50_000, false, Optional.of("org-it")), warehouse,
                OtlpReceiver.Batching.LOCAL, Clock.systemUTC());
        messages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        messages.createContext("/", this::answerMessages);
        messages.start();
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", this::relay);
        proxy.start();
    }

    @AfterEach
    void stop() {
        for (HttpServer server : new HttpServer[] {messages, proxy}) {
            if (server != null) {
                server.stop(0);
            }
        }
        if (receiver != null) {
            receiver.close();
        }
        if (warehouse != null) {
            warehouse.close();
        }
    }

    /** {@code POST /v1/messages}: one streamed message whose usage is the constants above. */
    private void answerMessages(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath()
                    .equals("/v1/messages")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            modelRequests.incrementAndGet();
            String events = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_it\","
                    + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-5-5\",\"content\":[],"
                    + "\"stop_reason\":null,\"usage\":{\"input_tokens\":" + INPUT + ",\"output_tokens\":1,"
                    + "\"cache_read_input_tokens\":" + CACHE_READ + ",\"cache_creation_input_tokens\":" + CACHE_WRITE
                    + "}}}")
                    + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                    + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}")
                    + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                    + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":" + OUTPUT + "}}")
                    + event("message_stop", "{\"type\":\"message_stop\"}");
            byte[] body = events.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("request-id", "req_it_" + modelRequests.get());
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    /**
     * Passes exports on to the receiver and its answers back, but the first log export is passed on and answered
     * 503, and the first metrics export is answered 503 without being passed on.
     */
    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int seen = exports.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if (path.equals("/v1/logs")) {
                record(exchange, body);
            }
            boolean refuse = seen == 1 && (path.equals("/v1/logs") || path.equals("/v1/metrics"));
            HttpResponse<byte[]> answer = null;
            if (!(refuse && path.equals("/v1/metrics"))) {
                HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + receiver.address().getPort() + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                for (String header : List.of("Content-Type", "Content-Encoding", "Authorization")) {
                    String value = exchange.getRequestHeaders().getFirst(header);
                    if (value != null) {
                        forward.header(header, value);
                    }
                }
                try {
                    answer = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            if (refuse) {
                // At once: the CLI flushes its exports as it exits, and a retry a second later can miss that.
                exchange.getResponseHeaders().set("Retry-After", "0");
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            answer.headers().firstValue("Content-Type").ifPresent(type -> exchange.getResponseHeaders()
                    .set("Content-Type", type));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    /** Notes each api_request event the CLI sent: its own figures, to compare the stored rows with. */
    private void record(HttpExchange exchange, byte[] body) throws IOException {
        byte[] plain = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                ? new GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes() : body;
        ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
        if ("application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            JsonFormat.parser().ignoringUnknownFields().merge(new String(plain, StandardCharsets.UTF_8), request);
        } else {
            request.mergeFrom(plain);
        }
        request.getResourceLogsList().forEach(resource -> resource.getScopeLogsList().forEach(scope ->
                scope.getLogRecordsList().forEach(record -> {
                    Map<String, Object> attributes = attributes(record);
                    if ("api_request".equals(attributes.get("event.name"))) {
                        sentRequests.put(attributes.get("session.id") + "/" + attributes.get("event.sequence"),
                                attributes);
                    }
                })));
    }

    private static Map<String, Object> attributes(LogRecord record) {
        Map<String, Object> attributes = new HashMap<>();
        for (KeyValue pair : record.getAttributesList()) {
            attributes.put(pair.getKey(), switch (pair.getValue().getValueCase()) {
                case INT_VALUE -> pair.getValue().getIntValue();
                case DOUBLE_VALUE -> pair.getValue().getDoubleValue();
                default -> pair.getValue().getStringValue();
            });
        }
        return attributes;
    }

    private void runClaude(Path cli, String protocol) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory(directory, "home");
        ProcessBuilder claude = new ProcessBuilder(cli.toString(), "-p", "say hi").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(directory.resolve("claude-" + protocol.replace('/', '-')
                        + ".log").toFile());
        Map<String, String> environment = claude.environment();
        environment.clear();
        environment.putAll(Map.ofEntries(
                Map.entry("PATH", "/usr/local/bin:/usr/bin:/bin"),
                Map.entry("HOME", home.toString()),
                Map.entry("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + messages.getAddress().getPort()),
                Map.entry("ANTHROPIC_API_KEY", "sk-ant-api03-stand-in"),
                Map.entry("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
                Map.entry("DISABLE_AUTOUPDATER", "1"),
                Map.entry("CLAUDE_CODE_ENABLE_TELEMETRY", "1"),
                Map.entry("OTEL_METRICS_EXPORTER", "otlp"),
                Map.entry("OTEL_LOGS_EXPORTER", "otlp"),
                Map.entry("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
                Map.entry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + proxy.getAddress().getPort()),
                Map.entry("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer " + TOKEN),
                Map.entry("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
                Map.entry("OTEL_LOGS_EXPORT_INTERVAL", "500"),
                Map.entry("OTEL_RESOURCE_ATTRIBUTES", "user.email=dev@example.com,user.account_id=user_01it")));
        Process process = claude.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("claude -p finished").isTrue();
        assertThat(process.exitValue()).as(Files.readString(directory.resolve("claude-" + protocol.replace('/', '-')
                + ".log"))).isZero();
    }

    @Test
    void twoPromptsAreStoredOnceThoughTheFirstExportsWereAnswered503() throws Exception {
        Path cli = cli();

        runClaude(cli, "http/protobuf");
        runClaude(cli, "http/json");

        assertThat(modelRequests).hasValue(2);
        assertThat(exports.get("/v1/logs").get()).as("the refused log export was sent again").isGreaterThan(2);
        assertThat(exports.get("/v1/metrics").get()).isGreaterThan(2);
        assertThat(sentRequests).hasSize(2);
        long micros = sentRequests.values().stream().mapToLong(a -> ((Number) a.get("cost_usd_micros")).longValue())
                .sum();
        PriceTable.Prices opus = PriceTable.builtIn().listPrices("claude-opus-5-5").orElseThrow();
        BigDecimal listed = opus.input().multiply(BigDecimal.valueOf(INPUT)).add(opus.output().multiply(
                BigDecimal.valueOf(OUTPUT))).add(opus.cacheRead().multiply(BigDecimal.valueOf(CACHE_READ)))
                .add(opus.cacheWrite5m().multiply(BigDecimal.valueOf(CACHE_WRITE))).movePointLeft(6);
        assertThat(BigDecimal.valueOf(micros, 6)).as("what Claude Code priced, against the published prices")
                .isEqualByComparingTo(listed.multiply(BigDecimal.valueOf(2)));

        List<List<Object>> stored = Rows.select(warehouse, "SELECT COUNT(*), SUM(cost_usd), SUM(input_tokens),"
                + " SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_creation_tokens), COUNT(DISTINCT session_id),"
                + " MIN(user_account_id), MIN(service_version) FROM claude_code_events WHERE event_name = 'api_request'");
        assertThat(stored).singleElement().satisfies(row -> {
            assertThat(((Number) row.get(0)).longValue()).isEqualTo(2);
            assertThat((BigDecimal) row.get(1)).isEqualByComparingTo(BigDecimal.valueOf(micros, 6));
            assertThat(row.subList(2, 6)).extracting(value -> ((Number) value).longValue())
                    .containsExactly(2 * INPUT, 2 * OUTPUT, 2 * CACHE_READ, 2 * CACHE_WRITE);
            assertThat(row.subList(6, 9)).containsExactly(2L, "user_01it", VERSION);
        });
        assertThat(Rows.select(warehouse, "SELECT SUM(value) FROM claude_code_metrics WHERE metric_name ="
                + " 'claude_code.cost.usage'")).singleElement().satisfies(row ->
                assertThat((BigDecimal) row.get(0)).isEqualByComparingTo(BigDecimal.valueOf(micros, 6)));
        assertThat(Rows.select(warehouse, "SELECT SUM(value) FROM claude_code_metrics WHERE metric_name ="
                + " 'claude_code.token.usage' AND type = 'input'")).singleElement().satisfies(row ->
                assertThat((BigDecimal) row.get(0)).isEqualByComparingTo(BigDecimal.valueOf(2 * INPUT)));
        // Every event the CLI sent is there once: the same count as distinct (session, sequence) pairs.
        assertThat(Rows.select(warehouse, "SELECT COUNT(*) = COUNT(DISTINCT session_id || '/' || event_sequence)"
                + " FROM claude_code_events")).singleElement().isEqualTo(List.of(true));
    }
}
