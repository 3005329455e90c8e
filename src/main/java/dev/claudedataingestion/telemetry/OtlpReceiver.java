package dev.claudedataingestion.telemetry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Status;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claudedataingestion.config.TelemetryConfig;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.Warehouse;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OTLP/HTTP receiver for Claude Code's telemetry (OTLP specification 1.x, "OTLP/HTTP"): {@code POST /v1/logs} and
 * {@code /v1/metrics}, binary protobuf or JSON, gzip or not, sized or chunked. A request is answered 200 only once
 * its rows are committed to the warehouse, so an exporter's retry is the only way to a repeat, and the warehouse
 * keeps one row per key. Spans ({@code /v1/traces}) are read and dropped, answered as rejected by a partial success.
 *
 * <p>Answers as the specification gives exporters: 400 for a body that is not an export request (not retried), 401
 * without the token, 413 for a body over the limit, 415 for another content type, and 503 with {@code Retry-After}
 * when the buffer is full or the warehouse could not be written (retried). Error bodies are a
 * {@code google.rpc.Status} in the request's encoding.
 */
public final class OtlpReceiver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OtlpReceiver.class);
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";
    /** Handler threads: each holds at most one body, so these and the body limit bound the memory of requests. */
    private static final int HANDLERS = 8;
    /** How long a request waits for its rows to be committed before it is answered 503. */
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);
    /**
     * How long a body may take to arrive: a client that trickles one (or stops sending) would otherwise hold a
     * handler thread for good.
     */
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(30);
    /** The {@code Retry-After} of a busy or failing receiver, in seconds. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final TelemetryConfig config;
    private final TelemetryRows rows;
    private final TelemetryWriter writer;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final Duration bodyTimeout;
    /** Requests being handled; {@link #close} waits for them. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "otlp-body-timeout");
        thread.setDaemon(true);
        return thread;
    });

    private OtlpReceiver(TelemetryConfig config, TelemetryWriter writer, Clock clock, HttpServer server,
            ExecutorService handlers, Duration bodyTimeout) {
        this.config = config;
        this.rows = new TelemetryRows(config.defaultOrganization(), config.keepContent());
        this.writer = writer;
        this.clock = clock;
        this.server = server;
        this.handlers = handlers;
        this.bodyTimeout = bodyTimeout;
    }

    /**
     * Listens on the configured address and writes to {@code warehouse}, whose schema is ensured, until closed; the
     * warehouse stays the caller's.
     */
    public static OtlpReceiver start(TelemetryConfig config, Warehouse warehouse, Batching batching, Clock clock)
            throws IOException {
        return start(config, warehouse, batching, clock, BODY_TIMEOUT);
    }

    static OtlpReceiver start(TelemetryConfig config, Warehouse warehouse, Batching batching, Clock clock,
            Duration bodyTimeout) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 64);
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLERS, runnable -> {
            Thread thread = new Thread(runnable, "otlp-handler");
            thread.setDaemon(true);
            return thread;
        });
        TelemetryWriter writer = new TelemetryWriter(warehouse, batching, config.bufferRows());
        OtlpReceiver receiver = new OtlpReceiver(config, writer, clock, server, handlers, bodyTimeout);
        server.createContext("/", receiver::handle);
        server.setExecutor(handlers);
        server.start();
        return receiver;
    }

    /**
     * How a warehouse is best written: rows a batch holds at most and how long its first request waits for others.
     * DuckDB has one writer and commits fast, PostgreSQL likewise under the table's lock; BigQuery runs a load job
     * and a DML statement per batch, so it waits longer and takes more.
     */
    public record Batching(int rows, Duration linger) {

        /**
         * DuckDB's and PostgreSQL's: no wait. A commit takes milliseconds, and what queues up during one is the next
         * batch (group commit); waiting for company would cap a batch at the requests the handler threads hold.
         */
        public static final Batching LOCAL = new Batching(5_000, Duration.ZERO);
        /**
         * BigQuery's: a batch is a load job and a DML statement, each billed at least 10 MB and taking a second or
         * two; every 5 seconds at most is 17,280 statements a day, about 0.2 TB billed ($1 at $6.25/TB).
         */
        public static final Batching BIGQUERY = new Batching(20_000, Duration.ofSeconds(5));

        /** The batching for the warehouse at {@code displayUrl}. */
        public static Batching forWarehouse(String displayUrl) {
            return displayUrl.startsWith("bigquery:") ? BIGQUERY : LOCAL;
        }
    }

    /** The address it listens on, with the port it was given. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try (exchange) {
            Signal signal = Signal.of(exchange.getRequestURI().getPath());
            String type = mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
            boolean json = JSON.equals(type);
            if (signal == null) {
                answerError(exchange, 404, json, "no such path; OTLP/HTTP exporters post to /v1/logs, /v1/metrics and"
                        + " /v1/traces");
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answerError(exchange, 405, json, "OTLP/HTTP takes POST only");
            } else if (!config.acceptsToken(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                answerError(exchange, 401, json, "no valid bearer token; set OTEL_EXPORTER_OTLP_HEADERS to"
                        + " 'Authorization=Bearer <token>'");
            } else if (!json && !PROTOBUF.equals(type)) {
                answerError(exchange, 415, false, "content type " + type + " is not OTLP; send " + PROTOBUF + " or "
                        + JSON);
            } else if (!List.of("", "identity", "gzip").contains(encoding(exchange))) {
                answerError(exchange, 415, json, "Content-Encoding " + encoding(exchange) + " is not taken; send gzip"
                        + " (OTEL_EXPORTER_OTLP_COMPRESSION=gzip) or none");
            } else if (closing) {
                retryLater(exchange, json, "the receiver is stopping; try again later");
            } else {
                receive(exchange, signal, json);
            }
        } catch (RuntimeException e) {
            log.error("Could not answer an OTLP request", e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void receive(HttpExchange exchange, Signal signal, boolean json) throws IOException {
        byte[] body;
        try {
            body = body(exchange);
        } catch (TooLarge e) {
            answerError(exchange, 413, json, "the body is larger than " + config.maxBodyBytes() + " bytes"
                    + " uncompressed; send smaller batches (OTEL_BLRP_MAX_EXPORT_BATCH_SIZE for logs) or raise "
                    + TelemetryConfig.MAX_BODY);
            return;
        } catch (ZipException e) {
            answerError(exchange, 400, json, "the body is not gzip, as its Content-Encoding says");
            return;
        } catch (IOException e) {
            log.debug("A body did not arrive within {} or its connection broke: {}", bodyTimeout, e.getMessage());
            return;
        }
        Instant receivedAt = clock.instant();
        TelemetryRows.Decoded decoded;
        Message.Builder response;
        try {
            switch (signal) {
                // A partial success only where something was rejected: left unset, the answer is a full success.
                case LOGS -> {
                    decoded = rows.events(parse(body, json, ExportLogsServiceRequest.newBuilder()), receivedAt);
                    ExportLogsServiceResponse.Builder logs = ExportLogsServiceResponse.newBuilder();
                    if (decoded.rejected() > 0) {
                        logs.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                                .setRejectedLogRecords(decoded.rejected()).setErrorMessage(decoded.rejection()));
                    }
                    response = logs;
                }
                case METRICS -> {
                    decoded = rows.metrics(parse(body, json, ExportMetricsServiceRequest.newBuilder()), receivedAt);
                    ExportMetricsServiceResponse.Builder metrics = ExportMetricsServiceResponse.newBuilder();
                    if (decoded.rejected() > 0) {
                        metrics.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                                .setRejectedDataPoints(decoded.rejected()).setErrorMessage(decoded.rejection()));
                    }
                    response = metrics;
                }
                default -> {
                    long spans = spans(parse(body, json, ExportTraceServiceRequest.newBuilder()));
                    ExportTraceServiceResponse.Builder traces = ExportTraceServiceResponse.newBuilder();
                    if (spans > 0) {
                        traces.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(spans)
                                .setErrorMessage("claude-ingest stores logs and metrics; spans are dropped"));
                    }
                    response = traces;
                    decoded = null;
                }
            }
        } catch (InvalidProtocolBufferException e) {
            answerError(exchange, 400, json, "the body is not an OTLP " + signal.name().toLowerCase(Locale.ROOT)
                    + " export request: " + e.getMessage());
            return;
        }
        if (decoded != null && !decoded.rows().isEmpty() && !written(exchange, json, signal.table, decoded)) {
            return;
        }
        answer(exchange, 200, json, response.build());
    }

    /** Waits until the rows are committed; false when the answer was a refusal instead. */
    private boolean written(HttpExchange exchange, boolean json, Table table, TelemetryRows.Decoded decoded)
            throws IOException {
        if (decoded.rows().size() > writer.bufferRows()) {
            answerError(exchange, 413, json, decoded.rows().size() + " records in one request; this receiver takes"
                    + " at most " + writer.bufferRows() + " (" + TelemetryConfig.BUFFER_ROWS + ")");
            return false;
        }
        Optional<CompletableFuture<Long>> queued = writer.submit(table, decoded.rows());
        if (queued.isEmpty()) {
            retryLater(exchange, json, "the receiver is busy; try again later");
            return false;
        }
        try {
            queued.get().get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            retryLater(exchange, json, "the rows could not be written yet; try again later");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retryLater(exchange, json, "the receiver is stopping; try again later");
            return false;
        }
    }

    private void retryLater(HttpExchange exchange, boolean json, String message) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        answerError(exchange, 503, json, message);
    }

    /**
     * The body, uncompressed, refused beyond the limit whether it came sized or chunked; the connection is closed
     * when it has not all arrived within the body timeout.
     */
    private byte[] body(HttpExchange exchange) throws IOException, TooLarge {
        ScheduledFuture<?> cut = watchdog.schedule(exchange::close, bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            InputStream raw = exchange.getRequestBody();
            InputStream in = encoding(exchange).equals("gzip") ? new GZIPInputStream(raw) : raw;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16_384];
            for (int read; (read = in.read(buffer)) >= 0; ) {
                if (out.size() + read > config.maxBodyBytes()) {
                    throw new TooLarge();
                }
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        } finally {
            cut.cancel(false);
        }
    }

    private static String encoding(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Content-Encoding");
        return header == null ? "" : header.strip().toLowerCase(Locale.ROOT);
    }

    private static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> T parse(byte[] body, boolean json, Message.Builder builder)
            throws InvalidProtocolBufferException {
        if (json) {
            JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), builder);
        } else {
            builder.mergeFrom(body);
        }
        return (T) builder.build();
    }

    private static long spans(ExportTraceServiceRequest request) {
        long spans = 0;
        for (ResourceSpans resource : request.getResourceSpansList()) {
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                spans += scope.getSpansCount();
            }
        }
        return spans;
    }

    private static void answerError(HttpExchange exchange, int status, boolean json, String message)
            throws IOException {
        log.debug("Answered {} to {} {}: {}", status, exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                message);
        answer(exchange, status, json, Status.newBuilder().setCode(status).setMessage(message).build());
    }

    private static void answer(HttpExchange exchange, int status, boolean json, Message message) throws IOException {
        byte[] bytes = json ? JsonFormat.printer().omittingInsignificantWhitespace().print(message)
                .getBytes(StandardCharsets.UTF_8) : message.toByteArray();
        exchange.getResponseHeaders().set("Content-Type", json ? JSON : PROTOBUF);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The type of a {@code Content-Type} header, without parameters, in lower case. */
    private static String mediaType(String header) {
        return header == null ? "" : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Answers the requests in flight (a new one is told to come back later), then stops listening and writes what
     * is queued. Waiting here rather than in {@code HttpServer.stop} takes no longer than the requests do: JDK 17's
     * waits out its whole delay.
     */
    @Override
    public void close() {
        closing = true;
        long until = System.nanoTime() + COMMIT_WAIT.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop(0);
        handlers.shutdown();
        writer.close();
        watchdog.shutdownNow();
    }

    /** The signals of OTLP/HTTP, by path. */
    private enum Signal {
        LOGS("/v1/logs", Tables.CLAUDE_CODE_EVENTS),
        METRICS("/v1/metrics", Tables.CLAUDE_CODE_METRICS),
        TRACES("/v1/traces", null);

        private final String path;
        private final Table table;

        Signal(String path, Table table) {
            this.path = path;
            this.table = table;
        }

        static Signal of(String path) {
            for (Signal signal : values()) {
                if (signal.path.equals(path)) {
                    return signal;
                }
            }
            return null;
        }
    }
}
