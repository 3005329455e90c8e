package dev.claudedataingestion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The simulator's own contract, checked over raw HTTP: validation, error bodies, grouping, list paging. */
class AdminApiSimulatorTest {

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        simulator.close();
    }

    private record Answer(int status, JsonNode body, String requestId) {
    }

    private Answer get(String pathAndQuery, String key, boolean withVersion) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + pathAndQuery));
        if (key != null) {
            request.header("x-api-key", key);
        }
        if (withVersion) {
            request.header("anthropic-version", "2023-06-01");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()),
                response.headers().firstValue("request-id").orElse(null));
    }

    private Answer get(String pathAndQuery) throws Exception {
        return get(pathAndQuery, AdminApiSimulator.DEMO_KEY, true);
    }

    /** A Usage and Cost Analytics request, with the beta header when {@code beta}. */
    private Answer analytics(String report, String query, boolean beta) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl()
                + "/v1/organizations/analytics/" + report + "?" + query))
                .header("x-api-key", AdminApiSimulator.DEMO_KEY).header("anthropic-version", "2023-06-01");
        if (beta) {
            request.header("anthropic-beta", "analytics-usage-cost-2026-08-24");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()), null);
    }

    @Test
    void theAnalyticsEndpointsKeepTheirDocumentedLimits() throws Exception {
        String february = "starting_at=2026-02-01T00:00:00Z&ending_at=2026-02-03T00:00:00Z&time_bucket_width=1d";
        Answer ok = analytics("usage", february + "&group_by[]=actor&group_by[]=model&limit=1000", true);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("data_refreshed_at").asText()).isEqualTo("2026-03-09T06:30:00Z");
        assertThat(ok.body().path("data").get(0).path("group").has("rbac_group_id")).isTrue();
        assertThat(ok.body().path("data").get(0).path("usage").path("total_tokens").asLong()).isPositive();

        assertThat(analytics("usage", february, false).body().path("error").path("message").asText())
                .contains("anthropic-beta");
        assertThat(analytics("usage", "starting_at=2025-12-30T00:00:00Z&ending_at=2026-01-02T00:00:00Z"
                + "&time_bucket_width=1d", true).status()).isEqualTo(400);
        assertThat(analytics("usage", "starting_at=2026-02-01T00:00:00Z&time_bucket_width=1d", true).body()
                .path("error").path("message").asText()).contains("ending_at");
        assertThat(analytics("cost", "starting_at=2026-01-01T00:00:00Z&ending_at=2026-02-02T00:00:00Z"
                + "&time_bucket_width=1d", true).status()).isEqualTo(400);
        String six = "&group_by[]=actor&group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=model"
                + "&group_by[]=product";
        assertThat(analytics("cost", february + six + "&group_by[]=cost_type&group_by[]=token_type", true).status())
                .as("cost and token type do not count toward five").isEqualTo(200);
        assertThat(analytics("cost", february + six + "&group_by[]=speed", true).status()).isEqualTo(400);
        assertThat(analytics("usage", february + "&group_by[]=cost_type", true).status()).isEqualTo(400);
        simulator.enableHipaaReadiness(true);
        assertThat(analytics("usage", february, true).body().path("error").path("message").asText())
                .contains("HIPAA");
    }

    @Test
    void refusesAKeyThatIsNotAnAdminKey() throws Exception {
        Answer answer = get("/v1/organizations/me", "sk-ant-api03-abc", true);
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body().at("/type").asText()).isEqualTo("error");
        assertThat(answer.body().at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(answer.body().at("/request_id").asText()).isEqualTo(answer.requestId()).startsWith("req_");
        assertThat(get("/v1/organizations/me", null, true).status()).isEqualTo(401);
    }

    @Test
    void requiresTheVersionHeader() throws Exception {
        Answer answer = get("/v1/organizations/me", AdminApiSimulator.DEMO_KEY, false);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().at("/error/message").asText()).contains("anthropic-version");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v1/organizations/usage_report/messages|ending_at",
        "/v1/organizations/usage_report/messages?starting_at=yesterday|starting_at",
        "/v1/organizations/usage_report/messages?starting_at=2026-01-01T00:00:00Z&limit=32|limit",
        "/v1/organizations/usage_report/messages?starting_at=2026-01-01T00:00:00Z&bucket_width=1h&limit=169|limit",
        "/v1/organizations/usage_report/messages?starting_at=2026-01-01T00:00:00Z&group_by[]=color|group_by",
        "/v1/organizations/usage_report/messages?starting_at=2026-01-02T00:00:00Z&ending_at=2026-01-01T00:00:00Z|ending_at",
        "/v1/organizations/cost_report?starting_at=2026-01-01T00:00:00Z&bucket_width=1h|bucket_width",
        "/v1/organizations/cost_report?starting_at=2026-01-01T00:00:00Z&group_by[]=model|group_by",
        "/v1/organizations/usage_report/claude_code?starting_at=2026-01-01T00:00:00Z|starting_at",
        "/v1/organizations/usage_report/claude_code?starting_at=2026-01-01&limit=1001|limit"})
    void validatesParametersAsDocumented(String request, String named) throws Exception {
        Answer answer = get(request.replace("[]", "%5B%5D"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(answer.body().at("/error/message").asText()).contains(named.equals("ending_at") ? "" : named);
    }

    @Test
    void sendsEmptyBucketsAndGroupsOnlyByWhatIsAsked() throws Exception {
        Answer answer = get("/v1/organizations/usage_report/messages?starting_at=2025-12-30T00:00:00Z"
                + "&ending_at=2026-01-03T00:00:00Z&limit=4&group_by%5B%5D=model");
        JsonNode data = answer.body().get("data");
        assertThat(data).hasSize(4);
        assertThat(data.get(0).get("results")).isEmpty();
        assertThat(data.get(1).get("results")).isEmpty();
        JsonNode results = data.get(2).get("results");
        List<String> models = new ArrayList<>();
        long output = 0;
        for (JsonNode result : results) {
            models.add(result.get("model").asText());
            assertThat(result.get("api_key_id").isNull()).isTrue();
            output += result.get("output_tokens").asLong();
        }
        assertThat(models).doesNotHaveDuplicates();
        long expected = organization.usage(LocalDate.of(2026, 1, 1)).stream()
                .mapToLong(SyntheticOrganization.UsageTuple::outputTokens).sum();
        assertThat(output).isEqualTo(expected);
        assertThat(answer.body().get("has_more").asBoolean()).isFalse();
    }

    @Test
    void hourlyBucketsAddUpToTheDay() throws Exception {
        Answer answer = get("/v1/organizations/usage_report/messages?starting_at=2026-01-05T00:00:00Z"
                + "&ending_at=2026-01-06T00:00:00Z&bucket_width=1h&limit=24");
        long output = 0;
        for (JsonNode bucket : answer.body().get("data")) {
            for (JsonNode result : bucket.get("results")) {
                output += result.get("output_tokens").asLong();
            }
        }
        assertThat(answer.body().get("data")).hasSize(24);
        assertThat(output).isEqualTo(organization.usage(LocalDate.of(2026, 1, 5)).stream()
                .mapToLong(SyntheticOrganization.UsageTuple::outputTokens).sum());
    }

    @Test
    void sendsCostAmountsAsDecimalStringsOfCents() throws Exception {
        Answer answer = get("/v1/organizations/cost_report?starting_at=2026-01-05T00:00:00Z"
                + "&ending_at=2026-01-06T00:00:00Z&group_by%5B%5D=workspace_id&group_by%5B%5D=description");
        JsonNode results = answer.body().at("/data/0/results");
        assertThat(results).isNotEmpty().allSatisfy(result -> {
            assertThat(result.get("amount").isTextual()).isTrue();
            assertThat(result.get("currency").asText()).isEqualTo("USD");
        });
    }

    @Test
    void pagesListEndpointsWithAfterId() throws Exception {
        Answer first = get("/v1/organizations/api_keys?limit=5");
        assertThat(first.body().get("data")).hasSize(5);
        assertThat(first.body().get("has_more").asBoolean()).isTrue();
        Answer rest = get("/v1/organizations/api_keys?limit=100&after_id=" + first.body().get("last_id").asText());
        assertThat(rest.body().get("data")).hasSize(organization.apiKeys().size() - 5);
        assertThat(rest.body().get("has_more").asBoolean()).isFalse();
        assertThat(get("/v1/organizations/workspaces").body().get("data")).hasSize(3);
        assertThat(get("/v1/organizations/workspaces?include_archived=true").body().get("data")).hasSize(4);
        simulator.useScopedApiKeys(true);
        assertThat(get("/v1/organizations/api_keys?limit=1").body().at("/data/0/scope/type").isTextual()).isTrue();
    }

    @Test
    void revisingADayChangesItsNumbersOnly() {
        LocalDate day = LocalDate.of(2026, 2, 1);
        var before = organization.usage(day);
        var neighbour = organization.usage(day.plusDays(1));
        organization.revise(day);
        assertThat(organization.usage(day)).isNotEqualTo(before);
        assertThat(organization.usage(day.plusDays(1))).isEqualTo(neighbour);
    }

    @Test
    void unknownPathsAreNotFound() throws Exception {
        Answer answer = get("/v1/organizations/invoices");
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().at("/error/type").asText()).isEqualTo("not_found_error");
    }

    /** A fault aimed at no path is applied to the next report request, whichever report, never to a list. */
    @Test
    void aFaultWithoutAPathHitsTheNextReportNotAList() throws Exception {
        simulator.inject(Fault.status(503, 1));
        assertThat(get("/v1/organizations/workspaces").status()).isEqualTo(200);
        assertThat(get("/v1/organizations/usage_report/claude_code?starting_at=2026-01-05").status()).isEqualTo(503);
        assertThat(get("/v1/organizations/usage_report/claude_code?starting_at=2026-01-05").status()).isEqualTo(200);
    }
}
