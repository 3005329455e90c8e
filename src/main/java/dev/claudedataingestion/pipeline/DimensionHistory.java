package dev.claudedataingestion.pipeline;

import dev.claudedataingestion.sink.Table;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Folds a fresh snapshot of a list endpoint into a dimension table's history. Rows are
 * {@code organization_id, id, attributes…, valid_from, valid_to, first_seen_at, last_seen_at}. An object seen with
 * the same attributes only has its {@code last_seen_at} moved on; one whose attributes changed gets a new version
 * from today, and its previous version ends today; one seen for the first time is valid from the beginning, so
 * that old months read with the earliest name known. Objects no longer listed keep their history.
 */
final class DimensionHistory {

    /** The earliest {@code valid_from}: the first version of an object names it in every month before. */
    static final LocalDate BEGINNING = LocalDate.of(1970, 1, 1);

    private DimensionHistory() {
    }

    static List<Object[]> merge(Table table, List<Object[]> stored, List<Object[]> snapshot, Instant now) {
        int attributes = table.columns().size() - 4;
        int validFrom = attributes;
        int validTo = attributes + 1;
        int lastSeen = attributes + 3;
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<Object[]> rows = new ArrayList<>();
        Map<Object, Object[]> current = new HashMap<>();
        java.util.Set<Object> known = new java.util.HashSet<>();
        for (Object[] row : stored) {
            Object[] copy = row.clone();
            rows.add(copy);
            known.add(key(copy));
            if (copy[validTo] == null) {
                current.put(key(copy), copy);
            }
        }
        for (Object[] object : snapshot) {
            Object[] version = current.get(key(object));
            if (version != null && Arrays.equals(Arrays.copyOf(version, attributes), Arrays.copyOf(object, attributes))) {
                version[lastSeen] = now;
                continue;
            }
            if (version != null && today.equals(version[validFrom])) {
                // Changed again on the day it changed: today's version takes the latest attributes.
                System.arraycopy(object, 0, version, 0, attributes);
                version[lastSeen] = now;
                continue;
            }
            if (version != null) {
                version[validTo] = today;
            }
            Object[] added = Arrays.copyOf(object, table.columns().size());
            added[validFrom] = known.contains(key(object)) ? today : BEGINNING;
            added[validTo] = null;
            added[attributes + 2] = now;
            added[lastSeen] = now;
            rows.add(added);
        }
        return rows;
    }

    /** The object's id, which may be null (the default workspace). */
    private static Object key(Object[] row) {
        return Objects.requireNonNullElse(row[1], NULL_ID);
    }

    private static final Object NULL_ID = new Object();
}
