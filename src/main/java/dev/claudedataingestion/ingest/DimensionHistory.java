package dev.claudedataingestion.ingest;

import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Folds a fresh snapshot of a list endpoint into a dimension table's history. A table's rows are an object's
 * attributes ({@code organization_id}, its id, …) and {@code valid_from, valid_to, first_seen_at, last_seen_at}. An
 * object seen with the same attributes only has its {@code last_seen_at} moved on; one whose attributes changed gets
 * a new version from today, and its previous version ends today; one seen for the first time is valid from the
 * beginning, so that old months read with the earliest name known. Objects no longer listed keep their history.
 */
final class DimensionHistory {

    /** The earliest {@code valid_from}: the first version of an object names it in every month before. */
    static final LocalDate BEGINNING = LocalDate.of(1970, 1, 1);
    private static final List<String> HISTORY = List.of("valid_from", "valid_to", "first_seen_at", "last_seen_at");
    private static final Object NULL_ID = new Object();

    private DimensionHistory() {
    }

    /** The history after {@code snapshot}, whose rows hold the attributes only. */
    static List<Row> merge(Table table, List<Row> stored, List<Row> snapshot, Instant now) {
        List<String> attributes = table.columnNames().stream().filter(c -> !HISTORY.contains(c)).toList();
        // The key is the organization, the object's id and valid_from; the organization's own, the organization and
        // valid_from.
        String id = table.key().get(table.key().size() - 2);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<Row> rows = new ArrayList<>();
        Map<Object, Row> current = new HashMap<>();
        Set<Object> known = new HashSet<>();
        for (Row row : stored) {
            Row copy = row.copy();
            rows.add(copy);
            known.add(idOf(copy, id));
            if (copy.get("valid_to") == null) {
                current.put(idOf(copy, id), copy);
            }
        }
        for (Row object : snapshot) {
            Row version = current.get(idOf(object, id));
            if (version != null && attributes.stream().allMatch(c -> Objects.equals(version.get(c), object.get(c)))) {
                version.set("last_seen_at", now);
                continue;
            }
            if (version != null && today.equals(version.get("valid_from"))) {
                // Changed again on the day it changed: today's version takes the latest attributes.
                attributes.forEach(c -> version.set(c, object.get(c)));
                version.set("last_seen_at", now);
                continue;
            }
            if (version != null) {
                version.set("valid_to", today);
            }
            rows.add(object.copy()
                    .set("valid_from", known.contains(idOf(object, id)) ? today : BEGINNING)
                    .set("valid_to", null)
                    .set("first_seen_at", now)
                    .set("last_seen_at", now));
        }
        return rows;
    }

    /** The object's id, which may be null (the default workspace). */
    private static Object idOf(Row row, String id) {
        return Objects.requireNonNullElse(row.get(id), NULL_ID);
    }
}
