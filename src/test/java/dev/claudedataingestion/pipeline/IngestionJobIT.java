package dev.claudedataingestion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.FaultProxy;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.sink.Rows;
import dev.claudedataingestion.sink.RunRecord;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.duckdb.DuckDbWarehouse;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.source.AdminApiException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole pipeline, simulator to DuckDB, over HTTP on loopback. */
class IngestionJobIT {

    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    /** Before it the organization had no usage: early days are covered with zero rows. */
    private static final LocalDate FIRST_ACTIVE = LocalDate.of(2026, 1, 10);
    /** The reports the fault matrices run: the analytics reports have theirs. */
    private static final Set<ReportKind> OLDER = EnumSet.of(ReportKind.USAGE, ReportKind.COST, ReportKind.CLAUDE_CODE);

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            FIRST_ACTIVE);
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    private Path file() {
        return directory.resolve("warehouse.duckdb");
    }

    private IngestionJob.Outcome ingest(Optional<DayRange> days, Optional<Duration> deadline, Clock clock,
            Optional<String> expectedOrganization) {
        IngestConfig config = new IngestConfig(START, 3, ReportKind.defaults(), true, days, deadline);
        ApiConfig api = TestApi.apiConfig(simulator);
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            return new IngestionJob(new AdminApiClient(api), expectedOrganization, warehouse, config, clock, "test",
                    IngestListener.NONE, directory, RunOrigin.MANUAL).run(config.deadlineFrom(clock));
        }
    }

    private IngestionJob.Outcome ingest(Optional<DayRange> days) {
        return ingest(days, Optional.empty(), TestApi.CLOCK, Optional.empty());
    }

    private List<List<Object>> select(String sql) {
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), true)) {
            return Rows.select(warehouse, sql);
        }
    }

    private Map<LocalDate, List<Object>> perDay(String sql) {
        Map<LocalDate, List<Object>> days = new TreeMap<>();
        for (List<Object> row : select(sql)) {
            days.put((LocalDate) row.get(0), row);
        }
        return days;
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }

    private static BigDecimal decimal(Object value) {
        return (BigDecimal) value;
    }

    /** Every measure of every report, per day, equals the API's own totals; amount_usd is cents / 100 exactly. */
    private void assertWarehouseEqualsApi(DayRange days) {
        assertWarehouseEqualsApi(days, false);
    }

    /** The same, for the days each report covers only when {@code coveredOnly}: the others must hold no rows. */
    private void assertWarehouseEqualsApi(DayRange days, boolean coveredOnly) {
        Map<ReportKind, Set<LocalDate>> covered = new java.util.EnumMap<>(ReportKind.class);
        for (ReportKind report : ReportKind.defaults()) {
            Set<LocalDate> ledger = covered(report);
            // The analytics reports are held to every day only where a run loaded them.
            covered.put(report, coveredOnly || report.isAnalytics() && ledger.isEmpty() ? ledger
                    : Set.copyOf(days.days().filter(day -> !report.isAnalytics()
                    || !day.isBefore(LocalDate.of(2026, 1, 1))).toList()));
        }
        Map<LocalDate, List<Object>> usage = perDay("SELECT activity_date, count(*), sum(uncached_input_tokens),"
                + " sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens),"
                + " sum(cache_read_input_tokens), sum(output_tokens), sum(web_search_requests)"
                + " FROM claude_usage GROUP BY 1");
        TestApi.usageTotals(organization, days).forEach((day, expected) -> {
            List<Object> actual = usage.get(day);
            if (expected.rows() == 0 || !covered.get(ReportKind.USAGE).contains(day)) {
                assertThat(actual).as("usage rows of %s", day).isNull();
                return;
            }
            assertThat(number(actual.get(1))).as("usage rows of %s", day).isEqualTo(expected.rows());
            for (int i = 0; i < 6; i++) {
                assertThat(number(actual.get(i + 2))).as("usage measure %d of %s", i, day)
                        .isEqualTo(expected.measures()[i]);
            }
        });
        Map<LocalDate, List<Object>> costs = perDay("SELECT activity_date, count(*), sum(amount_cents),"
                + " sum(amount_usd) FROM claude_costs GROUP BY 1");
        TestApi.costTotals(organization, days).forEach((day, expected) -> {
            List<Object> actual = costs.get(day);
            if (expected.rows() == 0 || !covered.get(ReportKind.COST).contains(day)) {
                assertThat(actual).as("cost rows of %s", day).isNull();
                return;
            }
            assertThat(number(actual.get(1))).as("cost rows of %s", day).isEqualTo(expected.rows());
            assertThat(decimal(actual.get(2))).as("cents of %s", day).isEqualByComparingTo(expected.money());
            assertThat(decimal(actual.get(3))).as("dollars of %s", day)
                    .isEqualByComparingTo(expected.money().movePointLeft(2));
        });
        assertThat(select("SELECT count(*) FROM claude_costs WHERE amount_usd * 100 <> amount_cents").get(0).get(0))
                .isEqualTo(0L);
        // The Usage and Cost Analytics API's rows add up to the same day totals, list prices exact too.
        Map<LocalDate, List<Object>> attributedUsage = perDay("SELECT activity_date, sum(uncached_input_tokens),"
                + " sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens),"
                + " sum(cache_read_input_tokens), sum(output_tokens), sum(web_search_requests)"
                + " FROM claude_usage_attributed GROUP BY 1");
        TestApi.usageTotals(organization, days).forEach((day, expected) -> {
            List<Object> actual = attributedUsage.get(day);
            if (expected.rows() == 0 || !covered.get(ReportKind.ANALYTICS_USAGE).contains(day)) {
                assertThat(actual).as("attributed usage of %s", day).isNull();
                return;
            }
            for (int i = 0; i < 6; i++) {
                assertThat(number(actual.get(i + 1))).as("attributed usage measure %d of %s", i, day)
                        .isEqualTo(expected.measures()[i]);
            }
        });
        Map<LocalDate, List<Object>> attributedCost = perDay("SELECT activity_date, sum(amount_cents),"
                + " sum(list_amount_cents), sum(list_amount_usd) FROM claude_cost_attributed GROUP BY 1");
        TestApi.costTotals(organization, days).forEach((day, expected) -> {
            List<Object> actual = attributedCost.get(day);
            if (expected.rows() == 0 || !covered.get(ReportKind.ANALYTICS_COST).contains(day)) {
                assertThat(actual).as("attributed cost of %s", day).isNull();
                return;
            }
            BigDecimal list = organization.attributedCosts(day).stream()
                    .map(SyntheticOrganization.AttributedCost::listCents).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(decimal(actual.get(1))).as("billed cents of %s", day).isEqualByComparingTo(expected.money());
            assertThat(decimal(actual.get(2))).as("list cents of %s", day).isEqualByComparingTo(list);
            assertThat(decimal(actual.get(3))).as("list dollars of %s", day).isEqualByComparingTo(list.movePointLeft(2));
        });
        Map<LocalDate, List<Object>> code = perDay("SELECT activity_date, count(*), sum(num_sessions), sum(lines_added),"
                + " sum(lines_removed), sum(commits), sum(pull_requests), sum(input_tokens), sum(output_tokens),"
                + " sum(estimated_cost_usd) FROM claude_code_usage GROUP BY 1");
        Map<LocalDate, List<Object>> models = perDay("SELECT activity_date, sum(input_tokens), sum(estimated_cost_usd)"
                + " FROM claude_code_model_usage GROUP BY 1");
        TestApi.claudeCodeTotals(organization, days).forEach((day, expected) -> {
            List<Object> actual = code.get(day);
            if (expected.rows() == 0 || !covered.get(ReportKind.CLAUDE_CODE).contains(day)) {
                assertThat(actual).as("claude code rows of %s", day).isNull();
                return;
            }
            assertThat(number(actual.get(1))).as("claude code rows of %s", day).isEqualTo(expected.rows());
            for (int i = 0; i < 7; i++) {
                assertThat(number(actual.get(i + 2))).as("claude code measure %d of %s", i, day)
                        .isEqualTo(expected.measures()[i]);
            }
            assertThat(decimal(actual.get(9))).isEqualByComparingTo(expected.money().movePointLeft(2));
            assertThat(number(models.get(day).get(1))).isEqualTo(expected.measures()[5]);
            assertThat(decimal(models.get(day).get(2))).isEqualByComparingTo(expected.money().movePointLeft(2));
        });
    }

    private Set<LocalDate> covered(ReportKind report) {
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), true)) {
            return warehouse.coveredDays(report, organization.id(), DayRange.of(START.minusYears(1), TestApi.YESTERDAY));
        }
    }

    /** The days each report request asked for, per report path. */
    private List<String> requestedDays(String pathPart) {
        return simulator.requests().stream().filter(r -> r.path().contains(pathPart))
                .map(r -> r.param("starting_at") + (r.param("ending_at") == null ? "" : ".." + r.param("ending_at")))
                .toList();
    }

    @Test
    void anExplicitRangeLoadsExactlyTheApisTotals() {
        DayRange february = DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 3, 8));
        IngestionJob.Outcome outcome = ingest(Optional.of(february));

        assertThat(outcome.failure()).isNull();
        assertThat(outcome.run().status()).isEqualTo(RunRecord.Status.SUCCEEDED);
        assertThat(outcome.run().organizationId()).isEqualTo(organization.id());
        assertThat(outcome.run().daysWritten()).isEqualTo(5L * february.size());
        assertWarehouseEqualsApi(february);
        // 36 days: two pages of daily buckets per bucketed report, two windows of 31 days at most for each analytics
        // report (a page holds 1,000 rows, more than a month of this organization's), one request per Claude Code
        // day, one for /me, and one page of each list endpoint for the names.
        assertThat(requestedDays("usage_report/messages")).hasSize(2);
        assertThat(requestedDays("cost_report")).hasSize(2);
        assertThat(requestedDays("analytics/usage")).hasSize(2);
        assertThat(requestedDays("analytics/cost")).hasSize(2);
        assertThat(requestedDays("claude_code")).hasSize(february.size());
        assertThat(simulator.requests()).hasSize(2 + 2 + 2 + 2 + february.size() + 1 + 3);
    }

    @Test
    void runningTheSameWindowTwiceLeavesTheSameRows() {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 20), LocalDate.of(2026, 3, 2));
        ingest(Optional.of(days));
        String content = "SELECT * EXCLUDE (ingestion_timestamp, run_id) FROM %s ORDER BY ALL";
        List<List<List<Object>>> first = Stream.of("claude_usage", "claude_costs", "claude_code_usage",
                "claude_code_model_usage").map(table -> select(content.formatted(table))).toList();
        ingest(Optional.of(days));
        List<List<List<Object>>> second = Stream.of("claude_usage", "claude_costs", "claude_code_usage",
                "claude_code_model_usage").map(table -> select(content.formatted(table))).toList();

        assertThat(second).isEqualTo(first);
        assertThat(first).allMatch(rows -> !rows.isEmpty());
        assertWarehouseEqualsApi(days);
    }

    @Test
    void aDayWithoutUsageIsCoveredAndADayNeverFetchedIsNot() {
        ingest(Optional.of(DayRange.of(LocalDate.of(2026, 1, 5), LocalDate.of(2026, 1, 12))));

        assertThat(covered(ReportKind.USAGE)).contains(LocalDate.of(2026, 1, 5), LocalDate.of(2026, 1, 9))
                .doesNotContain(LocalDate.of(2026, 1, 4), LocalDate.of(2026, 1, 13));
        assertThat(select("SELECT row_count FROM ingestion_coverage WHERE report = 'usage'"
                + " AND activity_date = DATE '2026-01-05'").get(0).get(0)).isEqualTo(0L);
        assertThat(select("SELECT count(*) FROM claude_usage WHERE activity_date < DATE '2026-01-10'").get(0).get(0))
                .isEqualTo(0L);
        assertThat(covered(ReportKind.CLAUDE_CODE)).hasSize(8);
    }

    @Test
    void anIncrementalRunHealsGapsAndRepullsOnlyTheLookback() {
        IngestionJob.Outcome first = ingest(Optional.empty());
        DayRange all = DayRange.of(START, TestApi.YESTERDAY);
        assertThat(first.failure()).isNull();
        assertThat(covered(ReportKind.USAGE)).hasSize(all.size());
        assertThat(covered(ReportKind.CLAUDE_CODE)).hasSize(all.size());
        assertWarehouseEqualsApi(all);

        // An older day goes missing and a recent day is revised at the source.
        LocalDate lost = LocalDate.of(2026, 2, 10);
        LocalDate revised = TestApi.YESTERDAY.minusDays(1);
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            warehouse.replaceDays(ReportKind.COST, organization.id(), DayRange.single(lost), action -> { }, "wipe", Instant.now(), List.of());
        }
        try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file());
                var statement = connection.createStatement()) {
            statement.execute("DELETE FROM ingestion_coverage WHERE activity_date = DATE '2026-02-10'");
            statement.execute("DELETE FROM claude_usage WHERE activity_date = DATE '2026-02-10'");
            statement.execute("DELETE FROM claude_code_usage WHERE activity_date = DATE '2026-02-10'");
            statement.execute("DELETE FROM claude_code_model_usage WHERE activity_date = DATE '2026-02-10'");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        long before = TestApi.usageTotals(organization, DayRange.single(revised)).get(revised).measures()[4];
        BigDecimal centsBefore = TestApi.costTotals(organization, DayRange.single(revised)).get(revised).money();
        organization.revise(revised);
        assertThat(TestApi.usageTotals(organization, DayRange.single(revised)).get(revised).measures()[4])
                .isNotEqualTo(before);
        simulator.clearRequests();

        IngestionJob.Outcome second = ingest(Optional.empty());

        assertThat(second.failure()).isNull();
        assertWarehouseEqualsApi(all);
        // Only the lost day and the three lookback days were asked for.
        assertThat(requestedDays("usage_report/messages")).containsExactlyInAnyOrder(
                "2026-02-10T00:00:00Z..2026-02-11T00:00:00Z", "2026-03-06T00:00:00Z..2026-03-09T00:00:00Z");
        assertThat(requestedDays("cost_report")).containsExactlyInAnyOrder(
                "2026-02-10T00:00:00Z..2026-02-11T00:00:00Z", "2026-03-06T00:00:00Z..2026-03-09T00:00:00Z");
        assertThat(requestedDays("claude_code")).containsExactlyInAnyOrder("2026-02-10", "2026-03-06", "2026-03-07",
                "2026-03-08");
        assertThat(requestedDays("analytics/cost")).containsExactlyInAnyOrder(
                "2026-02-10T00:00:00Z..2026-02-11T00:00:00Z", "2026-03-06T00:00:00Z..2026-03-09T00:00:00Z");
        assertThat(second.run().daysWritten()).isEqualTo(5 * 4);
        // The revision left a trail: the revised day of each report, with its old and new totals; nothing else.
        List<List<Object>> restated = select("SELECT report, activity_date, old_total, new_total FROM"
                + " ingestion_restatements ORDER BY report");
        assertThat(restated).extracting(row -> row.get(1)).containsOnly(revised);
        assertThat(restated).extracting(row -> row.get(0)).containsExactly("analytics_cost", "analytics_usage",
                "claude_code", "cost", "usage");
        assertThat(decimal(restated.get(3).get(2))).isEqualByComparingTo(centsBefore);
        assertThat(decimal(restated.get(0).get(2))).isEqualByComparingTo(centsBefore);
        assertThat(decimal(restated.get(3).get(3))).isEqualByComparingTo(
                TestApi.costTotals(organization, DayRange.single(revised)).get(revised).money());
        assertThat(second.run().requestsMade()).isEqualTo(simulator.requests().size());
        assertThat(second.run().reportCounts()).contains("\"cost\":{\"days\":4,");
    }

    @Test
    void claudeCodeWaitsAnHourPastMidnight() {
        Clock justPastMidnight = Clock.fixed(Instant.parse("2026-03-09T00:30:00Z"), ZoneOffset.UTC);
        ingest(Optional.empty(), Optional.empty(), justPastMidnight, Optional.empty());

        assertThat(covered(ReportKind.USAGE)).contains(LocalDate.of(2026, 3, 8));
        assertThat(covered(ReportKind.CLAUDE_CODE)).contains(LocalDate.of(2026, 3, 7))
                .doesNotContain(LocalDate.of(2026, 3, 8));
    }

    @Test
    void anApiFailureLeavesEachDayWhollyOldOrWhollyNewAndTheNextRunCompletesIt() {
        DayRange days = DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 3, 8));
        ingest(Optional.of(DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 3, 8))));
        LocalDate revised = LocalDate.of(2026, 2, 15);
        long oldOutput = TestApi.usageTotals(organization, DayRange.single(revised)).get(revised).measures()[4];
        organization.revise(revised);
        // The usage report's first window (January) loads; its second (February on) fails for good.
        simulator.inject(Fault.status(500, 5).on("usage_report/messages").after(1));

        IngestionJob.Outcome failed = ingest(Optional.of(days));

        assertThat(failed.failure()).isInstanceOf(AdminApiException.class);
        // Some of it was written and some not: partial, with the failure named; never "succeeded".
        assertThat(failed.run().status()).isEqualTo(RunRecord.Status.PARTIAL);
        assertThat(failed.run().error()).contains("500");
        assertThat(select("SELECT count(*) FROM ingestion_runs WHERE status = 'partial'").get(0).get(0)).isEqualTo(1L);
        // January is new, February is wholly as it was before the run, revision and all.
        assertThat(covered(ReportKind.USAGE)).hasSize(days.size());
        assertThat(select("SELECT count(DISTINCT run_id) FROM ingestion_coverage WHERE report = 'usage'"
                + " AND activity_date >= DATE '2026-02-01'").get(0).get(0)).isEqualTo(1L);
        assertThat(select("SELECT sum(output_tokens) FROM claude_usage WHERE activity_date = DATE '2026-02-15'")
                .get(0).get(0)).isEqualTo(java.math.BigInteger.valueOf(oldOutput));
        // The other reports went on and have the revision.
        assertWarehouseEqualsApiFor(ReportKind.COST, days);

        IngestionJob.Outcome retried = ingest(Optional.of(days));
        assertThat(retried.failure()).isNull();
        assertWarehouseEqualsApi(days);
    }

    private void assertWarehouseEqualsApiFor(ReportKind report, DayRange days) {
        assertThat(report).isEqualTo(ReportKind.COST);
        Map<LocalDate, List<Object>> costs = perDay("SELECT activity_date, sum(amount_cents) FROM claude_costs GROUP BY 1");
        TestApi.costTotals(organization, days).forEach((day, expected) -> {
            if (expected.rows() > 0) {
                assertThat(decimal(costs.get(day).get(1))).as("cents of %s", day).isEqualByComparingTo(expected.money());
            }
        });
    }

    @Test
    void aKeyOfAnotherOrganizationFailsBeforeWriting() {
        IngestionJob.Outcome outcome = ingest(Optional.empty(), Optional.empty(), TestApi.CLOCK, Optional.of("org-other"));

        assertThat(outcome.failure()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("org-other").hasMessageContaining(organization.id());
        assertThat(select("SELECT count(*) FROM ingestion_coverage").get(0).get(0)).isEqualTo(0L);
        assertThat(simulator.requests()).hasSize(1);
    }

    @Test
    void aDeadlineStopsBetweenWindowsAndTheNextRunResumes() {
        // Each Claude Code day takes 40 ms; a 31-day window takes over a second, more than the deadline leaves.
        for (int i = 0; i < 200; i++) {
            simulator.inject(Fault.slow(Duration.ofMillis(40), 1).on("claude_code"));
        }
        IngestionJob.Outcome partial = ingest(Optional.empty(), Optional.of(Duration.ofMillis(1500)),
                movingClock(), Optional.empty());

        assertThat(partial.failure()).isNull();
        assertThat(partial.run().status()).isEqualTo(RunRecord.Status.PARTIAL);
        Set<LocalDate> coveredAfterFirst = covered(ReportKind.CLAUDE_CODE);
        assertThat(coveredAfterFirst.size()).isLessThan(DayRange.of(START, TestApi.YESTERDAY).size());
        // What was written is whole windows.
        assertThat(coveredAfterFirst.size() % 31).isZero();

        simulator.clearFaults();
        IngestionJob.Outcome rest = ingest(Optional.empty(), Optional.empty(), movingClock(), Optional.empty());
        assertThat(rest.run().status()).isEqualTo(RunRecord.Status.SUCCEEDED);
        assertWarehouseEqualsApi(DayRange.of(START, TestApi.YESTERDAY));
    }

    /** Real time moving on from the tests' fixed instant, for deadlines. */
    private static Clock movingClock() {
        return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), TestApi.NOW));
    }

    @Test
    void onlyTheChosenReportsAreFetched() {
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.COST), false, Optional.empty(),
                Optional.empty());
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)), Optional.empty(), warehouse, config,
                    TestApi.CLOCK, "test", IngestListener.NONE, directory, RunOrigin.MANUAL)
                    .run(config.deadlineFrom(TestApi.CLOCK));
        }
        assertThat(covered(ReportKind.COST)).isNotEmpty();
        assertThat(covered(ReportKind.USAGE)).isEmpty();
        assertThat(requestedDays("usage_report")).isEmpty();
    }

    /** Per day, the sums {@code sql} returns in its second and third columns. */
    private Map<LocalDate, List<BigDecimal>> daily(String sql) {
        Map<LocalDate, List<BigDecimal>> days = new TreeMap<>();
        for (List<Object> row : select(sql)) {
            days.put((LocalDate) row.get(0), List.of(new BigDecimal(row.get(1).toString()),
                    new BigDecimal(row.get(2).toString())));
        }
        return days;
    }

    @Test
    void theAttributedReportsLoadTheSameDailyTotalsAsTheOlderOnesAndARerunChangesNothing() {
        IngestConfig config = new IngestConfig(LocalDate.of(2025, 12, 1), 3,
                EnumSet.of(ReportKind.ANALYTICS_USAGE, ReportKind.ANALYTICS_COST, ReportKind.USAGE, ReportKind.COST),
                true, Optional.empty(), Optional.empty());
        String usage = "SELECT activity_date, sum(uncached_input_tokens + cache_creation_5m_input_tokens"
                + " + cache_creation_1h_input_tokens + cache_read_input_tokens + output_tokens), sum(web_search_requests)"
                + " FROM %s GROUP BY 1";
        String cost = "SELECT activity_date, sum(amount_cents), sum(amount_usd) FROM %s GROUP BY 1";
        List<Map<LocalDate, List<BigDecimal>>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
                IngestionJob.Outcome outcome = new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)),
                        Optional.empty(), warehouse, config, TestApi.CLOCK, "test", IngestListener.NONE, directory,
                        RunOrigin.MANUAL).run(config.deadlineFrom(TestApi.CLOCK));
                assertThat(outcome.failure()).isNull();
            }
            assertThat(daily(usage.formatted("claude_usage_attributed")))
                    .isEqualTo(daily(usage.formatted("claude_usage")));
            assertThat(daily(cost.formatted("claude_cost_attributed"))).isEqualTo(daily(cost.formatted("claude_costs")));
            runs.add(daily(cost.formatted("claude_cost_attributed")));
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        // December is before what the Usage and Cost Analytics API serves: never asked for, never covered.
        assertThat(covered(ReportKind.ANALYTICS_USAGE)).isEqualTo(new java.util.TreeSet<>(
                DayRange.of(LocalDate.of(2026, 1, 1), TestApi.YESTERDAY).days().toList()));
        assertThat(covered(ReportKind.USAGE)).contains(LocalDate.of(2025, 12, 1));
        assertThat(simulator.requests()).filteredOn(r -> r.path().contains("/analytics/"))
                .allMatch(r -> !r.param("starting_at").startsWith("2025"));

        // Every kind of actor lands, and is named in claude_actors: a former member as deleted, keeping its e-mail.
        assertThat(select("SELECT DISTINCT actor_type FROM claude_usage_attributed ORDER BY 1"))
                .extracting(row -> row.get(0)).containsExactly("api_actor", "federated_actor",
                        "service_account_actor", "user_actor");
        assertThat(select("SELECT count(*) FROM claude_cost_attributed WHERE actor_id IS NULL").get(0).get(0))
                .as("code execution, which no identity is attributed").isNotEqualTo(0L);
        // Identities the API cannot name each come as a row of their own, with the same group: all are kept.
        assertThat(select("SELECT count(*) FROM (SELECT activity_date, workspace_id, cost_type FROM"
                + " claude_cost_attributed WHERE actor_id IS NULL AND cost_type = 'code_execution'"
                + " GROUP BY ALL HAVING count(*) = 2)").get(0).get(0)).isNotEqualTo(0L);
        assertThat(select("SELECT actor_type, count(*) FROM claude_actors GROUP BY 1 ORDER BY 1"))
                .isEqualTo(select("SELECT actor_type, count(DISTINCT actor_id) FROM claude_usage_attributed"
                        + " GROUP BY 1 ORDER BY 1"));
        assertThat(select("SELECT email, deleted FROM claude_actors WHERE deleted"))
                .containsExactly(List.of("user" + SyntheticOrganization.Size.DEMO.users() + "@example.com", true));
        assertThat(select("SELECT count(*) FROM claude_actors WHERE actor_type = 'federated_actor'"
                + " AND provider IN ('aws', 'oidc') AND actor_id IS NOT NULL").get(0).get(0)).isNotEqualTo(0L);
        assertThat(select("SELECT count(*) FROM claude_actors WHERE valid_to IS NOT NULL").get(0).get(0))
                .as("a rerun that names every actor the same way adds no version").isEqualTo(0L);
        // The view of billed cost per actor names each kind: the former member by name and as deleted, an API key
        // by its name, a service account and a federated identity by their ids, and usage of no one as such.
        List<List<Object>> named = select("SELECT DISTINCT actor_type, actor_name, actor_deleted"
                + " FROM claude_billed_cost_by_actor ORDER BY ALL");
        assertThat(named).contains(List.of("user_actor", "User 20", true), List.of("user_actor", "User 1", false))
                .anySatisfy(row -> assertThat(row.get(1)).isEqualTo("Unattributed"))
                .anySatisfy(row -> assertThat(row).containsExactly("api_actor", "key-1", false))
                .anySatisfy(row -> assertThat((String) row.get(1)).startsWith("svcacct_"))
                .anySatisfy(row -> assertThat((String) row.get(1)).startsWith("arn:aws:iam::"));
        assertThat(select("SELECT sum(billed_usd) FROM claude_billed_cost_by_actor").get(0).get(0))
                .isEqualTo(select("SELECT sum(amount_usd) FROM claude_cost_attributed").get(0).get(0));
    }

    @Test
    void aNewGroupingReplacesWholeDaysAndKeepsTheirTotals() {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 3));
        String totals = "SELECT activity_date, grouped_by, count(*), sum(amount_cents), sum(list_amount_cents)"
                + " FROM claude_cost_attributed GROUP BY 1, 2 ORDER BY 1, 2";
        IngestConfig byActor = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_COST), false,
                Optional.of(days), Optional.empty());
        assertThat(run(byActor).failure()).isNull();
        List<List<Object>> before = select(totals);
        assertThat(before).hasSize(3).allMatch(row -> row.get(1).equals(AnalyticsGrouping.DEFAULT + ",cost_type,"
                + "token_type"));

        IngestConfig byModel = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_COST), false,
                Optional.of(DayRange.single(days.last())), Optional.empty(), IngestConfig.DEFAULT_SPOOL_LIMIT,
                AnalyticsGrouping.parse("model"));
        assertThat(run(byModel).failure()).isNull();
        List<List<Object>> after = select(totals);
        assertThat(after.subList(0, 2)).isEqualTo(before.subList(0, 2));
        List<Object> regrouped = after.get(2);
        assertThat(regrouped.get(1)).isEqualTo("model,cost_type,token_type");
        assertThat(number(regrouped.get(2))).isLessThan(number(before.get(2).get(2)));
        assertThat(regrouped.subList(3, 5)).isEqualTo(before.get(2).subList(3, 5));
        assertThat(simulator.requests()).filteredOn(r -> r.path().contains("/analytics/cost")).last()
                .satisfies(r -> assertThat(r.query().get("group_by[]")).containsExactly("model", "cost_type",
                        "token_type"));
    }

    @Test
    void anOrganizationOrKeyWithoutTheAnalyticsApiRunsTheOtherReportsAndWarnsInsteadOfFailing() {
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.USAGE, ReportKind.ANALYTICS_USAGE,
                ReportKind.ANALYTICS_COST), false, Optional.empty(), Optional.empty());
        // An organization with HIPAA readiness: every analytics request is refused with 400.
        simulator.enableHipaaReadiness(true);
        IngestionJob.Outcome hipaa = run(config);
        assertThat(hipaa.failure()).isNull();
        assertThat(hipaa.run().status()).isEqualTo(RunRecord.Status.SUCCEEDED);
        assertThat(covered(ReportKind.USAGE)).isNotEmpty();
        assertThat(covered(ReportKind.ANALYTICS_USAGE)).isEmpty();
        assertThat(covered(ReportKind.ANALYTICS_COST)).isEmpty();
        // One request each: the first refusal turns the report off for the run.
        assertThat(simulator.requests()).filteredOn(r -> r.path().contains("/analytics/")).hasSize(2);

        // A key that may read usage analytics but not cost: a 403 turns off that report alone.
        simulator.enableHipaaReadiness(false);
        simulator.inject(Fault.status(403, 1).on("/analytics/cost"));
        IngestionJob.Outcome forbidden = run(config);
        assertThat(forbidden.failure()).isNull();
        assertThat(covered(ReportKind.ANALYTICS_USAGE)).isNotEmpty();
        assertThat(covered(ReportKind.ANALYTICS_COST)).isEmpty();
    }

    private IngestionJob.Outcome run(IngestConfig config) {
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            return new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)), Optional.empty(), warehouse,
                    config, TestApi.CLOCK, "test", IngestListener.NONE, directory, RunOrigin.MANUAL)
                    .run(config.deadlineFrom(TestApi.CLOCK));
        }
    }

    @Test
    void aSpoolFolderThatCannotBeWrittenFailsTheRunAsALocalDiskErrorAndWritesNothing() {
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.COST), false, Optional.empty(),
                Optional.empty());
        IngestionJob.Outcome outcome;
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            outcome = new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)), Optional.empty(), warehouse,
                    config, TestApi.CLOCK, "test", IngestListener.NONE, directory.resolve("gone"), RunOrigin.MANUAL)
                    .run(config.deadlineFrom(TestApi.CLOCK));
        }
        assertThat(outcome.failure()).isInstanceOf(SpoolException.class)
                .hasMessageContaining("a local spool file in " + directory.resolve("gone"));
        assertThat(outcome.run().status()).isEqualTo(RunRecord.Status.FAILED);
        assertThat(covered(ReportKind.COST)).isEmpty();
    }

    @Test
    void leavesNoSpoolFilesBehind() throws Exception {
        simulator.inject(Fault.status(500, 5).on("cost_report"));
        ingest(Optional.of(DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 3))));
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".spool"));
        }
    }

    /** An API fault, and the fragment of the run's error when it is not retried away (null when it is). */
    record ApiFault(String name, Fault fault, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ApiFault> apiFaults() {
        return Stream.of(
                new ApiFault("a storm of 429 without retry-after", Fault.status(429, 4), null),
                new ApiFault("429 with retry-after", Fault.status(429, 2).withRetryAfter(Duration.ofSeconds(1)), null),
                new ApiFault("a burst of 500", Fault.status(500, 4), null),
                new ApiFault("a burst of 529", Fault.status(529, 4), null),
                new ApiFault("500 for longer than the retries last", Fault.status(500, 5), "500"),
                new ApiFault("dropped connections", Fault.of(Fault.Kind.DROP_CONNECTION, 3), null),
                new ApiFault("truncated bodies", Fault.of(Fault.Kind.TRUNCATE_BODY, 3), null),
                new ApiFault("malformed JSON", Fault.of(Fault.Kind.MALFORMED_JSON, 2), null),
                new ApiFault("an answer slower than the timeout", Fault.slow(Duration.ofSeconds(2), 2), null),
                new ApiFault("a body that stalls", new Fault(Fault.Kind.STALL_BODY, 0, Duration.ofSeconds(2), 2, null,
                        0), null),
                new ApiFault("has_more without next_page", Fault.of(Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE, 1),
                        "has_more is true but next_page is missing"),
                new ApiFault("a duplicated bucket", Fault.of(Fault.Kind.DUPLICATE_BUCKET, 1), "came twice"),
                new ApiFault("a bucket outside the window", Fault.of(Fault.Kind.OUT_OF_WINDOW_BUCKET, 1),
                        "outside the requested window"));
    }

    /**
     * Each fault strikes in the middle of a backfill. The run either completes or fails with a clear error that
     * does not carry the key; either way every day in the warehouse is wholly loaded or absent, and the next run
     * completes the range with every figure equal to the API's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("apiFaults")
    void anApiFaultEndsInACompleteRunOrAClearErrorAndNothingIsLostOrCountedTwice(ApiFault apiFault) {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, OLDER, true, Optional.of(days), Optional.empty());
        ApiConfig api = TestApi.apiConfig(simulator).withRequestTimeout(Duration.ofMillis(500));
        simulator.inject(apiFault.fault().after(1));

        IngestionJob.Outcome first;
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            first = new IngestionJob(new AdminApiClient(api), Optional.empty(), warehouse, config, TestApi.CLOCK,
                    "test", IngestListener.NONE, directory, RunOrigin.MANUAL).run(config.deadlineFrom(TestApi.CLOCK));
        }

        if (apiFault.error() == null) {
            assertThat(first.failure()).isNull();
            // The faulty answers were met and asked again (the JDK's client retries a dropped GET once itself).
            assertThat(first.run().retries()).isBetween(1L, (long) apiFault.fault().times());
        } else {
            assertThat(first.failure()).isNotNull();
            assertThat(first.run().error()).contains(apiFault.error())
                    .doesNotContain(AdminApiSimulator.DEMO_KEY);
            // No fact row without the coverage of its day: nothing half-written.
            Map.of("claude_usage", "usage", "claude_costs", "cost", "claude_code_usage", "claude_code",
                    "claude_usage_attributed", "analytics_usage", "claude_cost_attributed", "analytics_cost")
                    .forEach((table, report) -> assertThat(select("SELECT count(*) FROM " + table + " f WHERE NOT EXISTS"
                            + " (SELECT 1 FROM ingestion_coverage c WHERE c.activity_date = f.activity_date"
                            + " AND c.report = '" + report + "')").get(0).get(0)).as(table).isEqualTo(0L));
            assertThat(ingest(Optional.of(days)).failure()).isNull();
        }
        assertWarehouseEqualsApi(days);
        assertThat(select("SELECT count(*) FROM ingestion_runs WHERE error LIKE '%sk-ant%'").get(0).get(0))
                .isEqualTo(0L);
    }

    static Stream<ApiFault> analyticsFaults() {
        return Stream.of(
                new ApiFault("a 500 burst", Fault.status(500, 2), null),
                new ApiFault("truncated bodies", Fault.of(Fault.Kind.TRUNCATE_BODY, 2), null),
                new ApiFault("has_more without next_page", Fault.of(Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE, 1),
                        "has_more is true but next_page is missing"),
                new ApiFault("a row repeated", Fault.of(Fault.Kind.DUPLICATE_BUCKET, 1), "came twice"),
                new ApiFault("a row of a day outside the window", Fault.of(Fault.Kind.OUT_OF_WINDOW_BUCKET, 1),
                        "outside the requested window"));
    }

    /** The faults on the Usage and Cost Analytics API's second window: retried, or a clear error and no half day. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("analyticsFaults")
    void anAnalyticsFaultEndsInACompleteRunOrAClearErrorAndNothingIsLostOrCountedTwice(ApiFault apiFault) {
        DayRange days = DayRange.of(LocalDate.of(2026, 1, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_USAGE,
                ReportKind.ANALYTICS_COST), false, Optional.of(days), Optional.empty());
        simulator.inject(apiFault.fault().after(1).on("/analytics/"));

        IngestionJob.Outcome first = run(config);

        if (apiFault.error() == null) {
            assertThat(first.failure()).isNull();
            assertThat(first.run().retries()).isBetween(1L, (long) apiFault.fault().times());
        } else {
            assertThat(first.run().status()).isEqualTo(RunRecord.Status.PARTIAL);
            assertThat(first.run().error()).contains(apiFault.error());
            assertWarehouseEqualsApi(days, true);
            assertThat(run(config).failure()).isNull();
        }
        assertThat(covered(ReportKind.ANALYTICS_USAGE)).hasSize(days.size());
        assertThat(covered(ReportKind.ANALYTICS_COST)).hasSize(days.size());
        assertWarehouseEqualsApi(days, true);
    }

    record ProxyFault(String name, FaultProxy.Kind kind, String path, int times, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ProxyFault> proxyFaults() {
        return Stream.of(
                new ProxyFault("a Claude Code record repeated in its page", FaultProxy.Kind.REPEAT_RECORD, "claude_code",
                        1, "the same record came twice"),
                new ProxyFault("a usage result repeated in its bucket", FaultProxy.Kind.REPEAT_RECORD,
                        "usage_report/messages", 1, "the same record came twice"),
                new ProxyFault("a cost line repeated in its bucket", FaultProxy.Kind.REPEAT_RECORD, "cost_report", 1,
                        "the same record came twice"),
                new ProxyFault("a Claude Code page repeated under a new cursor", FaultProxy.Kind.REPEAT_PAGE,
                        "claude_code", 1, "the same record came twice"),
                new ProxyFault("an empty Claude Code page whose cursor points at itself", FaultProxy.Kind.SELF_CURSOR,
                        "claude_code", 1, "does not move on"),
                new ProxyFault("an empty usage page whose cursor points at itself", FaultProxy.Kind.SELF_CURSOR,
                        "usage_report/messages", 1, "does not move on"),
                new ProxyFault("retry-after: 120 on every answer", FaultProxy.Kind.RETRY_AFTER, "usage_report",
                        100_000, null),
                new ProxyFault("a body that trickles at 20 bytes a second", FaultProxy.Kind.TRICKLE,
                        "usage_report/messages", 100_000, null),
                new ProxyFault("10^30 output tokens", FaultProxy.Kind.HUGE_COUNT, "usage_report/messages", 1,
                        "fits 64 bits"),
                new ProxyFault("an amount of 1e999999999 cents", FaultProxy.Kind.HUGE_AMOUNT, "cost_report", 1,
                        "outside what an amount can be"));
    }

    /**
     * Through a proxy that rewrites answers as an attacker would, a run is never "succeeded", and leaves each day
     * equal to the API's or not covered at all, with the reason recorded; a clean run then makes every day equal to
     * the API's. Each report fails alone. The faults that would hold a run for ever (a fault without an error to
     * name) meet a 2-second deadline, and the run ends soon after it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("proxyFaults")
    void throughAHostileProxyEveryDayIsTheApisOrAbsentAndReported(ProxyFault fault) throws Exception {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, OLDER, true, Optional.of(days),
                fault.error() == null ? Optional.of(Duration.ofSeconds(2)) : Optional.empty());
        Clock moving = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), TestApi.NOW));
        IngestionJob.Outcome first;
        long started = System.nanoTime();
        try (FaultProxy proxy = new FaultProxy(simulator.baseUrl());
                Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            proxy.strike(fault.kind(), fault.path(), fault.times());
            ApiConfig api = TestApi.apiConfig(proxy.url());
            first = new IngestionJob(new AdminApiClient(api, config.deadlineFrom(moving)), Optional.empty(), warehouse,
                    config, moving, "test", IngestListener.NONE, directory, RunOrigin.MANUAL)
                    .run(config.deadlineFrom(moving));
            assertThat(proxy.struck()).as("the fault struck").isPositive();
        }
        // The deadline, the cancel of what was waiting, and recording the run: well within half a minute.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2 + 30));

        assertThat(first.run().status()).isNotEqualTo(RunRecord.Status.SUCCEEDED);
        if (fault.error() != null) {
            assertThat(first.run().error()).contains(fault.error()).doesNotContain(AdminApiSimulator.DEMO_KEY);
        }
        Map.of("claude_usage", "usage", "claude_costs", "cost", "claude_code_usage", "claude_code",
                "claude_usage_attributed", "analytics_usage", "claude_cost_attributed", "analytics_cost")
                .forEach((table, report) -> assertThat(select("SELECT count(*) FROM " + table + " f WHERE NOT EXISTS"
                        + " (SELECT 1 FROM ingestion_coverage c WHERE c.activity_date = f.activity_date"
                        + " AND c.report = '" + report + "')").get(0).get(0)).as(table).isEqualTo(0L));
        assertWarehouseEqualsApi(days, true);

        assertThat(ingest(Optional.of(days)).failure()).isNull();
        assertWarehouseEqualsApi(days);
    }
}
