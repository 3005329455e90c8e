package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.BETWEEN;
import static dev.claudedataingestion.analysis.checks.CheckContext.money;
import static dev.claudedataingestion.analysis.checks.CheckContext.workspace;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.ReportKind;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code anomaly} check: the latest day's cost of each workspace against its trailing 28-day median and median
 * absolute deviation.
 */
final class Anomaly implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        String organization = c.organization();
        TreeSet<LocalDate> costDays = c.days(ReportKind.COST);
        if (costDays.size() < 8) {
            return CheckResult.ok("anomaly", "not enough cost history yet (" + costDays.size() + " days; 8 needed)");
        }
        LocalDate latest = costDays.last();
        List<LocalDate> history = costDays.headSet(latest, false).descendingSet().stream().limit(28).toList();
        Map<String, Map<LocalDate, BigDecimal>> byWorkspace = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        c.warehouse().forEach("SELECT workspace_id, activity_date, SUM(amount_usd) AS amount_usd FROM claude_costs"
                + BETWEEN + " GROUP BY workspace_id, activity_date", Map.of("organization_id", organization,
                "first_day", history.get(history.size() - 1), "last_day", latest),
                row -> byWorkspace.computeIfAbsent(row.string("workspace_id"), w -> new TreeMap<>())
                        .put(row.date("activity_date"), row.decimal("amount_usd")));
        List<String> evidence = new ArrayList<>();
        byWorkspace.forEach((workspace, costs) -> {
            double today = costs.getOrDefault(latest, BigDecimal.ZERO).doubleValue();
            double[] past = history.stream().mapToDouble(day -> costs.getOrDefault(day, BigDecimal.ZERO).doubleValue())
                    .toArray();
            double median = median(past);
            double[] deviations = java.util.Arrays.stream(past).map(value -> Math.abs(value - median)).toArray();
            double spread = Math.max(1.4826 * median(deviations), 0.01);
            if (today - median > c.settings().anomalySpreads() * spread
                    && today - median > c.settings().anomalyFloorUsd().doubleValue()) {
                evidence.add(workspace(workspace) + " spent $" + money(BigDecimal.valueOf(today)) + " on " + latest
                        + " against a median of $" + money(BigDecimal.valueOf(median)) + " over the "
                        + past.length + " days before");
            }
        });
        if (evidence.isEmpty()) {
            return CheckResult.ok("anomaly", "no workspace's cost on " + latest + " stands out from its last "
                    + history.size() + " days");
        }
        return new CheckResult("anomaly", Status.WARN, evidence.size() + " workspace" + (evidence.size() == 1 ? "" : "s")
                + " spent far above their usual on " + latest, evidence);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
