package dev.claudedataingestion.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.ClaudeCodeReport;
import dev.claudedataingestion.reports.CostReport;
import dev.claudedataingestion.reports.UsageReport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Answers an attacker or a broken proxy could send: cursors that never move on, numbers out of every range,
 * implausible times, endless waits. Each ends in a clear error, soon, and never in a loop or an exhausted JVM.
 */
class HostileAnswersTest {

    private static final LocalDate DAY = LocalDate.of(2025, 8, 1);
    private static final DayRange ONE_DAY = DayRange.single(DAY);
    private static final String BUCKET = "{\"starting_at\":\"2025-08-01T00:00:00Z\",\"ending_at\":\"2025-08-02T00:00:00Z\","
            + "\"results\":[%s]}";

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private interface Answer {
        void send(HttpExchange exchange, int request) throws IOException;
    }

    private AdminApiClient client(Deadline deadline, Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                answer.send(exchange, requests.incrementAndGet());
            } catch (IOException e) {
                // The client gave up on the answer.
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return new AdminApiClient(ApiConfig.of(base, AdminKey.parse("sk-ant-admin01-hostile", "test"), Optional.empty(),
                1000, "test").withRetries(3, Duration.ofMillis(1), Duration.ofMillis(1)), deadline);
    }

    private AdminApiClient client(String body) throws IOException {
        return client(Deadline.none(Clock.systemUTC()), (exchange, request) -> json(exchange, 200, body));
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anEmptyPageThatSaysThereIsMoreFailsInsteadOfPagingForever() throws IOException {
        String empty = "{\"data\":[],\"has_more\":true,\"next_page\":\"page_again\"}";
        assertThatThrownBy(() -> client(empty).fetch(UsageReport.DAILY, ONE_DAY, new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("the cursor does not move on");
        assertThatThrownBy(() -> client(empty).fetch(ClaudeCodeReport.INSTANCE, DayRange.single(DAY), new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("the cursor does not move on");
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void aListWhoseCursorRepeatsFailsInsteadOfPagingForever() throws IOException {
        AdminApiClient client = client("{\"data\":[{\"id\":\"user_1\",\"email\":\"a@example.com\"}],"
                + "\"has_more\":true,\"first_id\":\"user_1\",\"last_id\":\"user_1\"}");
        assertThatThrownBy(() -> client.listUsers(user -> { }))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("the cursor user_1 came before");
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void countsThatDoNotFit64BitsFailTheReportWithAShortExcerpt() throws IOException {
        AdminApiClient client = client("{\"data\":[" + BUCKET.formatted("{\"output_tokens\":1e30}")
                + "],\"has_more\":false,\"next_page\":null}");
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, ONE_DAY, new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(AdminApiException.INVALID_RESPONSE);
                    assertThat(e.getMessage()).contains("output_tokens").contains("fits 64 bits");
                });
    }

    @Test
    void anAmountOfABillionDigitsIsRefusedWithoutWritingItOut() throws IOException {
        AdminApiClient client = client("{\"data\":[" + BUCKET.formatted(
                "{\"currency\":\"USD\",\"amount\":\"1e999999999\",\"description\":\"x\"}")
                + "],\"has_more\":false,\"next_page\":null}");
        assertThatThrownBy(() -> client.fetch(CostReport.INSTANCE, ONE_DAY, new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(AdminApiException.INVALID_RESPONSE);
                    assertThat(e.getMessage()).contains("1e999999999").contains("outside what an amount can be")
                            .hasSizeLessThan(400);
                });
    }

    @Test
    void aTimeInYear999999999IsABrokenAnswer() throws IOException {
        AdminApiClient client = client("{\"data\":[{\"id\":\"user_1\",\"email\":\"a@example.com\","
                + "\"added_at\":\"+999999999-01-01T00:00:00Z\"}],\"has_more\":false}");
        assertThatThrownBy(() -> client.listUsers(user -> { }))
                .isInstanceOfSatisfying(AdminApiException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(AdminApiException.INVALID_RESPONSE);
                    assertThat(e.getMessage()).contains("not a plausible time");
                });
    }

    @Test
    void aNewlineInAnApiMessageCannotForgeALogLine() throws IOException {
        AdminApiClient client = client(Deadline.none(Clock.systemUTC()), (exchange, request) -> json(exchange, 400,
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        + "\"message\":\"bad\\n12:00:00.000 INFO  Run succeeded\"}}"));
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, ONE_DAY, new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("bad\\u000a12:00:00.000")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aRedirectIsNotFollowedAndItsLocationIsNamed() throws IOException {
        AdminApiClient client = client(Deadline.none(Clock.systemUTC()), (exchange, request) -> {
            exchange.getResponseHeaders().set("location", "https://elsewhere.example/v1/organizations/me");
            exchange.sendResponseHeaders(307, -1);
        });
        assertThatThrownBy(client::organization).isInstanceOf(AdminApiException.class)
                .hasMessageContaining("307").hasMessageContaining("https://elsewhere.example/v1/organizations/me")
                .hasMessageContaining("ANTHROPIC_BASE_URL");
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void aHostThatDoesNotResolveIsNamed() {
        AdminApiClient client = new AdminApiClient(ApiConfig.of(URI.create("http://no-such-host.invalid:8080"),
                AdminKey.parse("sk-ant-admin01-hostile", "test"), Optional.empty(), 1000, "test")
                .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1)));
        assertThatThrownBy(client::organization).isInstanceOf(AdminApiException.class)
                .hasMessageContaining("no-such-host.invalid:8080");
    }

    @Test
    void retryAfterOnEveryAnswerEndsAtTheDeadline() throws IOException {
        AdminApiClient client = client(Deadline.after(Duration.ofSeconds(2), Clock.systemUTC()), (exchange, request) -> {
            exchange.getResponseHeaders().set("retry-after", "120");
            json(exchange, 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}");
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, ONE_DAY, new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class, e -> {
                    assertThat(e.isDeadline()).isTrue();
                    assertThat(e.getMessage()).contains("deadline").contains("429");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aBodyThatTricklesIsAbandonedAtTheDeadline() throws IOException {
        AdminApiClient client = client(Deadline.after(Duration.ofSeconds(2), Clock.systemUTC()), (exchange, request) -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            byte[] bytes = ("{\"data\":[" + BUCKET.formatted("")).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 600; i++) {
                body.write(bytes, i % bytes.length, 1);
                body.flush();
                sleep(50);
            }
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, ONE_DAY, new CollectingSink<Row>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class, e -> assertThat(e.isDeadline()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
