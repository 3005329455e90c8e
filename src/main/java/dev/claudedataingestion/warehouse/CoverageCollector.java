package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Revisions;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Gathers {@code ingestion_coverage} rows, as any backend reads them, into one summary per organization and report. */
public final class CoverageCollector {

    private record Key(String organizationId, String report) {
    }

    private final Map<Key, Set<LocalDate>> days = new LinkedHashMap<>();
    private final Map<Key, Long> rows = new LinkedHashMap<>();
    private final Map<Key, Set<LocalDate>> provisional = new LinkedHashMap<>();

    public void add(String organizationId, String report, LocalDate day, long rowCount, Instant fetchedAt) {
        Key key = new Key(organizationId, report);
        days.computeIfAbsent(key, k -> new HashSet<>()).add(day);
        rows.merge(key, rowCount, Long::sum);
        Set<LocalDate> open = provisional.computeIfAbsent(key, k -> new HashSet<>());
        if (!Revisions.isFinal(day, fetchedAt)) {
            open.add(day);
        }
    }

    /** The summaries; reports written by a newer version, which this one cannot describe, are left out. */
    public List<Warehouse.CoverageSummary> summaries() {
        List<Warehouse.CoverageSummary> summaries = new ArrayList<>();
        days.forEach((key, covered) -> {
            try {
                summaries.add(new Warehouse.CoverageSummary(key.organizationId(), ReportKind.fromId(key.report()),
                        covered, rows.get(key), provisional.get(key)));
            } catch (IllegalArgumentException e) {
                // Not a report of this version.
            }
        });
        return summaries;
    }
}
