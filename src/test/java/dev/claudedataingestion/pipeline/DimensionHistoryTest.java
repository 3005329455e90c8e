package dev.claudedataingestion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.sink.Tables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DimensionHistoryTest {

    private static final Instant MONDAY = Instant.parse("2026-03-02T14:00:00Z");
    private static final Instant TUESDAY = Instant.parse("2026-03-03T14:00:00Z");

    private static Object[] workspace(String id, String name) {
        return new Object[] {"org", id, name, null, null, null};
    }

    @Test
    void aNewObjectIsValidFromTheBeginningAndAnUnchangedOneIsOnlySeenAgain() {
        List<Object[]> first = DimensionHistory.merge(Tables.WORKSPACES, List.of(),
                List.<Object[]>of(workspace("w1", "Research"), workspace(null, "Default workspace")), MONDAY);
        assertThat(first).hasSize(2);
        assertThat(first.get(0)[6]).isEqualTo(DimensionHistory.BEGINNING);
        assertThat(first.get(0)[7]).isNull();

        List<Object[]> second = DimensionHistory.merge(Tables.WORKSPACES, first,
                List.<Object[]>of(workspace("w1", "Research"), workspace(null, "Default workspace")), TUESDAY);
        assertThat(second).hasSize(2);
        assertThat(second.get(0)[8]).isEqualTo(MONDAY);
        assertThat(second.get(0)[9]).isEqualTo(TUESDAY);
    }

    @Test
    void aRenameEndsTheOldVersionTodayAndStartsANewOne() {
        List<Object[]> first = DimensionHistory.merge(Tables.WORKSPACES, List.of(), List.<Object[]>of(workspace("w1", "Research")),
                MONDAY);
        List<Object[]> renamed = DimensionHistory.merge(Tables.WORKSPACES, first, List.<Object[]>of(workspace("w1", "R&D")),
                TUESDAY);
        assertThat(renamed).hasSize(2);
        assertThat(renamed.get(0)).containsExactly("org", "w1", "Research", null, null, null,
                DimensionHistory.BEGINNING, LocalDate.of(2026, 3, 3), MONDAY, MONDAY);
        assertThat(renamed.get(1)).containsExactly("org", "w1", "R&D", null, null, null, LocalDate.of(2026, 3, 3), null,
                TUESDAY, TUESDAY);

        // Renamed again the same day: today's version takes the new name, no third version.
        List<Object[]> again = DimensionHistory.merge(Tables.WORKSPACES, renamed, List.<Object[]>of(workspace("w1", "R and D")),
                TUESDAY.plusSeconds(60));
        assertThat(again).hasSize(2);
        assertThat(again.get(1)[2]).isEqualTo("R and D");
    }

    @Test
    void anObjectNoLongerListedKeepsItsHistory() {
        List<Object[]> first = DimensionHistory.merge(Tables.WORKSPACES, List.of(),
                List.<Object[]>of(workspace("w1", "Research"), workspace("w2", "Sales")), MONDAY);
        List<Object[]> later = DimensionHistory.merge(Tables.WORKSPACES, first, List.<Object[]>of(workspace("w1", "Research")),
                TUESDAY);
        assertThat(later).hasSize(2);
        assertThat(later.get(1)[2]).isEqualTo("Sales");
        assertThat(later.get(1)[9]).isEqualTo(MONDAY);
    }
}
