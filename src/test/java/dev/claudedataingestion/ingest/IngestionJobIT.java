package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.source.AdminApiException;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WriteResult;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The whole pipeline, simulator to DuckDB, over HTTP on loopback. */
class IngestionJobIT extends IngestionFixture {

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
        // day, one for /me, and one page of each list endpoint for the names (workspaces twice: with and without the
        // default workspace).
        assertThat(requestedDays("usage_report/messages")).hasSize(2);
        assertThat(requestedDays("cost_report")).hasSize(2);
        assertThat(requestedDays("analytics/usage")).hasSize(2);
        assertThat(requestedDays("analytics/cost")).hasSize(2);
        assertThat(requestedDays("claude_code")).hasSize(february.size());
        assertThat(simulator.requests()).hasSize(2 + 2 + 2 + 2 + february.size() + 1 + 4);
    }

    /**
     * The next window is fetched while one is written: the listener holds the write of Claude Code's first window
     * until a day of its second has been fetched, which happens only if that fetch runs meanwhile.
     */
    @Test
    void theNextWindowIsFetchedWhileOneIsWritten() {
        DayRange days = DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 2, 9));
        Overlap overlap = new Overlap(ReportKind.CLAUDE_CODE, (planned, report) -> report == ReportKind.CLAUDE_CODE
                && planned.size() > 1 ? planned.get(1) : null);

        IngestionJob.Outcome outcome = run(new IngestConfig(START, 3, EnumSet.of(ReportKind.CLAUDE_CODE), false,
                Optional.of(days), Optional.empty()), overlap);

        assertThat(outcome.failure()).isNull();
        assertThat(overlap.overlapped).containsExactly(true);
        assertThat(outcome.run().daysWritten()).isEqualTo(days.size());
        // Both windows whole: each day's rows as the API has them.
        Map<LocalDate, Long> rows = new TreeMap<>();
        select("SELECT activity_date, count(*) FROM claude_code_usage GROUP BY 1")
                .forEach(row -> rows.put((LocalDate) row.get(0), number(row.get(1))));
        TestApi.claudeCodeTotals(organization, days).forEach((day, expected) ->
                assertThat(rows.getOrDefault(day, 0L)).as("rows of %s", day).isEqualTo(expected.rows()));
    }

    /**
     * The next report's first window is fetched while the last window of the one before is written: the cost
     * report's write waits for a day of Claude Code's (the reports read a day at a time tell of each day fetched).
     */
    @Test
    void theNextReportIsFetchedWhileOneIsWritten() {
        DayRange days = DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 20));
        Overlap overlap = new Overlap(ReportKind.COST, (planned, report) -> report == ReportKind.CLAUDE_CODE
                ? planned.get(0) : null);

        IngestionJob.Outcome outcome = run(new IngestConfig(START, 3, EnumSet.of(ReportKind.COST,
                ReportKind.CLAUDE_CODE), false, Optional.of(days), Optional.empty()), overlap);

        assertThat(outcome.failure()).isNull();
        assertThat(overlap.overlapped).containsExactly(true);
        assertWarehouseEqualsApi(days, true);
        assertThat(covered(ReportKind.COST)).hasSize(days.size());
        assertThat(covered(ReportKind.CLAUDE_CODE)).hasSize(days.size());
    }

    /**
     * Holds the first write of {@code written}'s report until a day of the window {@code awaited} picks from a plan
     * has been fetched, and records whether it was, within 30 seconds.
     */
    private static final class Overlap implements IngestListener {
        private final ReportKind written;
        private final java.util.function.BiFunction<List<DayRange>, ReportKind, DayRange> awaited;
        private final CountDownLatch fetched = new CountDownLatch(1);
        private final List<Boolean> overlapped = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile DayRange window;
        private volatile ReportKind windowOf;

        Overlap(ReportKind written, java.util.function.BiFunction<List<DayRange>, ReportKind, DayRange> awaited) {
            this.written = written;
            this.awaited = awaited;
        }

        @Override
        public void planned(ReportKind report, List<DayRange> planned) {
            DayRange picked = awaited.apply(planned, report);
            if (picked != null) {
                window = picked;
                windowOf = report;
            }
        }

        @Override
        public void fetched(ReportKind report, LocalDate day) {
            if (report == windowOf && window.contains(day)) {
                fetched.countDown();
            }
        }

        @Override
        public void written(WriteResult result) {
            if (result.report() == written && overlapped.isEmpty()) {
                try {
                    overlapped.add(fetched.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
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
        BigDecimal attributedBefore = simulator.analyticsCostServed(revised, AnalyticsGrouping.DEFAULT.dimensions())[0];
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
        assertThat(decimal(restated.get(0).get(2))).isEqualByComparingTo(attributedBefore);
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
                    TestApi.CLOCK, "test", IngestListener.NONE, directory, RunOrigin.MANUAL, AnalysisViews.catalog(config.prices()))
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
                        RunOrigin.MANUAL, AnalysisViews.catalog(config.prices())).run(config.deadlineFrom(TestApi.CLOCK));
                assertThat(outcome.failure()).isNull();
            }
            assertThat(daily(usage.formatted("claude_usage_attributed")))
                    .isEqualTo(daily(usage.formatted("claude_usage")));
            // Each attributed row is served rounded to a millionth of a cent: the sums agree within that per row.
            Map<LocalDate, List<BigDecimal>> older = daily(cost.formatted("claude_costs"));
            Map<LocalDate, List<BigDecimal>> attributed = daily(cost.formatted("claude_cost_attributed"));
            Map<LocalDate, List<BigDecimal>> rows = daily("SELECT activity_date, count(*), 0 FROM claude_cost_attributed"
                    + " GROUP BY 1");
            assertThat(attributed.keySet()).isEqualTo(older.keySet());
            attributed.forEach((day, sums) -> assertThat(sums.get(0).subtract(older.get(day).get(0)).abs())
                    .as("cents of %s", day).isLessThanOrEqualTo(new BigDecimal("0.0000005")
                            .multiply(rows.get(day).get(0))));
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
                AnalyticsGrouping.parse("model"), PriceTable.builtIn());
        assertThat(run(byModel).failure()).isNull();
        List<List<Object>> after = select(totals);
        assertThat(after.subList(0, 2)).isEqualTo(before.subList(0, 2));
        List<Object> regrouped = after.get(2);
        assertThat(regrouped.get(1)).isEqualTo("model,cost_type,token_type");
        assertThat(number(regrouped.get(2))).isLessThan(number(before.get(2).get(2)));
        // Each row is rounded as served: the day's sums are the new grouping's, within that rounding of the old.
        BigDecimal[] served = simulator.analyticsCostServed(days.last(), List.of("model"));
        assertThat(decimal(regrouped.get(3))).isEqualByComparingTo(served[0]);
        assertThat(decimal(regrouped.get(4))).isEqualByComparingTo(served[1]);
        assertThat(decimal(regrouped.get(3)).subtract(decimal(before.get(2).get(3))).abs()).isLessThanOrEqualTo(
                new BigDecimal("0.0000005").multiply(BigDecimal.valueOf(number(before.get(2).get(2))
                        + number(regrouped.get(2)))));
        assertThat(simulator.requests()).filteredOn(r -> r.path().contains("/analytics/cost")).last()
                .satisfies(r -> assertThat(r.query().get("group_by[]")).containsExactly("model", "cost_type",
                        "token_type"));
    }

    /**
     * An interrupt in the organization lookup, before the job was asked to stop (a signal while it was being made),
     * is a stop like any other: recorded interrupted, no failure.
     */
    @Test
    void anInterruptWhileTheOrganizationIsLookedUpIsRecordedInterrupted() throws Exception {
        simulator.inject(Fault.slow(Duration.ofSeconds(30), 1).on("/organizations/me"));
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.USAGE), false, Optional.empty(),
                Optional.empty());
        CompletableFuture<IngestionJob.Outcome> outcome = new CompletableFuture<>();
        Thread runner = new Thread(() -> outcome.complete(run(config)));
        runner.start();
        while (simulator.requests().stream().noneMatch(r -> r.path().endsWith("/organizations/me"))) {
            Thread.sleep(20);
        }
        runner.interrupt();
        IngestionJob.Outcome ended = outcome.get(30, TimeUnit.SECONDS);
        assertThat(ended.failure()).isNull();
        assertThat(ended.run().status()).isEqualTo(RunRecord.Status.INTERRUPTED);
        assertThat(select("SELECT status FROM ingestion_runs")).containsExactly(List.of("interrupted"));
    }

    /**
     * The API's {@code report_page_too_large}: the same page is asked again with half the limit until it fits, and
     * the run loads exactly the API's days; a page too large even at a limit of one is a clear error, no half day.
     */
    @Test
    void pagesTheApiSaysAreTooLargeAreAskedAgainSmallerAndTheDaysAreTheApis() {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 10));
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.CLAUDE_CODE, ReportKind.ANALYTICS_USAGE,
                ReportKind.ANALYTICS_COST), false, Optional.of(days), Optional.empty());
        simulator.capResultsPerResponse(20);
        AdminApiClient client = new AdminApiClient(TestApi.apiConfig(simulator));
        IngestionJob.Outcome outcome;
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            outcome = new IngestionJob(client, Optional.empty(), warehouse, config, TestApi.CLOCK, "test",
                    IngestListener.NONE, directory, RunOrigin.MANUAL, AnalysisViews.catalog(config.prices())).run(config.deadlineFrom(TestApi.CLOCK));
        }

        assertThat(outcome.failure()).isNull();
        assertThat(client.pagesShrunk()).isPositive();
        assertThat(simulator.requests()).filteredOn(r -> r.path().contains("/analytics/"))
                .extracting(r -> Integer.parseInt(r.param("limit"))).contains(1000).anyMatch(limit -> limit < 20);
        for (ReportKind report : config.reports()) {
            assertThat(covered(report)).as(report.id()).hasSize(days.size());
        }
        assertWarehouseEqualsApi(days, true);

        // One cost group is several rows (its cost and token types): more than a page of one can hold.
        simulator.capResultsPerResponse(1);
        IngestionJob.Outcome tooLarge = run(new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_COST), false,
                Optional.of(DayRange.of(LocalDate.of(2026, 2, 11), LocalDate.of(2026, 2, 12))), Optional.empty()));
        assertThat(tooLarge.run().status()).isEqualTo(RunRecord.Status.FAILED);
        assertThat(tooLarge.run().error()).contains("report_page_too_large").contains("even one");
        assertThat(covered(ReportKind.ANALYTICS_COST)).hasSize(days.size());
        assertEveryRowCovered();
    }

    /**
     * The API's {@code too_many_report_groups}: grouped by a dimension ANALYTICS_GROUP_BY marks optional, the window
     * is asked again without it and its rows say so; without one, the window is left out with the API's message,
     * which names the endpoint to use, and the days keep what they held.
     */
    @Test
    void aDayWithMoreGroupsThanTheApiReturnsIsAskedAgainWithoutAnOptionalDimensionOrLeftOut() {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 3));
        IngestConfig byModel = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_USAGE), false,
                Optional.of(days), Optional.empty(), IngestConfig.DEFAULT_SPOOL_LIMIT, AnalyticsGrouping.parse("model"),
                PriceTable.builtIn());
        assertThat(run(byModel).failure()).isNull();
        long models = number(select("SELECT max(n) FROM (SELECT count(*) AS n FROM claude_usage_attributed"
                + " GROUP BY activity_date) t").get(0).get(0));
        String totals = "SELECT activity_date, grouped_by, sum(output_tokens) FROM claude_usage_attributed"
                + " GROUP BY 1, 2 ORDER BY 1, 2";
        List<List<Object>> before = select(totals);
        simulator.capGroupsPerDay((int) models);

        IngestConfig optional = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_USAGE), false,
                Optional.of(days), Optional.empty(), IngestConfig.DEFAULT_SPOOL_LIMIT,
                AnalyticsGrouping.parse("model,workspace_id?"), PriceTable.builtIn());
        assertThat(run(optional).failure()).isNull();
        assertThat(simulator.requests()).filteredOn(r -> r.path().contains("/analytics/usage"))
                .extracting(r -> r.query().get("group_by[]")).contains(List.of("model", "workspace_id"));
        assertThat(select(totals)).isEqualTo(before);

        IngestConfig required = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_USAGE), false,
                Optional.of(days), Optional.empty(), IngestConfig.DEFAULT_SPOOL_LIMIT,
                AnalyticsGrouping.parse("model,workspace_id"), PriceTable.builtIn());
        IngestionJob.Outcome refused = run(required);
        assertThat(refused.run().status()).isEqualTo(RunRecord.Status.FAILED);
        assertThat(refused.run().error()).contains("too_many_report_groups")
                .contains("/v1/organizations/usage_report/messages");
        assertThat(select(totals)).isEqualTo(before);
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


    @Test
    void aSpoolFolderThatCannotBeWrittenFailsTheRunAsALocalDiskErrorAndWritesNothing() {
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.COST), false, Optional.empty(),
                Optional.empty());
        IngestionJob.Outcome outcome;
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            outcome = new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)), Optional.empty(), warehouse,
                    config, TestApi.CLOCK, "test", IngestListener.NONE, directory.resolve("gone"), RunOrigin.MANUAL, AnalysisViews.catalog(config.prices()))
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
}
