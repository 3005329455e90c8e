package dev.claudedataingestion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DayRangeTest {

    private static LocalDate day(int month, int day) {
        return LocalDate.of(2026, month, day);
    }

    @Test
    void splitsIntoWindowsOfAtMostTheGivenDays() {
        assertThat(DayRange.of(day(1, 1), day(3, 8)).split(31)).containsExactly(
                DayRange.of(day(1, 1), day(1, 31)), DayRange.of(day(2, 1), day(3, 3)), DayRange.of(day(3, 4), day(3, 8)));
        assertThat(DayRange.single(day(1, 1)).split(31)).containsExactly(DayRange.single(day(1, 1)));
    }

    @Test
    void groupsDaysIntoContiguousRuns() {
        assertThat(DayRange.contiguousRuns(List.of(day(1, 5), day(1, 1), day(1, 2), day(1, 3), day(1, 3), day(2, 1))))
                .containsExactly(DayRange.of(day(1, 1), day(1, 3)), DayRange.single(day(1, 5)), DayRange.single(day(2, 1)));
        assertThat(DayRange.contiguousRuns(List.of())).isEmpty();
    }

    @Test
    void instantsAreUtcMidnights() {
        DayRange range = DayRange.of(day(3, 8), day(3, 9));
        assertThat(range.startInstant()).isEqualTo(Instant.parse("2026-03-08T00:00:00Z"));
        assertThat(range.endInstant()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
        assertThat(range.size()).isEqualTo(2);
        assertThat(range.contains(day(3, 9))).isTrue();
        assertThat(range.contains(day(3, 10))).isFalse();
    }

    @Test
    void refusesARangeThatEndsBeforeItStarts() {
        assertThatThrownBy(() -> DayRange.of(day(3, 9), day(3, 8))).isInstanceOf(IllegalArgumentException.class);
    }
}
