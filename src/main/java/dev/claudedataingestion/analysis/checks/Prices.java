package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.BETWEEN;
import static dev.claudedataingestion.analysis.checks.CheckContext.money;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.ReportKind;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code prices} check: the price catalog against the prices Anthropic applied. Per model, over the recent days
 * both the usage report and the analytics cost are loaded, usage × the catalog's prices (with batch, the long
 * context window and US-only inference as the usage report gives them) against the analytics cost's list amount for
 * tokens. A model listed at another price is named, with the ratio and the first day it was seen; the fix is
 * {@code --prices}.
 * <pre>
 * SELECT activity_date, model, service_tier, context_window, inference_geo, SUM(…tokens…) FROM claude_usage …
 * SELECT activity_date, model, SUM(list_amount_usd) FROM claude_cost_attributed WHERE cost_type = 'tokens' …
 * </pre>
 */
final class Prices implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        String organization = c.organization();
        TreeSet<LocalDate> both = new TreeSet<>(c.days(ReportKind.USAGE));
        both.retainAll(c.days(ReportKind.ANALYTICS_COST));
        String version = " (prices " + c.settings().prices().version() + ")";
        if (both.isEmpty()) {
            return CheckResult.ok("prices", "nothing to compare: the usage report and analytics_cost share no loaded"
                    + " day" + version);
        }
        LocalDate last = both.last();
        LocalDate first = last.minusDays(c.settings().recentDays() - 1L);
        both.removeIf(day -> day.isBefore(first));
        Map<String, Object> days = Map.of("organization_id", organization, "first_day", first, "last_day", last);
        record DayModel(LocalDate day, String model) {
        }
        Map<DayModel, PriceTable.Estimate> estimated = new TreeMap<>(Comparator.comparing(DayModel::model)
                .thenComparing(DayModel::day));
        PricedUsage usage = PricedUsage.read(c, days, both);
        usage.estimated().forEach((group, estimate) -> estimated.merge(new DayModel(group.day(), group.model()),
                estimate, PriceTable.Estimate::plus));
        Set<String> unpriced = usage.unpriced();
        Map<DayModel, BigDecimal> listed = new HashMap<>();
        c.warehouse().forEach("SELECT activity_date, model, SUM(list_amount_usd) AS list_usd FROM"
                + " claude_cost_attributed"
                + BETWEEN + " AND cost_type = 'tokens' AND " + AnalyticsGrouping.sqlGroupedBy("grouped_by", "model")
                + " GROUP BY activity_date, model", days, row -> listed.put(new DayModel(row.date("activity_date"),
                        row.string("model")), row.decimal("list_usd")));
        // Per model, its list and estimate over the days, and the first day they part.
        Map<String, BigDecimal[]> totals = new TreeMap<>();
        Map<String, LocalDate> since = new HashMap<>();
        estimated.forEach((group, estimate) -> {
            BigDecimal list = listed.get(group);
            if (list == null) {
                return;
            }
            BigDecimal[] sums = totals.computeIfAbsent(group.model(), m -> new BigDecimal[] {BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO});
            sums[0] = sums[0].add(list);
            sums[1] = sums[1].add(estimate.low());
            sums[2] = sums[2].add(estimate.high());
            if (outsidePrice(c, list, estimate.low(), estimate.high())) {
                since.putIfAbsent(group.model(), group.day());
            }
        });
        List<String> evidence = new ArrayList<>();
        totals.forEach((model, sums) -> {
            if (outsidePrice(c, sums[0], sums[1], sums[2])) {
                BigDecimal ours = sums[0].compareTo(sums[2]) > 0 ? sums[2] : sums[1];
                evidence.add(model + ": the API lists " + sums[0].divide(ours, 3, java.math.RoundingMode.HALF_UP)
                        .stripTrailingZeros().toPlainString() + "× our price since " + since.getOrDefault(model, first)
                        + " ($" + money(sums[0]) + " at list, $" + money(ours) + " at the catalog's prices)");
            }
        });
        String scope = " for " + both.size() + " days to " + last + version;
        if (!evidence.isEmpty()) {
            return new CheckResult("prices", Status.FAIL, evidence.size() + " model" + (evidence.size() == 1 ? " is"
                    : "s are") + " listed by the API at another price than the catalog's" + scope + ": give the"
                    + " right prices with --prices FILE (claude-ingest prices shows the catalog)", evidence);
        }
        if (!unpriced.isEmpty()) {
            return new CheckResult("prices", Status.WARN, "the catalog's prices are the API's" + scope + ", but "
                    + String.join(", ", unpriced) + " " + (unpriced.size() == 1 ? "is" : "are") + " unpriced: give"
                    + " a price with --prices FILE", List.of());
        }
        return CheckResult.ok("prices", "the catalog's prices are the API's list prices for " + totals.size()
                + " model" + (totals.size() == 1 ? "" : "s") + scope);
    }

    /** Whether {@code list} lies outside {@code low}..{@code high} by more than the tolerance. */
    private static boolean outsidePrice(CheckContext c, BigDecimal list, BigDecimal low, BigDecimal high) {
        BigDecimal below = low.subtract(list);
        BigDecimal above = list.subtract(high);
        return below.compareTo(c.settings().tolerance().multiply(low).max(c.settings().toleranceFloorUsd())) > 0
                || above.compareTo(c.settings().tolerance().multiply(high).max(c.settings().toleranceFloorUsd())) > 0;
    }
}
