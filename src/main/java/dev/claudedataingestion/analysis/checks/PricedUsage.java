package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.BETWEEN;

import dev.claudedataingestion.config.PriceTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Usage priced with the catalog, per day, workspace and model, on the days asked for only; Priority Tier, which the
 * cost reports never hold, summed apart. The reconciliation and prices checks compare it with what was billed and
 * listed.
 *
 * @param unpriced the models the catalog has no price for
 * @param ranged   the models priced as a range (their price depends on what daily usage does not give)
 */
record PricedUsage(Map<PricedUsage.Group, PriceTable.Estimate> estimated, BigDecimal priority, Set<String> unpriced,
        Set<String> ranged) {

    /** A day, a workspace (null: the default workspace) and a model. */
    record Group(LocalDate day, String workspace, String model) {
    }

    /**
     * The priced usage of the usage report between {@code bounds}' {@code first_day} and {@code last_day} for its
     * {@code organization_id}:
     * <pre>
     * SELECT activity_date, workspace_id, model, service_tier, context_window, inference_geo, SUM(…tokens…)
     * FROM claude_usage WHERE … GROUP BY …
     * </pre>
     */
    static PricedUsage read(CheckContext c, Map<String, Object> bounds, Set<LocalDate> days) {
        Map<Group, PriceTable.Estimate> estimated = new HashMap<>();
        BigDecimal[] priority = {BigDecimal.ZERO};
        Set<String> unpriced = new TreeSet<>();
        Set<String> ranged = new TreeSet<>();
        c.warehouse().forEach("SELECT activity_date, workspace_id, model, service_tier, context_window, inference_geo,"
                + " SUM(uncached_input_tokens) AS uncached, SUM(cache_creation_5m_input_tokens) AS write_5m,"
                + " SUM(cache_creation_1h_input_tokens) AS write_1h, SUM(cache_read_input_tokens) AS cache_read,"
                + " SUM(output_tokens) AS output_tokens FROM claude_usage" + BETWEEN
                + " GROUP BY activity_date, workspace_id, model, service_tier, context_window, inference_geo", bounds,
                row -> {
                    LocalDate day = row.date("activity_date");
                    if (!days.contains(day)) {
                        return;
                    }
                    String model = row.string("model");
                    String tier = row.string("service_tier");
                    PriceTable.Tokens tokens = new PriceTable.Tokens(row.int64("uncached"), row.int64("write_5m"),
                            row.int64("write_1h"), row.int64("cache_read"), row.int64("output_tokens"));
                    var estimate = c.settings().prices().estimate(model, tier, row.string("context_window"),
                            row.string("inference_geo"), tokens);
                    if (estimate.isEmpty()) {
                        unpriced.add(String.valueOf(model));
                    } else if (tier != null && tier.startsWith("priority")) {
                        priority[0] = priority[0].add(estimate.get().low());
                    } else {
                        if (estimate.get().isRange()) {
                            ranged.add(model);
                        }
                        estimated.merge(new Group(day, row.string("workspace_id"), model), estimate.get(),
                                PriceTable.Estimate::plus);
                    }
                });
        return new PricedUsage(estimated, priority[0], unpriced, ranged);
    }
}
