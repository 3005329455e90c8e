package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.EVIDENCE;
import static dev.claudedataingestion.analysis.checks.CheckContext.plain;
import static dev.claudedataingestion.analysis.checks.CheckContext.ranges;
import static dev.claudedataingestion.analysis.checks.CheckContext.worst;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.ReportKind;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The units check: dollars are cents / 100, amounts and token counts plausible, usage and cost on the same days. */
final class Units implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        Optional<CheckResult> nothing = c.nothingInWindow("units");
        if (nothing.isPresent()) {
            return nothing.get();
        }
        Status status = Status.OK;
        List<String> evidence = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        Map<String, Object> window = c.windowParameters();
        String inWindow = " WHERE organization_id = @organization_id AND activity_date >= @first_day AND ";
        List<String> wrongUnits = c.warehouse().read("SELECT activity_date, description, amount_cents, amount_usd"
                + " FROM claude_costs" + inWindow + "amount_usd * 100 <> amount_cents ORDER BY activity_date", window,
                row -> "claude_costs " + row.date("activity_date") + " " + row.string("description") + ": "
                        + plain(row.decimal("amount_cents")) + " cents but $" + plain(row.decimal("amount_usd")));
        if (!wrongUnits.isEmpty()) {
            status = Status.FAIL;
            problems.add(wrongUnits.size() + " cost rows where amount_usd is not amount_cents / 100");
            wrongUnits.stream().limit(EVIDENCE).forEach(evidence::add);
        }
        long negative = c.count("SELECT COUNT(*) AS n FROM claude_costs" + inWindow + "amount_cents < 0", window);
        if (negative > 0) {
            status = worst(status, Status.WARN);
            problems.add(negative + " cost rows below zero (credits?)");
        }
        // A million dollars for one line of one day, or a trillion tokens in one row, is a unit error, not usage.
        long absurdCost = c.count("SELECT COUNT(*) AS n FROM claude_costs" + inWindow + "amount_cents > 100000000",
                window);
        long absurdTokens = c.count("SELECT COUNT(*) AS n FROM claude_usage" + inWindow + "(uncached_input_tokens"
                + " > 1000000000000 OR output_tokens > 1000000000000)", window);
        if (absurdCost > 0 || absurdTokens > 0) {
            status = Status.FAIL;
            problems.add((absurdCost > 0 ? absurdCost + " cost rows above $1,000,000 " : "")
                    + (absurdTokens > 0 ? absurdTokens + " usage rows with absurd token counts" : "").strip());
        }
        long negativeTokens = c.count("SELECT COUNT(*) AS n FROM claude_usage" + inWindow + "(uncached_input_tokens < 0"
                + " OR cache_creation_5m_input_tokens < 0 OR cache_creation_1h_input_tokens < 0"
                + " OR cache_read_input_tokens < 0 OR output_tokens < 0 OR web_search_requests < 0)", window);
        if (negativeTokens > 0) {
            status = worst(status, Status.WARN);
            problems.add(negativeTokens + " usage rows with a token count below zero (a correction at the source?)");
        }

        // Usage billed at standard or batch prices should have cost rows the same day, and the reverse.
        Set<LocalDate> both = new TreeSet<>(c.days(ReportKind.USAGE));
        both.retainAll(c.days(ReportKind.COST));
        Set<LocalDate> usageDays = new TreeSet<>(c.warehouse().read("SELECT DISTINCT activity_date FROM claude_usage"
                + inWindow + "(service_tier IS NULL OR service_tier NOT LIKE 'priority%')", window,
                row -> row.date("activity_date")));
        Set<LocalDate> costDays = new TreeSet<>(c.warehouse().read("SELECT DISTINCT activity_date FROM claude_costs"
                + inWindow + "cost_type = 'tokens'", window, row -> row.date("activity_date")));
        usageDays.retainAll(both);
        costDays.retainAll(both);
        List<LocalDate> usageWithoutCost = usageDays.stream().filter(day -> !costDays.contains(day)).toList();
        List<LocalDate> costWithoutUsage = costDays.stream().filter(day -> !usageDays.contains(day)).toList();
        if (!usageWithoutCost.isEmpty()) {
            status = worst(status, Status.WARN);
            problems.add("usage without token cost on " + ranges(usageWithoutCost));
        }
        if (!costWithoutUsage.isEmpty()) {
            status = worst(status, Status.WARN);
            problems.add("token cost without usage on " + ranges(costWithoutUsage));
        }
        if (status == Status.OK) {
            return CheckResult.ok("units", "dollars are cents / 100 exactly, amounts and token counts are plausible,"
                    + " usage and cost cover the same days " + c.windowText());
        }
        return new CheckResult("units", status, String.join("; ", problems), evidence);
    }
}
