package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.EVIDENCE;
import static dev.claudedataingestion.analysis.checks.CheckContext.ranges;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The {@code gaps} check: days since the start date, up to the latest loaded day, that were never loaded; a day
 * without usage is not one.
 */
final class Gaps implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        Map<ReportKind, TreeSet<LocalDate>> covered = c.covered();
        List<String> evidence = new ArrayList<>();
        int missingDays = 0;
        for (Map.Entry<ReportKind, TreeSet<LocalDate>> entry : covered.entrySet()) {
            LocalDate offered = Reports.of(entry.getKey()).firstDayOffered(LocalDate.ofInstant(c.settings().now(),
                    java.time.ZoneOffset.UTC));
            LocalDate from = c.settings().startDate().isBefore(offered) ? offered : c.settings().startDate();
            if (entry.getValue().isEmpty() || entry.getValue().last().isBefore(from)) {
                continue;
            }
            List<LocalDate> missing = DayRange.of(from, entry.getValue().last()).days()
                    .filter(day -> !entry.getValue().contains(day)).toList();
            if (!missing.isEmpty()) {
                missingDays += missing.size();
                List<DayRange> ranges = DayRange.contiguousRuns(missing);
                evidence.add(entry.getKey() + ": " + missing.size() + " day" + (missing.size() == 1 ? "" : "s")
                        + " never loaded: " + ranges.stream().limit(EVIDENCE).map(DayRange::toString)
                        .collect(Collectors.joining(", ")) + (ranges.size() > EVIDENCE ? ", …" : ""));
            }
        }
        if (missingDays == 0) {
            return CheckResult.ok("gaps", "no day missing since " + c.settings().startDate());
        }
        // The per-report ranges are the evidence; the message only counts them, so that nothing is said twice.
        return new CheckResult("gaps", Status.FAIL, missingDays + " day" + (missingDays == 1 ? "" : "s")
                + " never loaded since " + c.settings().startDate() + "; 'claude-ingest ingest' heals them", evidence);
    }
}
