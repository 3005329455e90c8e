package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.warehouse.Tables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DimensionHistoryTest {

    private static final Instant MONDAY = Instant.parse("2026-03-02T14:00:00Z");
    private static final Instant TUESDAY = Instant.parse("2026-03-03T14:00:00Z");

    private static Row workspace(String id, String name) {
        return new Row(Tables.WORKSPACES).set("organization_id", "org").set("workspace_id", id).set("name", name);
    }

    @Test
    void aNewObjectIsValidFromTheBeginningAndAnUnchangedOneIsOnlySeenAgain() {
        List<Row> first = DimensionHistory.merge(Tables.WORKSPACES, List.of(),
                List.of(workspace("w1", "Research"), workspace(null, "Default workspace")), MONDAY);
        assertThat(first).hasSize(2);
        assertThat(first.get(0).get("valid_from")).isEqualTo(DimensionHistory.BEGINNING);
        assertThat(first.get(0).get("valid_to")).isNull();

        List<Row> second = DimensionHistory.merge(Tables.WORKSPACES, first,
                List.of(workspace("w1", "Research"), workspace(null, "Default workspace")), TUESDAY);
        assertThat(second).hasSize(2);
        assertThat(second.get(0).get("first_seen_at")).isEqualTo(MONDAY);
        assertThat(second.get(0).get("last_seen_at")).isEqualTo(TUESDAY);
    }

    @Test
    void aRenameEndsTheOldVersionTodayAndStartsANewOne() {
        List<Row> first = DimensionHistory.merge(Tables.WORKSPACES, List.of(), List.of(workspace("w1", "Research")),
                MONDAY);
        List<Row> renamed = DimensionHistory.merge(Tables.WORKSPACES, first, List.of(workspace("w1", "R&D")),
                TUESDAY);
        assertThat(renamed).containsExactly(
                workspace("w1", "Research").set("valid_from", DimensionHistory.BEGINNING)
                        .set("valid_to", LocalDate.of(2026, 3, 3)).set("first_seen_at", MONDAY)
                        .set("last_seen_at", MONDAY),
                workspace("w1", "R&D").set("valid_from", LocalDate.of(2026, 3, 3)).set("first_seen_at", TUESDAY)
                        .set("last_seen_at", TUESDAY));

        // Renamed again the same day: today's version takes the new name, no third version.
        List<Row> again = DimensionHistory.merge(Tables.WORKSPACES, renamed, List.of(workspace("w1", "R and D")),
                TUESDAY.plusSeconds(60));
        assertThat(again).hasSize(2);
        assertThat(again.get(1).get("name")).isEqualTo("R and D");
    }

    @Test
    void anObjectNoLongerListedKeepsItsHistory() {
        List<Row> first = DimensionHistory.merge(Tables.WORKSPACES, List.of(),
                List.of(workspace("w1", "Research"), workspace("w2", "Sales")), MONDAY);
        List<Row> later = DimensionHistory.merge(Tables.WORKSPACES, first, List.of(workspace("w1", "Research")),
                TUESDAY);
        assertThat(later).hasSize(2);
        assertThat(later.get(1).get("name")).isEqualTo("Sales");
        assertThat(later.get(1).get("last_seen_at")).isEqualTo(MONDAY);
    }
}
