package dev.claudedataingestion.ingest;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state of the warehouse at a glance, read from the coverage ledger (not from the fact tables, where a day
 * without usage looks the same as a day never fetched).
 */
public record StatusReport(List<ReportStatus> reports, List<RunRecord> recentRuns, List<TelemetryStatus> telemetry) {

    /**
     * What {@code serve} received for one organization (none: telemetry that named none): events and data points,
     * and when the last of them arrived.
     */
    public record TelemetryStatus(String organizationId, long events, long points, Optional<Instant> lastReceived) {
    }

    /**
     * One report of one organization: the days covered, the rows they hold, the days since the start date that
     * are not covered, those covered but still provisional (fetched while Anthropic could revise them), the days
     * since the start date that the API does not serve, and the last run that included the report.
     */
    public record ReportStatus(String organizationId, ReportKind report, Optional<LocalDate> firstDay,
            Optional<LocalDate> lastDay, int daysCovered, long rows, List<DayRange> missing,
            List<DayRange> provisional, Optional<DayRange> notOffered, Optional<RunRecord> lastRun) {

        public int missingDays() {
            return missing.stream().mapToInt(DayRange::size).sum();
        }

        public int provisionalDays() {
            return provisional.stream().mapToInt(DayRange::size).sum();
        }
    }

    /**
     * Reads the status of {@code only} that organization, or of every one in the ledger; with none yet, each report
     * is shown empty.
     */
    public static StatusReport read(Warehouse warehouse, Optional<String> only, LocalDate startDate, Instant now,
            int runs) {
        // A run whose process has gone is shown abandoned at once, as the next run will record it.
        List<RunRecord> recentRuns = warehouse.recentRuns(Math.max(runs, 50), only).stream()
                .map(run -> AbandonedRuns.isAbandoned(run, now) ? AbandonedRuns.completed(warehouse, run, now) : run)
                .toList();
        List<ReportStatus> reports = new ArrayList<>();
        List<Warehouse.CoverageSummary> coverage = warehouse.coverage();
        Set<String> organizations = new TreeSet<>();
        coverage.stream().map(Warehouse.CoverageSummary::organizationId)
                .filter(organization -> only.isEmpty() || only.get().equals(organization))
                .forEach(organizations::add);
        if (organizations.isEmpty()) {
            organizations.add("");
        }
        for (String organization : organizations) {
            Set<ReportKind> loaded = EnumSet.noneOf(ReportKind.class);
            coverage.stream().filter(s -> s.organizationId().equals(organization))
                    .forEach(s -> loaded.add(s.report()));
            for (ReportKind report : Reports.expected(loaded)) {
                Warehouse.CoverageSummary summary = coverage.stream()
                        .filter(s -> s.organizationId().equals(organization) && s.report() == report)
                        .findFirst()
                        .orElse(new Warehouse.CoverageSummary(organization, report, Set.of(), 0, Set.of()));
                TreeSet<LocalDate> days = new TreeSet<>(summary.days());
                LocalDate lastComplete = Reports.of(report).lastCompleteDay(now);
                // Days the source does not serve (before the Usage and Cost Analytics API's first) are not missing.
                LocalDate offered = Reports.of(report).firstDayOffered(LocalDate.ofInstant(now, ZoneOffset.UTC));
                LocalDate from = startDate.isBefore(offered) ? offered : startDate;
                List<LocalDate> missing = from.isAfter(lastComplete) ? List.of()
                        : DayRange.of(from, lastComplete).days().filter(day -> !days.contains(day)).toList();
                Optional<RunRecord> lastRun = recentRuns.stream()
                        .filter(run -> run.reports() != null && Arrays.asList(run.reports().split(",")).contains(report.id()))
                        .filter(run -> organization.isEmpty() || run.organizationId() == null
                                || run.organizationId().equals(organization))
                        .findFirst();
                reports.add(new ReportStatus(organization.isEmpty() ? null : organization, report,
                        Optional.ofNullable(days.isEmpty() ? null : days.first()),
                        Optional.ofNullable(days.isEmpty() ? null : days.last()), days.size(), summary.rows(),
                        DayRange.contiguousRuns(missing), DayRange.contiguousRuns(summary.provisional()),
                        Optional.ofNullable(startDate.isBefore(offered) ? DayRange.of(startDate,
                                offered.minusDays(1)) : null), lastRun));
            }
        }
        return new StatusReport(reports, recentRuns.subList(0, Math.min(runs, recentRuns.size())),
                telemetry(warehouse, only));
    }

    /** Per organization, what serve received; none from a warehouse written before the telemetry tables were. */
    private static List<TelemetryStatus> telemetry(Warehouse warehouse, Optional<String> only) {
        Map<String, long[]> counts = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
        Map<String, Instant> latest = new HashMap<>();
        try {
            for (Table table : Tables.telemetry()) {
                int column = table == Tables.CLAUDE_CODE_EVENTS ? 0 : 1;
                // SELECT organization_id, COUNT(*) AS n, MAX(received_at) AS latest FROM t GROUP BY organization_id
                warehouse.forEach("SELECT organization_id, COUNT(*) AS n, MAX(received_at) AS latest FROM "
                        + warehouse.dialect().table(table.name()) + " GROUP BY organization_id", Map.of(), row -> {
                            String organization = row.string("organization_id");
                            if (only.isEmpty() || only.get().equals(organization)) {
                                counts.computeIfAbsent(organization, o -> new long[2])[column] = row.int64("n");
                                latest.merge(organization, row.timestamp("latest"),
                                        (a, b) -> a.isAfter(b) ? a : b);
                            }
                        });
            }
        } catch (WarehouseException olderWarehouse) {
            return List.of();
        }
        List<TelemetryStatus> telemetry = new ArrayList<>();
        counts.forEach((organization, n) -> telemetry.add(new TelemetryStatus(organization, n[0], n[1],
                Optional.ofNullable(latest.get(organization)))));
        return telemetry;
    }
}
