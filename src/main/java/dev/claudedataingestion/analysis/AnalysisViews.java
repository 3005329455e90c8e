package dev.claudedataingestion.analysis;

import dev.claudedataingestion.analysis.spend.FocusCost;
import dev.claudedataingestion.analysis.views.Views;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.View;
import dev.claudedataingestion.warehouse.ViewCatalog;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every view of the analysis, as a warehouse's {@code ensureSchema} is given them: the named views, then FOCUS's. */
public final class AnalysisViews {

    private AnalysisViews() {
    }

    /** The views, pricing list cost no report gives with {@code prices}. */
    public static ViewCatalog catalog(PriceTable prices) {
        return sql -> all(sql, prices).entrySet().stream()
                .map(view -> new View(view.getKey(), view.getValue(), organizationColumn(view.getKey(), sql)))
                .toList();
    }

    /** {@link #catalog(PriceTable)} with the built-in price catalog. */
    public static ViewCatalog catalog() {
        return catalog(PriceTable.builtIn());
    }

    /** View name to its SELECT, in the order they are created, with the built-in price catalog. */
    public static Map<String, String> all(SqlDialect sql) {
        return all(sql, PriceTable.builtIn());
    }

    /** View name to its SELECT, in the order they are created; {@code prices} prices list cost no report gives. */
    public static Map<String, String> all(SqlDialect sql, PriceTable prices) {
        Map<String, String> views = new LinkedHashMap<>(Views.all(sql));
        views.put(FocusCost.VIEW, FocusCost.select(sql, prices));
        return views;
    }

    /** The column that names a view's organization: {@code organization_id}, but for the FOCUS view. */
    private static String organizationColumn(String view, SqlDialect sql) {
        return view.equals(FocusCost.VIEW) ? sql.column(FocusCost.ORGANIZATION) : "organization_id";
    }
}
