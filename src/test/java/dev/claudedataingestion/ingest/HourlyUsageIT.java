package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --bucket-width 1h}: the usage report in hourly buckets, into its own table, replaced by day. */
class HourlyUsageIT {

    private static final DayRange DAYS = DayRange.of(LocalDate.of(2026, 2, 27), LocalDate.of(2026, 3, 8));

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    private int run(String... args) {
        Map<String, String> environment = TestApi.simulatorEnvironment(simulator, DAYS.first().toString(), "duckdb:" + directory.resolve("w.duckdb"));
        return TestApi.run(environment, TestApi.CLOCK, args).code();
    }

    private List<List<Object>> select(String sql) {
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            return Rows.select(warehouse, sql);
        }
    }

    @Test
    void hourlyBucketsAddUpToTheApisDailyTotalsInTheirOwnTable() {
        assertThat(run("ingest", "--bucket-width", "1h", "--reports", "usage", "--from", DAYS.first().toString(),
                "--to", DAYS.last().toString())).isZero();

        var expected = TestApi.usageTotals(organization, DAYS);
        List<List<Object>> perDay = select("SELECT activity_date, sum(uncached_input_tokens), sum(output_tokens),"
                + " sum(cache_read_input_tokens), count(DISTINCT bucket_start), min(bucket_width), max(bucket_width)"
                + " FROM claude_usage_hourly GROUP BY 1 ORDER BY 1");
        assertThat(perDay).hasSize(DAYS.size());
        for (List<Object> row : perDay) {
            var day = expected.get((LocalDate) row.get(0));
            assertThat(((Number) row.get(1)).longValue()).isEqualTo(day.measures()[0]);
            assertThat(((Number) row.get(2)).longValue()).isEqualTo(day.measures()[4]);
            assertThat(((Number) row.get(3)).longValue()).isEqualTo(day.measures()[3]);
            assertThat(((Number) row.get(4)).longValue()).isBetween(2L, 24L);
            assertThat(row.subList(5, 7)).containsOnly("1h");
        }
        assertThat(select("SELECT count(*) FROM claude_usage").get(0).get(0)).isEqualTo(0L);
        assertThat(select("SELECT count(*) FROM ingestion_coverage WHERE report = 'usage_hourly'").get(0).get(0))
                .isEqualTo((long) DAYS.size());
        // Ten days: two pages of at most 168 hourly buckets.
        assertThat(simulator.requests().stream().filter(r -> r.path().endsWith("/messages")).map(r -> r.param("limit")))
                .containsExactly("168", "72");
    }

    @Test
    void theSameDaysTwiceKeepOneCopyAndStatusShowsTheHourlyReport() {
        assertThat(run("ingest", "--bucket-width", "1h", "--reports", "usage")).isZero();
        long rows = ((Number) select("SELECT count(*) FROM claude_usage_hourly").get(0).get(0)).longValue();
        assertThat(run("ingest", "--bucket-width", "1h", "--reports", "usage", "--from", "2026-03-01", "--to",
                "2026-03-08")).isZero();
        assertThat(select("SELECT count(*) FROM claude_usage_hourly").get(0).get(0)).isEqualTo(rows);

        Map<String, String> environment = Map.of("INGEST_START_DATE", DAYS.first().toString(),
                "WAREHOUSE", "duckdb:" + directory.resolve("w.duckdb"));
        TestApi.Ran status = TestApi.run(environment, TestApi.CLOCK, "status");
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("usage_hourly    2026-02-27 to 2026-03-08, 10 days");
        assertThat(Planner.windows(ReportKind.USAGE_HOURLY, new java.util.TreeSet<>(DAYS.days().toList())))
                .containsExactly(DayRange.of(DAYS.first(), DAYS.first().plusDays(6)),
                        DayRange.of(DAYS.first().plusDays(7), DAYS.last()));
    }
}
