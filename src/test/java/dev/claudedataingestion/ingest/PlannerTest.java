package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {

    @Test
    void theLastCompleteDayIsYesterdayInUtcWhateverTheLocalZone() {
        // 23:30 on 2026-03-08 in Los Angeles, the tests' zone: the UTC day is already the 9th.
        Instant now = Instant.parse("2026-03-09T06:30:00Z");
        assertThat(Reports.of(ReportKind.USAGE).lastCompleteDay(now)).isEqualTo(LocalDate.of(2026, 3, 8));
        assertThat(Reports.of(ReportKind.COST).lastCompleteDay(now)).isEqualTo(LocalDate.of(2026, 3, 8));
        assertThat(Reports.of(ReportKind.CLAUDE_CODE).lastCompleteDay(now)).isEqualTo(LocalDate.of(2026, 3, 8));
    }

    @Test
    void claudeCodeNeedsAnExtraHour() {
        assertThat(Reports.of(ReportKind.CLAUDE_CODE).lastCompleteDay(Instant.parse("2026-03-09T00:59:59Z")))
                .isEqualTo(LocalDate.of(2026, 3, 7));
        assertThat(Reports.of(ReportKind.CLAUDE_CODE).lastCompleteDay(Instant.parse("2026-03-09T01:00:00Z")))
                .isEqualTo(LocalDate.of(2026, 3, 8));
    }

    @Test
    void theAnalyticsReportsAreNeverAskedForDaysTheApiDoesNotServe() {
        IngestConfig asked = new IngestConfig(LocalDate.of(2025, 1, 1), 3, EnumSet.of(ReportKind.ANALYTICS_USAGE),
                false, Optional.of(DayRange.of(LocalDate.of(2025, 12, 30), LocalDate.of(2026, 1, 2))),
                Optional.empty());
        assertThat(Planner.daysToFetch(ReportKind.ANALYTICS_USAGE, "org", asked, Instant.parse("2026-03-09T06:30:00Z"),
                null)).containsExactly(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 2));
        // A year and a half later, only the last 365 days.
        IngestConfig later = new IngestConfig(LocalDate.of(2025, 1, 1), 3, EnumSet.of(ReportKind.ANALYTICS_COST),
                false, Optional.of(DayRange.of(LocalDate.of(2026, 5, 30), LocalDate.of(2026, 6, 3))), Optional.empty());
        assertThat(Planner.daysToFetch(ReportKind.ANALYTICS_COST, "org", later, Instant.parse("2027-06-01T06:30:00Z"),
                null)).containsExactly(LocalDate.of(2026, 6, 2), LocalDate.of(2026, 6, 3));
        // The legacy reports have no such limit.
        assertThat(Planner.daysToFetch(ReportKind.USAGE, "org", asked, Instant.parse("2026-03-09T06:30:00Z"), null))
                .hasSize(4);
    }

    @Test
    void aDayFetchedWhileProvisionalIsFetchedOnceMoreWhenItsFiguresAreFinal(@TempDir Path directory) {
        IngestConfig config = new IngestConfig(LocalDate.of(2026, 1, 1), 3, EnumSet.of(ReportKind.COST), false,
                Optional.empty(), Optional.empty());
        try (Warehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), false)) {
            warehouse.ensureSchema(AnalysisViews.catalog());
            // Everything through 2026-03-08 was fetched on 2026-02-10: from 2026-01-11 on, days were provisional.
            warehouse.replaceDays(ReportKind.COST, "org", DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 3, 8)),
                    sink -> { }, "run", Instant.parse("2026-02-10T06:00:00Z"), List.of());

            Set<LocalDate> days = Planner.daysToFetch(ReportKind.COST, "org", config,
                    Instant.parse("2026-03-09T06:30:00Z"), warehouse);

            // Those final by now (through 2026-02-06), and the three days of lookback.
            Set<LocalDate> expected = new java.util.TreeSet<>(DayRange.of(LocalDate.of(2026, 1, 11),
                    LocalDate.of(2026, 2, 6)).days().toList());
            expected.addAll(DayRange.of(LocalDate.of(2026, 3, 6), LocalDate.of(2026, 3, 8)).days().toList());
            assertThat(days).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void windowsAreContiguousRunsOfAtMostOnePage() {
        Set<LocalDate> days = new java.util.TreeSet<>(DayRange.of(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 2, 5))
                .days().toList());
        days.add(LocalDate.of(2025, 3, 1));
        assertThat(Planner.windows(ReportKind.USAGE, days)).containsExactly(
                DayRange.of(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 1, 31)),
                DayRange.of(LocalDate.of(2025, 2, 1), LocalDate.of(2025, 2, 5)),
                DayRange.single(LocalDate.of(2025, 3, 1)));
    }
}
