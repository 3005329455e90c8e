package dev.claudedataingestion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {

    @Test
    void theLastCompleteDayIsYesterdayInUtcWhateverTheLocalZone() {
        // 23:30 on 2026-03-08 in Los Angeles, the tests' zone: the UTC day is already the 9th.
        Instant now = Instant.parse("2026-03-09T06:30:00Z");
        assertThat(Planner.lastCompleteDay(ReportKind.USAGE, now)).isEqualTo(LocalDate.of(2026, 3, 8));
        assertThat(Planner.lastCompleteDay(ReportKind.COST, now)).isEqualTo(LocalDate.of(2026, 3, 8));
        assertThat(Planner.lastCompleteDay(ReportKind.CLAUDE_CODE, now)).isEqualTo(LocalDate.of(2026, 3, 8));
    }

    @Test
    void claudeCodeNeedsAnExtraHour() {
        assertThat(Planner.lastCompleteDay(ReportKind.CLAUDE_CODE, Instant.parse("2026-03-09T00:59:59Z")))
                .isEqualTo(LocalDate.of(2026, 3, 7));
        assertThat(Planner.lastCompleteDay(ReportKind.CLAUDE_CODE, Instant.parse("2026-03-09T01:00:00Z")))
                .isEqualTo(LocalDate.of(2026, 3, 8));
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
