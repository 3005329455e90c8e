package dev.claudedataingestion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy between the client and any implementation of the Admin API, which rewrites answers as an attacker
 * or a broken intermediary would: records repeated in a page, a page repeated under a new cursor, a cursor that
 * points at itself, {@code retry-after: 120} on every answer, bodies that trickle, numbers out of every range. Each
 * fault strikes the answers to requests whose path contains a given part, a given number of times.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does to an answer. */
    public enum Kind {
        /** The first record of the page (or of its first bucket with results) appears twice. */
        REPEAT_RECORD,
        /** The page says there is more, under a new cursor, and that cursor brings the same page again. */
        REPEAT_PAGE,
        /** An empty page that says there is more, whose cursor is the one it was asked with. */
        SELF_CURSOR,
        /** The page says there is more, under a cursor the API never gave (it answers 400). */
        BOGUS_CURSOR,
        /** A 429 asking to wait two minutes. */
        RETRY_AFTER,
        /** The answer, at 20 bytes a second. */
        TRICKLE,
        /** A count of 10^30 output tokens. */
        HUGE_COUNT,
        /** An amount of 1e999999999 cents. */
        HUGE_AMOUNT
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Strike(Kind kind, String pathPart, AtomicInteger left) {
    }

    private final URI upstream;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<Strike> strikes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, byte[]> repeated = new ConcurrentHashMap<>();
    private final AtomicInteger struck = new AtomicInteger();

    public FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fault-proxy");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next {@code times} answers to requests whose path contains {@code pathPart} get {@code kind}. */
    public FaultProxy strike(Kind kind, String pathPart, int times) {
        strikes.add(new Strike(kind, pathPart, new AtomicInteger(times)));
        return this;
    }

    /** Answers rewritten so far. */
    public int struck() {
        return struck.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String page = query(uri.getRawQuery(), "page");
            byte[] again = page == null ? null : repeated.remove(page);
            if (again != null) {
                send(exchange, 200, again, Map.of());
                return;
            }
            Strike strike = strikes.stream().filter(s -> uri.getPath().contains(s.pathPart()) && s.left().get() > 0)
                    .findFirst().orElse(null);
            if (strike != null && strike.kind() == Kind.RETRY_AFTER && strike.left().decrementAndGet() >= 0) {
                struck.incrementAndGet();
                String limited = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}";
                send(exchange, 429, limited.getBytes(StandardCharsets.UTF_8), Map.of("retry-after", "120"));
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(upstream.resolve(uri.getRawPath()
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (List.of("x-api-key", "anthropic-version", "anthropic-beta", "user-agent", "accept")
                        .contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> forward.header(name, value));
                }
            });
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(forward.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            byte[] body = answer.body();
            Map<String, String> headers = answer.headers().firstValue("request-id")
                    .map(id -> Map.of("request-id", id)).orElse(Map.of());
            if (answer.statusCode() == 200 && strike != null) {
                byte[] rewritten = strike.kind() == Kind.TRICKLE ? body : rewrite(strike.kind(), body, page);
                // A page with nothing to rewrite (a day without records) passes and leaves the strike for later.
                if (rewritten != null && strike.left().decrementAndGet() >= 0) {
                    struck.incrementAndGet();
                    if (strike.kind() == Kind.TRICKLE) {
                        trickle(exchange, body);
                        return;
                    }
                    body = rewritten;
                }
            }
            send(exchange, answer.statusCode(), body, headers);
        }
    }

    /** The rewritten answer, or null when this one has nothing the fault can act on. */
    private byte[] rewrite(Kind kind, byte[] body, String page) throws IOException {
        ObjectNode answer = (ObjectNode) JSON.readTree(body);
        ArrayNode data = (ArrayNode) answer.get("data");
        ArrayNode records = firstRecords(data);
        if (records == null && kind != Kind.SELF_CURSOR && kind != Kind.BOGUS_CURSOR) {
            return null;
        }
        switch (kind) {
            case REPEAT_RECORD -> records.add(records.get(0).deepCopy());
            case REPEAT_PAGE -> {
                String cursor = "proxy-repeat-" + struck.get();
                ObjectNode last = answer.deepCopy();
                repeated.put(cursor, JSON.writeValueAsBytes(last));
                answer.put("has_more", true).put("next_page", cursor);
            }
            case SELF_CURSOR -> {
                data.removeAll();
                answer.put("has_more", true).put("next_page", page == null ? "proxy-self" : page);
                if (page == null) {
                    repeated.put("proxy-self", JSON.writeValueAsBytes(answer));
                }
            }
            case BOGUS_CURSOR -> answer.put("has_more", true).put("next_page", "page_bogus");
            case HUGE_COUNT -> ((ObjectNode) records.get(0)).put("output_tokens", new BigDecimal("1E+30"));
            case HUGE_AMOUNT -> ((ObjectNode) records.get(0)).put("amount", "1e999999999");
            default -> throw new IllegalStateException(kind.toString());
        }
        return JSON.writeValueAsBytes(answer);
    }

    /** The page's records: its data, or the results of its first bucket that has any. */
    private static ArrayNode firstRecords(ArrayNode data) {
        for (JsonNode element : data) {
            JsonNode results = element.get("results");
            if (results == null) {
                return data;
            }
            if (!results.isEmpty()) {
                return (ArrayNode) results;
            }
        }
        return null;
    }

    private static void trickle(HttpExchange exchange, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        for (int i = 0; i < body.length; i += 20) {
            out.write(body, i, Math.min(20, body.length - i));
            out.flush();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body, Map<String, String> headers)
            throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String query(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
