package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.money;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.analysis.spend.Spend;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The {@code budget} check: month-to-date spend against the monthly budget, and where a straight line from here ends
 * the month.
 */
final class Budget implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        String organization = c.organization();
        if (c.settings().monthlyBudgetUsd().isEmpty()) {
            return CheckResult.ok("budget", "no monthly budget set (--monthly-budget or CHECK_MONTHLY_BUDGET_USD)");
        }
        BigDecimal budget = c.settings().monthlyBudgetUsd().get();
        TreeSet<LocalDate> costDays = new TreeSet<>(c.days(ReportKind.COST));
        costDays.addAll(c.days(ReportKind.ANALYTICS_COST));
        LocalDate monthStart = Reports.of(ReportKind.COST).lastCompleteDay(c.settings().now()).withDayOfMonth(1);
        if (costDays.isEmpty() || costDays.last().isBefore(monthStart)) {
            return new CheckResult("budget", Status.WARN, "no cost data for " + monthStart.format(
                    java.time.format.DateTimeFormatter.ofPattern("MMMM yyyy", java.util.Locale.ENGLISH)) + " yet"
                    + (costDays.isEmpty() ? "" : " (data through " + costDays.last() + ")")
                    + "; month-to-date spend is unknown, not zero", List.of());
        }
        LocalDate through = costDays.last();
        BigDecimal spent = new Spend(c.warehouse(), organization).total(DayRange.of(monthStart, through));
        BigDecimal forecast = Spend.forecast(spent, through);
        String month = monthStart.format(java.time.format.DateTimeFormatter.ofPattern("MMMM yyyy", java.util.Locale.ENGLISH));
        String message = "$" + money(spent) + " spent in " + month + " through " + through + " of a $"
                + money(budget) + " budget; straight-line forecast $" + money(forecast) + " by month end";
        Status status = spent.compareTo(budget) > 0 ? Status.FAIL
                : forecast.compareTo(budget) > 0 ? Status.WARN : Status.OK;
        return new CheckResult("budget", status, message, List.of());
    }
}
