package dev.claudedataingestion.ingest;

import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Revisions;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Warehouse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides which days of a report to fetch, and in which windows. */
public final class Planner {

    private static final Logger log = LoggerFactory.getLogger(Planner.class);

    private Planner() {
    }

    /**
     * The days to fetch: with explicit days, exactly those; otherwise every day since the start date without
     * coverage, the last {@code lookbackDays} complete days, which may have been revised, and once more each
     * provisional day whose figures have become final, so that no day stays provisional for good.
     */
    public static Set<LocalDate> daysToFetch(ReportKind report, String organizationId, IngestConfig config,
            Instant now, Warehouse warehouse) {
        LocalDate lastComplete = Reports.of(report).lastCompleteDay(now);
        LocalDate firstOffered = Reports.of(report).firstDayOffered(LocalDate.ofInstant(now, ZoneOffset.UTC));
        if (config.explicitDays().isPresent()) {
            DayRange explicit = config.explicitDays().get();
            if (explicit.first().isBefore(firstOffered)) {
                log.warn("{}: the API does not serve days before {}; {} is left out", report, firstOffered,
                        DayRange.of(explicit.first(), explicit.last().isBefore(firstOffered) ? explicit.last()
                                : firstOffered.minusDays(1)));
            }
            Set<LocalDate> days = new TreeSet<>(explicit.days().filter(day -> !day.isAfter(lastComplete)
                    && !day.isBefore(firstOffered)).toList());
            if (explicit.days().filter(day -> day.isAfter(lastComplete)).findAny().isPresent()) {
                // Only the Claude Code report lags (by an hour); the command line already refused days beyond that.
                log.warn("{}: {} is not complete yet (data arrives an hour after the day); left for a later run",
                        report, DayRange.of(lastComplete.plusDays(1), explicit.last()));
            }
            return days;
        }
        Set<LocalDate> days = new TreeSet<>();
        LocalDate first = config.startDate().isBefore(firstOffered) ? firstOffered : config.startDate();
        if (first.isAfter(lastComplete)) {
            return days;
        }
        DayRange required = DayRange.of(first, lastComplete);
        Map<LocalDate, Instant> fetched = warehouse.fetchedAt(report, organizationId, required);
        required.days().filter(day -> !fetched.containsKey(day)).forEach(days::add);
        fetched.forEach((day, at) -> {
            if (!Revisions.isFinal(day, at) && !now.isBefore(Revisions.finalFrom(day))) {
                days.add(day);
            }
        });
        for (int i = 0; i < config.lookbackDays(); i++) {
            LocalDate day = lastComplete.minusDays(i);
            if (required.contains(day)) {
                days.add(day);
            }
        }
        return days;
    }

    /**
     * Windows of consecutive days, each at most the report's {@link Report#maxWindowDays()} (one page of buckets:
     * 31 days, or 7 days of hourly buckets), so that a window costs one request per report (the Claude Code report
     * asks one request per day in any case).
     */
    public static List<DayRange> windows(ReportKind report, Set<LocalDate> days) {
        int maxDays = Reports.of(report).maxWindowDays();
        List<DayRange> windows = new ArrayList<>();
        for (DayRange run : DayRange.contiguousRuns(days)) {
            windows.addAll(run.split(maxDays));
        }
        return windows;
    }
}
