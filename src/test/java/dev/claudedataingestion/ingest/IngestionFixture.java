package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline, simulator to DuckDB, over HTTP on loopback: what {@link IngestionJobIT} and
 * {@link IngestionFaultsIT} share (two classes, so that their JVMs run them side by side).
 */
abstract class IngestionFixture {

    static final LocalDate START = LocalDate.of(2026, 1, 1);
    /** Before it the organization had no usage: early days are covered with zero rows. */
    static final LocalDate FIRST_ACTIVE = LocalDate.of(2026, 1, 10);
    /** The reports the fault matrices run: the analytics reports have theirs. */
    static final Set<ReportKind> OLDER = EnumSet.of(ReportKind.USAGE, ReportKind.COST, ReportKind.CLAUDE_CODE);

    @TempDir
    Path directory;

    final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            FIRST_ACTIVE);
    final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    Path file() {
        return directory.resolve("warehouse.duckdb");
    }

    IngestionJob.Outcome ingest(Optional<DayRange> days, Optional<Duration> deadline, Clock clock,
            Optional<String> expectedOrganization) {
        IngestConfig config = new IngestConfig(START, 3, Reports.defaults(), true, days, deadline);
        ApiConfig api = TestApi.apiConfig(simulator);
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            return new IngestionJob(new AdminApiClient(api), expectedOrganization, warehouse, config, clock, "test",
                    IngestListener.NONE, directory, RunOrigin.MANUAL, AnalysisViews.catalog(config.prices())).run(config.deadlineFrom(clock));
        }
    }

    IngestionJob.Outcome ingest(Optional<DayRange> days) {
        return ingest(days, Optional.empty(), TestApi.CLOCK, Optional.empty());
    }

    /** Set while {@link #reading} runs: the one read-only opening of the file its reads share. */
    private Warehouse reading;

    /** Runs {@code reads} on one opening of the warehouse, where each would otherwise open it (tens of ms each). */
    void reading(Runnable reads) {
        if (reading != null) {
            reads.run();
            return;
        }
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), true)) {
            reading = warehouse;
            reads.run();
        } finally {
            reading = null;
        }
    }

    List<List<Object>> select(String sql) {
        if (reading != null) {
            return Rows.select(reading, sql);
        }
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), true)) {
            return Rows.select(warehouse, sql);
        }
    }

    Map<LocalDate, List<Object>> perDay(String sql) {
        Map<LocalDate, List<Object>> days = new TreeMap<>();
        for (List<Object> row : select(sql)) {
            days.put((LocalDate) row.get(0), row);
        }
        return days;
    }

    static long number(Object value) {
        return ((Number) value).longValue();
    }

    static BigDecimal decimal(Object value) {
        return (BigDecimal) value;
    }

    /** Every measure of every report, per day, equals the API's own totals; amount_usd is cents / 100 exactly. */
    void assertWarehouseEqualsApi(DayRange days) {
        assertWarehouseEqualsApi(days, false);
    }

    /** The same, for the days each report covers only when {@code coveredOnly}: the others must hold no rows. */
    void assertWarehouseEqualsApi(DayRange days, boolean coveredOnly) {
        reading(() -> compareWithApi(days, coveredOnly));
    }

    /** No fact row of any report without its day's coverage: nothing half-written. */
    void assertEveryRowCovered() {
        reading(() -> Map.of("claude_usage", "usage", "claude_costs", "cost", "claude_code_usage", "claude_code",
                "claude_usage_attributed", "analytics_usage", "claude_cost_attributed", "analytics_cost")
                .forEach((table, report) -> assertThat(select("SELECT count(*) FROM " + table + " f WHERE NOT EXISTS"
                        + " (SELECT 1 FROM ingestion_coverage c WHERE c.activity_date = f.activity_date"
                        + " AND c.report = '" + report + "')").get(0).get(0)).as(table).isEqualTo(0L)));
    }

    private void compareWithApi(DayRange days, boolean coveredOnly) {
        Map<ReportKind, Set<LocalDate>> covered = new java.util.EnumMap<>(ReportKind.class);
        for (ReportKind report : Reports.defaults()) {
            Set<LocalDate> ledger = covered(report);
            // The analytics reports are held to every day only where a run loaded them.
            covered.put(report, coveredOnly || Reports.of(report).isAnalytics() && ledger.isEmpty() ? ledger
                    : Set.copyOf(days.days().filter(day -> !Reports.of(report).isAnalytics()
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
            // Each row is served rounded: the day's sum is what was served, not the cost report's exact lines.
            BigDecimal[] served = simulator.analyticsCostServed(day, AnalyticsGrouping.DEFAULT.dimensions());
            BigDecimal list = served[1];
            assertThat(decimal(actual.get(1))).as("billed cents of %s", day).isEqualByComparingTo(served[0]);
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

    Set<LocalDate> covered(ReportKind report) {
        DayRange all = DayRange.of(START.minusYears(1), TestApi.YESTERDAY);
        if (reading != null) {
            return reading.coveredDays(report, organization.id(), all);
        }
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), true)) {
            return warehouse.coveredDays(report, organization.id(), all);
        }
    }

    /** The days each report request asked for, per report path. */
    List<String> requestedDays(String pathPart) {
        return simulator.requests().stream().filter(r -> r.path().contains(pathPart))
                .map(r -> r.param("starting_at") + (r.param("ending_at") == null ? "" : ".." + r.param("ending_at")))
                .toList();
    }

    IngestionJob.Outcome run(IngestConfig config) {
        return run(config, IngestListener.NONE);
    }

    IngestionJob.Outcome run(IngestConfig config, IngestListener listener) {
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            return new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator)), Optional.empty(), warehouse,
                    config, TestApi.CLOCK, "test", listener, directory, RunOrigin.MANUAL, AnalysisViews.catalog(config.prices()))
                    .run(config.deadlineFrom(TestApi.CLOCK));
        }
    }
}
