package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.EVIDENCE;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code duplicates} check: no two rows of a fact table share its key, in the window of days checked. */
final class Duplicates implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        Optional<CheckResult> nothing = c.nothingInWindow("duplicates");
        if (nothing.isPresent()) {
            return nothing.get();
        }
        List<String> evidence = new ArrayList<>();
        long groups = 0;
        for (ReportKind kind : ReportKind.values()) {
            Report report = Reports.of(kind);
            for (Table table : report.tables()) {
                String key = String.join(", ", table.key());
                List<String> identity = table.key().subList(1, table.key().size());
                // Rows the API gives a key of their own only in name (identities it cannot name) may share one.
                String repeatable = table.equals(report.tables().get(0))
                        ? report.repeatable().map(where -> " AND NOT (" + where + ")").orElse("") : "";
                // SELECT <key>, COUNT(*) AS copies FROM t WHERE organization_id = @… AND activity_date >= @… GROUP BY <key> HAVING COUNT(*) > 1
                List<String> found = c.warehouse().read("SELECT " + key + ", COUNT(*) AS copies FROM " + table.name()
                        + " WHERE organization_id = @organization_id AND activity_date >= @first_day" + repeatable
                        + " GROUP BY " + key + " HAVING COUNT(*) > 1", c.windowParameters(), row -> table.name() + " "
                        + identity.stream().map(row::get).toList() + " appears " + row.int64("copies") + " times");
                groups += found.size();
                found.stream().limit(Math.max(0, EVIDENCE - evidence.size())).forEach(evidence::add);
            }
        }
        if (groups == 0) {
            return CheckResult.ok("duplicates", "no key appears twice in the fact tables " + c.windowText());
        }
        return new CheckResult("duplicates", Status.FAIL, groups + " keys appear more than once " + c.windowText()
                + "; rows are counted twice", evidence);
    }
}
