package dev.claudedataingestion.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.AnalyticsCostReport;
import dev.claudedataingestion.reports.AnalyticsUsageReport;
import dev.claudedataingestion.reports.ClaudeCodeReport;
import dev.claudedataingestion.reports.CostReport;
import dev.claudedataingestion.reports.UsageReport;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminApiClientTest {

    private static final DayRange FEBRUARY = DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 28));
    private static final String USAGE_PATH = "/v1/organizations/usage_report/messages";
    private static final String COST_PATH = "/v1/organizations/cost_report";
    private static final String CLAUDE_CODE_PATH = "/v1/organizations/usage_report/claude_code";

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2025, 6, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);
    private final AdminApiClient client = new AdminApiClient(TestApi.apiConfig(simulator));

    @AfterEach
    void stop() {
        simulator.close();
    }

    private Map<LocalDate, long[]> usagePerDay(List<Row> rows) {
        Map<LocalDate, long[]> totals = new TreeMap<>();
        for (Row row : rows) {
            long[] sums = totals.computeIfAbsent(row.date("activity_date"), d -> new long[7]);
            sums[0]++;
            sums[1] += row.int64("uncached_input_tokens");
            sums[2] += row.int64("cache_creation_5m_input_tokens");
            sums[3] += row.int64("cache_creation_1h_input_tokens");
            sums[4] += row.int64("cache_read_input_tokens");
            sums[5] += row.int64("output_tokens");
            sums[6] += row.int64("web_search_requests");
        }
        return totals;
    }

    private void assertUsageEqualsApi(List<Row> rows, DayRange days) {
        Map<LocalDate, long[]> actual = usagePerDay(rows);
        TestApi.usageTotals(organization, days).forEach((day, expected) -> {
            long[] sums = actual.getOrDefault(day, new long[7]);
            assertThat(sums[0]).as("rows of %s", day).isEqualTo(expected.rows());
            for (int i = 0; i < 6; i++) {
                assertThat(sums[i + 1]).as("measure %d of %s", i, day).isEqualTo(expected.measures()[i]);
            }
        });
        assertThat(actual.keySet()).allMatch(days::contains);
    }

    @Test
    void readsTheUsageReportGroupedByEveryDimensionInOneRequestPerWindow() {
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, FEBRUARY, sink, CollectingSink.NO_DAYS);

        assertUsageEqualsApi(sink.rows, FEBRUARY);
        assertThat(simulator.requests()).hasSize(1);
        AdminApiSimulator.RecordedRequest request = simulator.requests().get(0);
        assertThat(request.path()).isEqualTo(USAGE_PATH);
        assertThat(request.param("starting_at")).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(request.param("ending_at")).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(request.param("limit")).isEqualTo("28");
        assertThat(request.param("bucket_width")).isEqualTo("1d");
        assertThat(request.query().get("group_by[]")).containsExactlyInAnyOrder("api_key_id", "workspace_id",
                "model", "service_tier", "context_window", "inference_geo", "account_id", "service_account_id");
        // Null dimensions are kept: the default workspace and Console usage both appear.
        assertThat(sink.rows).anyMatch(row -> row.string("workspace_id") == null);
        assertThat(sink.rows).anyMatch(row -> row.string("api_key_id") == null && row.string("account_id") != null);
    }

    @Test
    void followsNextPageUntilHasMoreIsFalse() {
        simulator.limitBucketsPerPage(5);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, FEBRUARY, sink, CollectingSink.NO_DAYS);

        assertUsageEqualsApi(sink.rows, FEBRUARY);
        assertThat(sink.pages).isEqualTo(6);
        List<AdminApiSimulator.RecordedRequest> requests = simulator.requests();
        assertThat(requests).hasSize(6);
        assertThat(requests.get(0).param("page")).isNull();
        assertThat(requests.subList(1, 6)).allMatch(r -> r.param("page") != null
                && "2026-02-01T00:00:00Z".equals(r.param("starting_at")));
    }

    @Test
    void readsCostsAsExactCentsAndDollars() {
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(CostReport.INSTANCE, FEBRUARY, sink, CollectingSink.NO_DAYS);

        Map<LocalDate, BigDecimal> cents = sink.rows.stream().collect(Collectors.groupingBy(r -> r.date("activity_date"),
                TreeMap::new, Collectors.reducing(BigDecimal.ZERO, r -> r.decimal("amount_cents"), BigDecimal::add)));
        TestApi.costTotals(organization, FEBRUARY).forEach((day, expected) ->
                assertThat(cents.get(day)).as("cents of %s", day).isEqualByComparingTo(expected.money()));
        assertThat(sink.rows).allMatch(row -> row.decimal("amount_usd")
                .compareTo(row.decimal("amount_cents").movePointLeft(2)) == 0);
        assertThat(sink.rows).anyMatch(row -> row.decimal("amount_cents").stripTrailingZeros().scale() > 2);
        assertThat(sink.rows).anyMatch(row -> "code_execution".equals(row.string("cost_type"))
                && row.string("model") == null);
        assertThat(simulator.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo(COST_PATH);
            assertThat(request.query().get("group_by[]")).containsExactly("workspace_id", "description");
        });
    }

    /** Per day, the sums of {@code columns} over {@code rows}. */
    private static Map<LocalDate, long[]> sums(List<Row> rows, List<String> columns) {
        Map<LocalDate, long[]> sums = new TreeMap<>();
        for (Row row : rows) {
            long[] day = sums.computeIfAbsent(row.date("activity_date"), d -> new long[columns.size()]);
            for (int i = 0; i < columns.size(); i++) {
                day[i] += row.int64(columns.get(i));
            }
        }
        return sums;
    }

    @Test
    void attributedUsageAddsUpToTheUsageReportInEveryMeasureOnEveryDay() {
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(AnalyticsUsageReport.INSTANCE, FEBRUARY, sink, CollectingSink.NO_DAYS);

        Map<LocalDate, long[]> sums = sums(sink.rows, List.of("uncached_input_tokens",
                "cache_creation_5m_input_tokens", "cache_creation_1h_input_tokens", "cache_read_input_tokens",
                "output_tokens", "web_search_requests"));
        TestApi.usageTotals(organization, FEBRUARY).forEach((day, expected) ->
                assertThat(sums.get(day)).as("usage of %s", day).containsExactly(expected.measures()));
        assertThat(sink.rows).allSatisfy(row -> assertThat(row.int64("total_tokens")).isEqualTo(
                row.int64("uncached_input_tokens") + row.int64("cache_creation_5m_input_tokens")
                        + row.int64("cache_creation_1h_input_tokens") + row.int64("cache_read_input_tokens")
                        + row.int64("output_tokens")));
        assertThat(sink.rows).anyMatch(row -> "user_actor".equals(row.string("actor_type"))
                && row.string("actor_email") != null && "claude_console".equals(row.string("product")));
        assertThat(sink.rows).anyMatch(row -> "api_actor".equals(row.string("actor_type"))
                && row.string("actor_id").equals(row.string("api_key_id")));
        assertThat(sink.rows).allMatch(row -> "actor,api_key_id,workspace_id,model,product".equals(
                row.string("grouped_by")));
        assertThat(simulator.requests()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/v1/organizations/analytics/usage");
            assertThat(request.param("time_bucket_width")).isEqualTo("1d");
            assertThat(request.param("ending_at")).isEqualTo("2026-03-01T00:00:00Z");
            assertThat(request.param("limit")).isEqualTo("1000");
            assertThat(request.query().get("group_by[]")).containsExactly("actor", "api_key_id", "workspace_id",
                    "model", "product");
        });
    }

    @Test
    void attributedCostAddsUpToTheCostReportOnEveryDayAndKeepsListAmountsExact() {
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(AnalyticsCostReport.INSTANCE, FEBRUARY, sink, CollectingSink.NO_DAYS);

        Map<LocalDate, BigDecimal> cents = sink.rows.stream().collect(Collectors.groupingBy(r -> r.date("activity_date"),
                TreeMap::new, Collectors.reducing(BigDecimal.ZERO, r -> r.decimal("amount_cents"), BigDecimal::add)));
        Map<LocalDate, Long> rows = sink.rows.stream().collect(Collectors.groupingBy(r -> r.date("activity_date"),
                Collectors.counting()));
        TestApi.costTotals(organization, FEBRUARY).forEach((day, expected) -> {
            // Exactly what was served; each row rounded to a millionth of a cent, so within that of the cost report.
            assertThat(cents.get(day)).as("cents of %s", day).isEqualByComparingTo(
                    simulator.analyticsCostServed(day, AnalyticsGrouping.DEFAULT.dimensions())[0]);
            assertThat(cents.get(day).subtract(expected.money()).abs()).as("rounding of %s", day)
                    .isLessThanOrEqualTo(new BigDecimal("0.0000005").multiply(BigDecimal.valueOf(rows.get(day))));
        });
        assertThat(sink.rows).allMatch(row -> row.decimal("amount_cents").stripTrailingZeros().scale() <= 6);
        assertThat(sink.rows).allMatch(row -> row.decimal("list_amount_cents").compareTo(row.decimal("amount_cents"))
                >= 0 && row.decimal("list_amount_usd").compareTo(row.decimal("list_amount_cents").movePointLeft(2)) == 0);
        assertThat(sink.rows).anyMatch(row -> row.decimal("list_amount_cents").compareTo(row.decimal("amount_cents"))
                > 0);
        assertThat(sink.rows).anyMatch(row -> "code_execution".equals(row.string("cost_type"))
                && row.string("actor_type") == null);
        // Grouped by cost and token type, rows have no request count.
        assertThat(sink.rows).allMatch(row -> row.get("requests") == null);
    }

    @Test
    void pagesThroughAttributedUsagePastOneThousandRows() {
        SyntheticOrganization large = TestApi.organization(new SyntheticOrganization.Size(2, 4, 2, 3000),
                LocalDate.of(2025, 6, 1));
        try (AdminApiSimulator big = TestApi.simulator(large)) {
            CollectingSink<Row> sink = new CollectingSink<>();
            DayRange week = DayRange.of(LocalDate.of(2026, 2, 2), LocalDate.of(2026, 2, 8));
            new AdminApiClient(TestApi.apiConfig(big)).fetch(AnalyticsUsageReport.INSTANCE, week, sink,
                    CollectingSink.NO_DAYS);
            assertThat(sink.rows).hasSizeGreaterThan(1000);
            assertThat(big.requests()).hasSize((sink.rows.size() + 999) / 1000);
            Map<LocalDate, long[]> sums = sums(sink.rows, List.of("output_tokens"));
            TestApi.usageTotals(large, week).forEach((day, expected) ->
                    assertThat(sums.get(day)[0]).as("output tokens of %s", day).isEqualTo(expected.measures()[4]));
        }
    }

    /** The Claude Code records among the rows, without their models' rows. */
    private static List<Row> records(CollectingSink<Row> sink) {
        return sink.rows.stream().filter(row -> row.table().equals(ClaudeCodeReport.TABLE)).toList();
    }

    @Test
    void readsOneClaudeCodeDayPerRequestAndAcceptsBothDateShapes() {
        for (LocalDate day : List.of(LocalDate.of(2026, 2, 2), LocalDate.of(2026, 2, 3))) {
            CollectingSink<Row> sink = new CollectingSink<>();
            client.fetch(ClaudeCodeReport.INSTANCE, DayRange.single(day), sink, CollectingSink.NO_DAYS);
            var expected = TestApi.claudeCodeTotals(organization, DayRange.single(day)).get(day);
            assertThat(records(sink)).hasSize((int) expected.rows());
            assertThat(records(sink).stream().mapToLong(r -> r.int64("num_sessions")).sum()).isEqualTo(expected.measures()[0]);
            assertThat(records(sink).stream().mapToLong(r -> r.int64("lines_added")).sum()).isEqualTo(expected.measures()[1]);
            assertThat(records(sink).stream().mapToLong(r -> r.int64("input_tokens")).sum()).isEqualTo(expected.measures()[5]);
            assertThat(records(sink).stream().map(r -> r.decimal("estimated_cost_usd").movePointRight(2))
                    .reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(expected.money());
        }
        assertThat(simulator.requests()).hasSize(2).allSatisfy(request -> {
            assertThat(request.path()).isEqualTo(CLAUDE_CODE_PATH);
            assertThat(request.param("limit")).isEqualTo("1000");
        });
    }

    @Test
    void pagesThroughClaudeCodeRecordsPastOneThousand() {
        SyntheticOrganization large = TestApi.organization(new SyntheticOrganization.Size(2, 4, 2, 3000),
                LocalDate.of(2025, 6, 1));
        try (AdminApiSimulator big = TestApi.simulator(large)) {
            AdminApiClient bigClient = new AdminApiClient(TestApi.apiConfig(big));
            LocalDate day = LocalDate.of(2026, 2, 2);
            CollectingSink<Row> sink = new CollectingSink<>();
            bigClient.fetch(ClaudeCodeReport.INSTANCE, DayRange.single(day), sink, CollectingSink.NO_DAYS);
            int expected = large.claudeCode(day).size();
            assertThat(expected).isGreaterThan(1000);
            assertThat(records(sink)).hasSize(expected);
            assertThat(big.requests()).hasSize((expected + 999) / 1000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"429:3", "500:2", "529:2", "503:1", "408:1", "409:1", "drop:2", "truncate:2", "malformed:2"})
    void retriesWhatMaySucceedLaterAndStillCountsEveryRowOnce(String fault) {
        simulator.limitBucketsPerPage(10);
        simulator.inject(Fault.parse(fault));
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, FEBRUARY, sink, CollectingSink.NO_DAYS);

        assertUsageEqualsApi(sink.rows, FEBRUARY);
        int times = Integer.parseInt(fault.substring(fault.indexOf(':') + 1));
        assertThat(simulator.requests()).hasSize(3 + times);
        if (fault.startsWith("drop")) {
            // The JDK's HTTP client itself sends a GET again once when a pooled connection closes without answer.
            assertThat(client.retriesMade()).isBetween(1L, (long) times);
        } else {
            assertThat(client.retriesMade()).isEqualTo(times);
        }
    }

    @Test
    void honoursRetryAfter() {
        simulator.inject(Fault.status(429, 1).withRetryAfter(Duration.ofSeconds(1)));
        long start = System.nanoTime();
        client.fetch(CostReport.INSTANCE, DayRange.single(LocalDate.of(2026, 2, 1)), new CollectingSink<>(), CollectingSink.NO_DAYS);
        // The configured backoff is a few milliseconds; only retry-after explains a wait of a second.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(client.retriesMade()).isEqualTo(1);
    }

    @Test
    void givesUpAfterTheConfiguredRetriesWithTheStatusAndRequestId() {
        simulator.inject(Fault.status(529, 10));
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, FEBRUARY, new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(529);
                    assertThat(e.errorType()).isEqualTo("overloaded_error");
                    assertThat(e.requestId()).startsWith("req_sim");
                    assertThat(e.getMessage()).contains("gave up after 5 attempts").contains(e.requestId());
                });
        assertThat(simulator.requests()).hasSize(5);
    }

    @Test
    void failsAtOnceOnAnAuthenticationErrorAndNeverShowsTheKey() throws Exception {
        String wrongKey = "sk-ant-admin01-" + "x".repeat(30);
        try (AdminApiSimulator strict = new AdminApiSimulator(organization, TestApi.CLOCK,
                AdminApiSimulator.DEMO_KEY).start(0)) {
            ApiConfig config = ApiConfig.of(strict.baseUrl(), AdminKey.parse(wrongKey, "test"), Optional.empty(), 100,
                    "test");
            AdminApiClient wrong = new AdminApiClient(config);
            assertThatThrownBy(wrong::organization).isInstanceOfSatisfying(AdminApiException.class, e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.errorType()).isEqualTo("authentication_error");
                assertThat(e.getMessage()).contains("ANTHROPIC_ADMIN_API_KEY").doesNotContain(wrongKey);
            });
            assertThat(strict.requests()).hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"has-more", "duplicate-bucket", "out-of-window"})
    void failsTheReportOnABrokenStructureWithoutRetrying(String fault) {
        simulator.inject(Fault.parse(fault));
        assertThatThrownBy(() -> client.fetch(UsageReport.DAILY, FEBRUARY, new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOfSatisfying(AdminApiException.class,
                        e -> assertThat(e.errorType()).isEqualTo(AdminApiException.INVALID_RESPONSE));
        assertThat(simulator.requests()).hasSize(1);
        assertThat(client.retriesMade()).isZero();
    }

    @Test
    void claudeCodeHasMoreWithoutNextPageFails() {
        simulator.inject(Fault.parse("has-more"));
        assertThatThrownBy(() -> client.fetch(ClaudeCodeReport.INSTANCE, DayRange.single(LocalDate.of(2026, 2, 2)), new CollectingSink<>(), CollectingSink.NO_DAYS))
                .isInstanceOf(AdminApiException.class).hasMessageContaining("next_page");
    }

    @Test
    void asksForFewerBucketsPerPageWhenThePageIsTooLarge() {
        long largestDay = FEBRUARY.days().mapToLong(day -> organization.usage(day).size()).max().orElseThrow();
        simulator.capResultsPerResponse((int) largestDay * 4);
        CollectingSink<Row> sink = new CollectingSink<>();
        client.fetch(UsageReport.DAILY, FEBRUARY, sink, CollectingSink.NO_DAYS);

        assertUsageEqualsApi(sink.rows, FEBRUARY);
        List<String> limits = simulator.requests().stream().map(r -> r.param("limit")).toList();
        assertThat(limits.get(0)).isEqualTo("28");
        assertThat(limits).contains("7");
    }

    @Test
    void aSlowAnswerPastTheTimeoutIsRetried() {
        ApiConfig impatient = TestApi.apiConfig(simulator).withRequestTimeout(Duration.ofMillis(300));
        AdminApiClient slowClient = new AdminApiClient(impatient);
        simulator.inject(Fault.slow(Duration.ofSeconds(2), 1));
        CollectingSink<Row> sink = new CollectingSink<>();
        slowClient.fetch(CostReport.INSTANCE, FEBRUARY, sink, CollectingSink.NO_DAYS);
        assertThat(slowClient.retriesMade()).isEqualTo(1);
        assertThat(sink.rows).isNotEmpty();
        // The timed-out wait counts as time waiting on the API.
        assertThat(slowClient.timeWaiting()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aBodyThatStallsAfterTheHeadersIsAbandonedAndAskedAgain() {
        AdminApiClient impatient = new AdminApiClient(
                TestApi.apiConfig(simulator).withRequestTimeout(Duration.ofMillis(300)));
        simulator.inject(Fault.parse("stall-3000:1"));
        CollectingSink<Row> sink = new CollectingSink<>();
        impatient.fetch(UsageReport.DAILY, FEBRUARY, sink, CollectingSink.NO_DAYS);
        assertThat(impatient.retriesMade()).isEqualTo(1);
        assertThat(sink.discarded).isEqualTo(1);
        assertUsageEqualsApi(sink.rows, FEBRUARY);
    }

    @Test
    void theRateLimitSpacesRequestsAfterTheBurst() {
        ApiConfig slow = new ApiConfig(simulator.baseUrl(), TestApi.apiConfig(simulator).key(), Optional.empty(), 20, 2,
                0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(5), Duration.ofSeconds(5), "test");
        AdminApiClient limited = new AdminApiClient(slow);
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            limited.organization();
        }
        // Two at once, then four at 20 per second: at least 200 ms, whatever the machine.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    }

    @Test
    void readsTheOrganization() {
        Organization me = client.organization();
        assertThat(me.id()).isEqualTo(organization.id());
        assertThat(me.name()).isEqualTo(organization.name());
    }
}
