package dev.claudedataingestion.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.AnalyticsUsageReport;
import dev.claudedataingestion.reports.ClaudeCodeReport;
import dev.claudedataingestion.reports.CostReport;
import dev.claudedataingestion.reports.UsageReport;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Answers written by hand, for the shapes the simulator does not produce on its own. */
class ScriptedAnswersTest {

    private static final DayRange TWO_DAYS = DayRange.of(LocalDate.of(2025, 8, 1), LocalDate.of(2025, 8, 2));

    private HttpServer server;
    private volatile String answer;

    private AdminApiClient client(String body) throws IOException {
        answer = body;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("request-id", "req_scripted");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return new AdminApiClient(ApiConfig.of(base, AdminKey.parse("sk-ant-admin01-scripted", "test"), Optional.empty(),
                100, "test").withRetries(1, Duration.ofMillis(1), Duration.ofMillis(1)));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void keepsUnknownFieldsOutAndNewEnumValuesIn() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[
                  {"uncached_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":1000,
                   "ephemeral_5m_input_tokens":500},"cache_read_input_tokens":200,"output_tokens":500,
                   "server_tool_use":{"web_search_requests":10},"api_key_id":"apikey_1","workspace_id":null,
                   "model":"claude-future-9","service_tier":"galactic","context_window":"1M-10M",
                   "inference_geo":"mars","account_id":null,"service_account_id":null,"brand_new_measure":7}]},
                 {"results":[],"starting_at":"2025-08-02T00:00:00Z","ending_at":"2025-08-03T00:00:00Z",
                  "something_new":{"nested":[1,2]}}],
                 "has_more":false,"next_page":null,"another_new_field":true}
                """);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, TWO_DAYS, sink, CollectingSink.NO_DAYS);
        assertThat(sink.rows).singleElement().satisfies(row -> {
            assertThat(row.string("service_tier")).isEqualTo("galactic");
            assertThat(row.string("inference_geo")).isEqualTo("mars");
            assertThat(row.string("workspace_id")).isNull();
            assertThat(row.int64("cache_creation_1h_input_tokens")).isEqualTo(1000);
            assertThat(row.int64("cache_creation_5m_input_tokens")).isEqualTo(500);
            assertThat(row.int64("web_search_requests")).isEqualTo(10);
            assertThat(row.timestamp("bucket_start")).isEqualTo(Instant.parse("2025-08-01T00:00:00Z"));
        });
    }

    @Test
    void readsResultsThatComeBeforeTheBucketTimes() throws IOException {
        AdminApiClient client = client("""
                {"has_more":false,"data":[{"results":[{"output_tokens":5,"uncached_input_tokens":3}],
                 "ending_at":"2025-08-03T00:00:00Z","starting_at":"2025-08-02T00:00:00Z"}]}
                """);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, TWO_DAYS, sink, CollectingSink.NO_DAYS);
        assertThat(sink.rows).singleElement().satisfies(row -> {
            assertThat(row.date("activity_date")).isEqualTo(LocalDate.of(2025, 8, 2));
            assertThat(row.int64("output_tokens")).isEqualTo(5);
            assertThat(row.int64("cache_read_input_tokens")).isZero();
        });
    }

    @Test
    void aNonNumericAmountFailsTheReport() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z",
                 "results":[{"currency":"USD","amount":"12.3x","workspace_id":null,"description":"d"}]}],
                 "has_more":false,"next_page":null}
                """);
        assertThatThrownBy(() -> client.fetch(CostReport.INSTANCE, TWO_DAYS, new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(AdminApiException.INVALID_RESPONSE);
                    assertThat(e.getMessage()).contains("12.3x").contains("req_scripted");
                });
    }

    @Test
    void aTokenCountThatIsNotAWholeNumberFailsTheReport() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z",
                 "results":[{"output_tokens":"lots"}]}],"has_more":false}
                """);
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, TWO_DAYS, new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("output_tokens");
    }

    @Test
    void keepsFractionalCentsExactly() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z",
                 "results":[{"currency":"USD","amount":"0.30000000000000004","workspace_id":"w","description":"a"},
                            {"currency":"USD","amount":123.78912,"workspace_id":"w","description":"b"}]}],
                 "has_more":false,"next_page":null}
                """);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(CostReport.INSTANCE, TWO_DAYS, sink, CollectingSink.NO_DAYS);
        assertThat(sink.rows).extracting(r -> r.decimal("amount_cents")).containsExactly(
                new BigDecimal("0.30000000000000004"), new BigDecimal("123.78912"));
        assertThat(sink.rows.get(1).decimal("amount_usd")).isEqualTo(new BigDecimal("1.2378912"));
    }

    @Test
    void aBucketThatIsNotOneAlignedDayFails() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"starting_at":"2025-08-01T07:00:00Z","ending_at":"2025-08-02T07:00:00Z","results":[]}],
                 "has_more":false}
                """);
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, TWO_DAYS, new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("aligned");
    }

    @Test
    void missingBucketsAreTakenAsEmpty() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"starting_at":"2025-08-02T00:00:00Z","ending_at":"2025-08-03T00:00:00Z",
                  "results":[{"output_tokens":1}]}],"has_more":false}
                """);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, TWO_DAYS, sink, CollectingSink.NO_DAYS);
        assertThat(sink.rows).hasSize(1);
    }

    @Test
    void readsAClaudeCodeRecordWithATimestampDateAndAnUnknownTool() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"date":"2025-08-08T00:00:00Z","actor":{"type":"api_actor","api_key_name":"ci-key"},
                  "organization_id":"org","customer_type":"api","subscription_type":null,"terminal_type":"ci",
                  "is_remote":true,"core_metrics":{"num_sessions":15,"lines_of_code":{"added":342,"removed":128},
                  "commits_by_claude_code":8,"pull_requests_by_claude_code":2},
                  "tool_actions":{"edit_tool":{"accepted":25,"rejected":3},"hologram_tool":{"accepted":1,"rejected":0}},
                  "model_breakdown":[{"model":"claude-sonnet-4-20250514","tokens":{"input":45230,"output":12450,
                   "cache_read":8790,"cache_creation":2340},"estimated_cost":{"currency":"USD","amount":186}}]}],
                 "has_more":false,"next_page":null}
                """);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(ClaudeCodeReport.INSTANCE, DayRange.single(LocalDate.of(2025, 8, 8)), sink,
                CollectingSink.NO_DAYS);
        assertThat(sink.rows).hasSize(2).first().satisfies(row -> {
            assertThat(row.string("actor_type")).isEqualTo("api_actor");
            assertThat(row.string("actor_api_key_name")).isEqualTo("ci-key");
            assertThat(row.get("is_remote")).isEqualTo(true);
            assertThat(row.int64("edit_tool_accepted")).isEqualTo(25);
            assertThat(row.string("tool_actions")).contains("\"hologram_tool\":{\"accepted\":1,\"rejected\":0}");
            assertThat(row.decimal("estimated_cost_usd")).isEqualByComparingTo("1.86");
            assertThat(row.int64("cache_creation_tokens")).isEqualTo(2340);
        });
        assertThat(sink.rows.get(1).string("model")).isEqualTo("claude-sonnet-4-20250514");
    }

    @Test
    void aClaudeCodeRecordOfAnotherDayFails() throws IOException {
        AdminApiClient client = client("""
                {"data":[{"date":"2025-08-09","actor":{"type":"user_actor","email_address":"a@b.c"}}],
                 "has_more":false}
                """);
        assertThatThrownBy(() -> client.fetch(ClaudeCodeReport.INSTANCE, DayRange.single(LocalDate.of(2025, 8, 8)), new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("2025-08-09");
    }

    @Test
    void anAttributedRowOutsideTheWindowOrLongerThanADayFailsTheWindow() throws Exception {
        String row = "{\"starting_at\":\"%s\",\"ending_at\":\"%s\",\"group\":{},\"usage\":{\"output_tokens\":1}}";
        for (String[] bounds : new String[][] {{"2025-08-03T00:00:00Z", "2025-08-04T00:00:00Z", "outside the requested"},
            {"2025-08-01T00:00:00Z", "2025-08-03T00:00:00Z", "not one aligned 1d bucket"}}) {
            AdminApiClient client = client("{\"data\":[" + row.formatted(bounds[0], bounds[1])
                    + "],\"has_more\":false,\"next_page\":null}");
            assertThatThrownBy(() -> client.fetch(AnalyticsUsageReport.INSTANCE, TWO_DAYS, new CollectingSink<>(),
                    CollectingSink.NO_DAYS)).isInstanceOf(AdminApiException.class).hasMessageContaining(bounds[2]);
        }
    }
}
