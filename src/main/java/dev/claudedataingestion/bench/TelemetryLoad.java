package dev.claudedataingestion.bench;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many exporters at once against a running {@code serve}, as Claude Code's would post: protobuf exports of
 * api_request events, each exporter its own session, every tenth export sent twice (a retry whose answer was lost),
 * a 503 honoured by waiting its {@code Retry-After}. Prints what was acknowledged and how fast; the caller counts
 * the stored rows, which must be the distinct events acknowledged. Run by {@code bench/telemetry-load}.
 *
 * <p>Arguments: URL EXPORTERS SECONDS EVENTS_PER_EXPORT; the bearer token in {@code OTLP_TOKEN}.
 */
public final class TelemetryLoad {

    private TelemetryLoad() {
    }

    public static void main(String[] args) throws Exception {
        URI logs = URI.create(args[0] + "/v1/logs");
        int exporters = Integer.parseInt(args[1]);
        Duration length = Duration.ofSeconds(Long.parseLong(args[2]));
        int perExport = Integer.parseInt(args[3]);
        String token = System.getenv().getOrDefault("OTLP_TOKEN", "");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong resent = new AtomicLong();
        AtomicLong busy = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long until = System.nanoTime() + length.toNanos();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(exporters);
        List<Future<?>> running = new ArrayList<>();
        for (int e = 0; e < exporters; e++) {
            String session = "load-session-" + e;
            running.add(pool.submit(() -> {
                long sequence = 0;
                for (int export = 0; System.nanoTime() < until; export++) {
                    byte[] body = export(session, sequence, perExport).toByteArray();
                    for (int attempt = 0; attempt < (export % 10 == 9 ? 2 : 1); attempt++) {
                        while (true) {
                            long sent = System.nanoTime();
                            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(logs)
                                    .header("Content-Type", "application/x-protobuf")
                                    .header("Authorization", "Bearer " + token)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (answer.statusCode() == 200) {
                                latencies.add(System.nanoTime() - sent);
                                break;
                            }
                            if (answer.statusCode() != 503 && answer.statusCode() != 429) {
                                throw new IOException("answered " + answer.statusCode());
                            }
                            busy.incrementAndGet();
                            Thread.sleep(1000L * Long.parseLong(answer.headers().firstValue("Retry-After")
                                    .orElse("1")));
                        }
                        if (attempt == 1) {
                            resent.addAndGet(perExport);
                        }
                    }
                    acknowledged.addAndGet(perExport);
                    sequence += perExport;
                }
                return null;
            }));
        }
        for (Future<?> exporter : running) {
            exporter.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("exporters %d, %d events an export, %.1f s%n", exporters, perExport, seconds);
        System.out.printf("events acknowledged %d (%.0f a second), sent twice %d, answered 503 %d times%n",
                acknowledged.get(), acknowledged.get() / seconds, resent.get(), busy.get());
        System.out.printf("export latency p50 %.0f ms, p99 %.0f ms%n", percentile(sorted, 0.5),
                percentile(sorted, 0.99));
        System.out.println("distinct events acknowledged: " + acknowledged.get());
    }

    private static double percentile(List<Long> sorted, double share) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * share)) / 1e6;
    }

    private static ExportLogsServiceRequest export(String session, long firstSequence, int events) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        Instant now = Instant.now();
        for (int i = 0; i < events; i++) {
            long sequence = firstSequence + i;
            scope.addLogRecords(LogRecord.newBuilder()
                    .setTimeUnixNano(now.getEpochSecond() * 1_000_000_000L + now.getNano())
                    .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                    .addAttributes(text("event.name", "api_request"))
                    .addAttributes(text("event.timestamp", now.plusNanos(sequence).toString()))
                    .addAttributes(text("session.id", session))
                    .addAttributes(text("prompt.id", session + "-prompt-" + sequence / 10))
                    .addAttributes(whole("event.sequence", sequence))
                    .addAttributes(text("user.email", session + "@example.com"))
                    .addAttributes(text("model", "claude-opus-5-5"))
                    .addAttributes(whole("input_tokens", 1200))
                    .addAttributes(whole("output_tokens", 42))
                    .addAttributes(whole("cache_read_tokens", 300))
                    .addAttributes(whole("cache_creation_tokens", 50))
                    .addAttributes(whole("cost_usd_micros", 5950))
                    .addAttributes(whole("duration_ms", 1800))
                    .addAttributes(text("request_id", "req_" + session + "_" + sequence)));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(text("service.name", "claude-code"))
                        .addAttributes(text("service.version", "2.1.332")))
                .addScopeLogs(scope)).build();
    }

    private static KeyValue text(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static KeyValue whole(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }
}
