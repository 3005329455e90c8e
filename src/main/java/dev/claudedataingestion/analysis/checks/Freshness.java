package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.worst;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code freshness} check: each report's latest day against its last complete day; a stalled source says when it
 * stopped, never "$0".
 */
final class Freshness implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        Map<ReportKind, TreeSet<LocalDate>> covered = c.covered();
        Status status = Status.OK;
        List<String> findings = new ArrayList<>();
        for (Map.Entry<ReportKind, TreeSet<LocalDate>> entry : covered.entrySet()) {
            LocalDate lastComplete = Reports.of(entry.getKey()).lastCompleteDay(c.settings().now());
            if (entry.getValue().isEmpty()) {
                status = Status.FAIL;
                findings.add(entry.getKey() + ": no data loaded");
                continue;
            }
            LocalDate latest = entry.getValue().last();
            long behind = Math.max(0, ChronoUnit.DAYS.between(latest, lastComplete));
            Status report = behind >= c.settings().staleFailDays() ? Status.FAIL
                    : behind >= c.settings().staleWarnDays() ? Status.WARN : Status.OK;
            status = worst(status, report);
            findings.add(report == Status.OK ? entry.getKey() + " through " + latest
                    : entry.getKey() + ": no data since " + latest + " (" + behind + " days behind " + lastComplete + ")");
        }
        return new CheckResult("freshness", status, String.join("; ", findings), List.of());
    }
}
