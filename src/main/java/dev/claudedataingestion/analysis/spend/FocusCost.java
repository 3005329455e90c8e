package dev.claudedataingestion.analysis.spend;

import dev.claudedataingestion.analysis.views.Views;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.AnalyticsCostReport;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The view {@code claude_focus_cost}: the cost in the FinOps Foundation's FOCUS 1.2 columns, one row per day and
 * cost line, for FinOps tools. A day the analytics cost report holds is read from {@code claude_cost_attributed},
 * which has the list price and who spent it; any other day from the cost report's {@code claude_costs}, which
 * publishes no list cost: there {@code ListCost} is the line's usage at the price catalog's list price (the
 * catalog {@code ingest} last ran with), and where the catalog or the usage has none, the billed amount. A day is
 * never read from both.
 *
 * <p>Quantities are the tokens (or web searches) the usage table of the same API holds for the same line. Where the
 * API measures nothing for a line (code execution, managed-agent sessions, or a day whose usage is not loaded), the
 * line is one {@code Day} of the charge.
 */
public final class FocusCost {

    /** The view's name. */
    public static final String VIEW = "claude_focus_cost";

    /** The column the view names its organization by. */
    public static final String ORGANIZATION = "BillingAccountId";

    /** How a column's values are typed in a file. */
    public enum Type { DECIMAL, DATETIME, STRING, BOOLEAN, JSON }

    /** A column of the view and of the export, in their order. */
    public record Column(String name, Type type) {
    }

    /** Every column, in order: FOCUS 1.2's mandatory columns, the conditional ones that apply, then ours ({@code x_}). */
    public static final List<Column> COLUMNS = List.of(
            new Column("BilledCost", Type.DECIMAL),
            new Column("BillingAccountId", Type.STRING),
            new Column("BillingAccountName", Type.STRING),
            new Column("BillingAccountType", Type.STRING),
            new Column("BillingCurrency", Type.STRING),
            new Column("BillingPeriodStart", Type.DATETIME),
            new Column("BillingPeriodEnd", Type.DATETIME),
            new Column("ChargeCategory", Type.STRING),
            new Column("ChargeClass", Type.STRING),
            new Column("ChargeDescription", Type.STRING),
            new Column("ChargeFrequency", Type.STRING),
            new Column("ChargePeriodStart", Type.DATETIME),
            new Column("ChargePeriodEnd", Type.DATETIME),
            new Column("ConsumedQuantity", Type.DECIMAL),
            new Column("ConsumedUnit", Type.STRING),
            new Column("ContractedCost", Type.DECIMAL),
            new Column("EffectiveCost", Type.DECIMAL),
            new Column("InvoiceIssuerName", Type.STRING),
            new Column("ListCost", Type.DECIMAL),
            new Column("PricingCategory", Type.STRING),
            new Column("PricingQuantity", Type.DECIMAL),
            new Column("PricingUnit", Type.STRING),
            new Column("ProviderName", Type.STRING),
            new Column("PublisherName", Type.STRING),
            new Column("RegionId", Type.STRING),
            new Column("RegionName", Type.STRING),
            new Column("ResourceId", Type.STRING),
            new Column("ResourceName", Type.STRING),
            new Column("ResourceType", Type.STRING),
            new Column("ServiceCategory", Type.STRING),
            new Column("ServiceSubcategory", Type.STRING),
            new Column("ServiceName", Type.STRING),
            new Column("SkuId", Type.STRING),
            new Column("SkuMeter", Type.STRING),
            new Column("SkuPriceId", Type.STRING),
            new Column("SubAccountId", Type.STRING),
            new Column("SubAccountName", Type.STRING),
            new Column("SubAccountType", Type.STRING),
            new Column("Tags", Type.JSON),
            new Column("x_ServiceTier", Type.STRING),
            new Column("x_ContextWindow", Type.STRING),
            new Column("x_InferenceRegion", Type.STRING),
            new Column("x_IsFinal", Type.BOOLEAN),
            new Column("x_CostSource", Type.STRING));

    /** What a line of usage is measured by in both APIs. */
    private static final String USAGE_LINE = "organization_id, activity_date, workspace_id, model, service_tier,"
            + " context_window, inference_geo";

    /** The columns a cost line is read with from either cost table, before it becomes FOCUS. */
    private static final String LINE = USAGE_LINE + ", currency, cost_type, token_type";

    /** What the analytics API adds to a line of usage or cost. */
    private static final String ATTRIBUTED = "grouped_by, speed, api_key_id, actor_type, actor_id, product";

    /** The usage tables' measures, per line. */
    private static final String MEASURES = "SUM(uncached_input_tokens) AS uncached_input_tokens, SUM(output_tokens) AS"
            + " output_tokens, SUM(cache_read_input_tokens) AS cache_read_input_tokens, SUM(cache_creation_5m_input_tokens)"
            + " AS cache_creation_5m_input_tokens, SUM(cache_creation_1h_input_tokens) AS cache_creation_1h_input_tokens,"
            + " SUM(web_search_requests) AS web_search_requests";

    /** The tokens of a cost line {@code c} that its usage line {@code u} measured, or null. */
    private static final String TOKENS = "CASE c.token_type"
            + " WHEN 'uncached_input_tokens' THEN u.uncached_input_tokens WHEN 'output_tokens' THEN u.output_tokens"
            + " WHEN 'cache_read_input_tokens' THEN u.cache_read_input_tokens"
            + " WHEN 'cache_creation.ephemeral_5m_input_tokens' THEN u.cache_creation_5m_input_tokens"
            + " WHEN 'cache_creation.ephemeral_1h_input_tokens' THEN u.cache_creation_1h_input_tokens END";

    /** The amount of a cost line {@code c} that its usage line {@code u} measured, or null. */
    private static final String QUANTITY = "CASE WHEN c.cost_type = 'tokens' THEN " + TOKENS
            + " WHEN c.cost_type = 'web_search' THEN u.web_search_requests END AS quantity";

    /** What the line is for, where the API gives no description. */
    private static final String DESCRIPTION = "CASE WHEN c.cost_type = 'tokens' THEN CONCAT(COALESCE(c.model,"
            + " 'Unknown model'), ' ', COALESCE(c.token_type, 'tokens')) ELSE CONCAT(COALESCE(c.cost_type, 'Unknown"
            + " cost'), COALESCE(' (' || c.model || ')', '')) END";

    private FocusCost() {
    }

    /**
     * {@code failure}, or, where it says the view does not exist (a warehouse that no {@code ingest} of this version
     * has opened yet), what to do about it.
     */
    public static WarehouseException explain(WarehouseException failure) {
        String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains(VIEW) && (message.contains("does not exist") || message.contains("not found"))) {
            return new WarehouseException("the warehouse has no view " + VIEW + " yet: run 'claude-ingest ingest'"
                    + " once with this version, which adds it", failure);
        }
        return failure;
    }

    /** {@code a.x = b.x} for each of {@code columns}, null equal to null. */
    private static String sameLine(String columns, String a, String b) {
        return Arrays.stream(columns.split(",")).map(String::strip)
                .map(column -> a + "." + column + " IS NOT DISTINCT FROM " + b + "." + column)
                .collect(Collectors.joining(" AND "));
    }

    private static String prefixed(String columns, String alias) {
        return Arrays.stream(columns.split(",")).map(String::strip).map(column -> alias + "." + column)
                .collect(Collectors.joining(", "));
    }

    /** The catalog's prices per token, as rows of {@code model_id, dated_only, token_type, usd_per_token}. */
    private static String priceRows(SqlDialect sql, PriceTable prices) {
        return prices.tokenPrices().stream().map(price -> "SELECT '" + price.modelId() + "' AS model_id, "
                + (price.datedOnly() ? "TRUE" : "FALSE") + " AS dated_only, '" + price.tokenType() + "' AS token_type, "
                + sql.decimal(price.usdPerToken()) + " AS usd_per_token").collect(Collectors.joining(" UNION ALL "));
    }

    /**
     * A cost report line's list cost: its usage line's tokens at the catalog's price {@code p}, for the line's tier,
     * context window and region, or its web searches at theirs; where the catalog or the usage has none, the amount.
     */
    private static String catalogListUsd(SqlDialect sql, PriceTable prices) {
        PriceTable.Multipliers times = prices.multipliers();
        String one = sql.decimal(BigDecimal.ONE);
        String tier = "CASE WHEN c.service_tier = 'batch' THEN " + sql.decimal(times.batch()) + " ELSE " + one + " END";
        String window = "CASE WHEN c.context_window = '200k-1M' THEN CASE WHEN c.token_type = 'output_tokens' THEN "
                + sql.decimal(times.longContextOutput()) + " ELSE " + sql.decimal(times.longContextInput())
                + " END ELSE " + one + " END";
        String region = "CASE WHEN c.inference_geo = 'us' THEN " + sql.decimal(times.usOnly()) + " ELSE " + one
                + " END";
        // Tokens and a price per token of at most 12 places, multiplied exactly and kept as the amounts are.
        String tokens = sql.fixed(TOKENS, 18, 0);
        String price = sql.fixed("p.usd_per_token * " + tier + " * " + window + " * " + region, 20, 12);
        String searches = sql.fixed("u.web_search_requests", 18, 0) + " * " + sql.decimal(times.webSearchPerRequest());
        return "COALESCE(" + sql.fixed("CASE WHEN c.cost_type = 'tokens' THEN " + tokens + " * " + price
                + " WHEN c.cost_type = 'web_search' THEN " + searches + " END", 38, Cents.SCALE + 2)
                + ", c.amount_usd)";
    }

    /** The view's SELECT, its list cost on days only the cost report holds priced by {@code prices}. */
    public static String select(SqlDialect sql, PriceTable prices) {
        // The attributed cost, lines summed over the dimensions FOCUS has no place for (identities the API cannot
        // name may come as several rows of one group), beside the attributed usage of the same grouping.
        String attributedLine = LINE + ", " + ATTRIBUTED;
        String usageGrouping = "CONCAT(u.grouped_by, '," + String.join(",", AnalyticsCostReport.FAN_OUT) + "')";
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("api_key_id", "c.api_key_id");
        tags.put("actor_type", "c.actor_type");
        tags.put("actor_id", "c.actor_id");
        tags.put("actor_email", "c.actor_email");
        tags.put("product", "c.product");
        String usageLine = USAGE_LINE + ", " + ATTRIBUTED;
        String attributed = "SELECT " + prefixed(LINE, "c") + ", " + AnalyticsGrouping.sqlGroupedBy("c.grouped_by",
                "workspace_id") + " AS workspace_grouped, " + DESCRIPTION + " AS description, " + sql.jsonObject(tags)
                + " AS tags, CASE WHEN " + AnalyticsGrouping.sqlGroupedBy("c.grouped_by", "api_key_id")
                + " THEN c.api_key_id END AS api_key_id, c.billed_usd, c.list_usd, " + QUANTITY
                + ", 'analytics_cost' AS source FROM (SELECT "
                + attributedLine + ", actor_email, SUM(amount_usd) AS billed_usd, SUM(list_amount_usd) AS list_usd FROM "
                + sql.table("claude_cost_attributed") + " GROUP BY " + attributedLine + ", actor_email) c LEFT JOIN"
                + " (SELECT " + usageLine + ", " + MEASURES + " FROM " + sql.table("claude_usage_attributed")
                + " GROUP BY " + usageLine + ") u ON u.organization_id = c.organization_id AND u.activity_date"
                + " = c.activity_date AND " + usageGrouping + " = c.grouped_by AND " + sameLine("workspace_id, model,"
                + " service_tier, context_window, inference_geo, speed, api_key_id, actor_type, actor_id, product", "u",
                "c");

        // The cost report, on the days the analytics cost report does not hold, beside the usage report's lines.
        String usageDimensions = "workspace_id, model, service_tier, context_window, inference_geo";
        // Its null workspace is the default one: named by the real id the analytics API uses, where it is known.
        String legacyLine = prefixed(LINE, "c").replace("c.workspace_id", "COALESCE(c.workspace_id, d.workspace_id)"
                + " AS workspace_id");
        String defaultWorkspace = " LEFT JOIN (SELECT organization_id, MAX(workspace_id) AS workspace_id FROM "
                + sql.table("claude_workspaces") + " WHERE is_default AND workspace_id IS NOT NULL GROUP BY"
                + " organization_id) d ON d.organization_id = c.organization_id";
        String legacy = "SELECT " + legacyLine + ", TRUE AS workspace_grouped, COALESCE(c.description, "
                + DESCRIPTION + ") AS description, " + sql.text("NULL") + " AS tags, " + sql.text("NULL")
                + " AS api_key_id,"
                + " c.amount_usd AS billed_usd, "
                + catalogListUsd(sql, prices) + " AS list_usd, " + QUANTITY + ", 'cost' AS source FROM "
                + sql.table("claude_costs") + " c LEFT JOIN (SELECT organization_id, activity_date, " + usageDimensions
                + ", " + MEASURES + " FROM " + sql.table("claude_usage") + " GROUP BY organization_id, activity_date, "
                + usageDimensions + ") u ON u.organization_id = c.organization_id AND u.activity_date = c.activity_date"
                + " AND " + sameLine(usageDimensions, "u", "c") + " LEFT JOIN (" + priceRows(sql, prices) + ") p ON"
                + " p.token_type = c.token_type AND (p.model_id = c.model AND NOT p.dated_only OR p.model_id ="
                + " REGEXP_REPLACE(c.model, '-[0-9]{8}$', '') AND p.model_id <> c.model)" + defaultWorkspace
                + " WHERE NOT EXISTS (SELECT 1 FROM "
                + sql.table(Tables.COVERAGE.name()) + " a WHERE a.organization_id = c.organization_id AND a.report = '"
                + ReportKind.ANALYTICS_COST.id() + "' AND a.activity_date = c.activity_date)";

        String unit = "CASE WHEN l.quantity IS NULL THEN 'Day' WHEN l.cost_type = 'web_search' THEN 'Requests'"
                + " ELSE 'Tokens' END";
        String quantity = "COALESCE(l.quantity, 1)";
        String monthStart = sql.monthStart("l.activity_date");
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("BilledCost", "l.billed_usd");
        columns.put("BillingAccountId", "l.organization_id");
        // The name /v1/organizations/me gave it then; its id where no run has recorded one.
        columns.put("BillingAccountName", "COALESCE(o.name, l.organization_id)");
        columns.put("BillingAccountType", "'Organization'");
        columns.put("BillingCurrency", "l.currency");
        columns.put("BillingPeriodStart", sql.dayStart(monthStart));
        columns.put("BillingPeriodEnd", sql.dayStart(sql.monthStart(sql.plusDays(monthStart, 31))));
        columns.put("ChargeCategory", "'Usage'");
        columns.put("ChargeClass", sql.text("NULL"));
        columns.put("ChargeDescription", "l.description");
        columns.put("ChargeFrequency", "'Usage-Based'");
        columns.put("ChargePeriodStart", sql.dayStart("l.activity_date"));
        columns.put("ChargePeriodEnd", sql.dayStart(sql.plusDays("l.activity_date", 1)));
        columns.put("ConsumedQuantity", quantity);
        columns.put("ConsumedUnit", unit);
        // What was billed is the contracted price, before credits: there is no commitment to amortize.
        columns.put("ContractedCost", "l.billed_usd");
        columns.put("EffectiveCost", "l.billed_usd");
        columns.put("InvoiceIssuerName", "'Anthropic'");
        columns.put("ListCost", "l.list_usd");
        // Every price is the published one or the organization's agreed rate: nothing is dynamic or committed.
        columns.put("PricingCategory", "'Standard'");
        columns.put("PricingQuantity", quantity);
        columns.put("PricingUnit", unit);
        columns.put("ProviderName", "'Anthropic'");
        columns.put("PublisherName", "'Anthropic'");
        // Where the API says where it ran: US-only inference, or anywhere.
        columns.put("RegionId", "CASE WHEN l.inference_geo IN ('us', 'global') THEN l.inference_geo END");
        columns.put("RegionName", "CASE l.inference_geo WHEN 'us' THEN 'United States' WHEN 'global' THEN 'Global'"
                + " END");
        // The API key a line was spent with is the resource it was spent on.
        columns.put("ResourceId", "l.api_key_id");
        columns.put("ResourceName", "CASE WHEN l.api_key_id IS NOT NULL THEN COALESCE(k.name, l.api_key_id) END");
        columns.put("ResourceType", "CASE WHEN l.api_key_id IS NOT NULL THEN 'API Key' END");
        columns.put("ServiceCategory", "'AI and Machine Learning'");
        columns.put("ServiceSubcategory", "'Generative AI'");
        columns.put("ServiceName", "'Claude'");
        columns.put("SkuId", "COALESCE(l.model, l.cost_type)");
        columns.put("SkuMeter", "COALESCE(l.token_type, l.cost_type)");
        // What the price depends on, in the order of the catalog's rules: the SKU, the meter, then the tier, the
        // context window and the region ("any" where the line was not grouped by one), so that a price list finds it.
        columns.put("SkuPriceId", "CONCAT(COALESCE(l.model, l.cost_type), '/', COALESCE(l.token_type, l.cost_type),"
                + " '/', COALESCE(l.service_tier, 'any'), '/', COALESCE(l.context_window, 'any'), '/',"
                + " COALESCE(l.inference_geo, 'any'))");
        // The legacy report's null workspace is the default workspace; a line not grouped by workspace has none.
        columns.put("SubAccountId", "CASE WHEN l.workspace_grouped THEN COALESCE(l.workspace_id, 'default') END");
        columns.put("SubAccountName", "CASE WHEN l.workspace_grouped THEN COALESCE(w.name, l.workspace_id,"
                + " 'Default workspace') END");
        columns.put("SubAccountType", "CASE WHEN l.workspace_grouped THEN 'Workspace' END");
        columns.put("Tags", "l.tags");
        columns.put("x_ServiceTier", "l.service_tier");
        columns.put("x_ContextWindow", "l.context_window");
        columns.put("x_InferenceRegion", "l.inference_geo");
        columns.put("x_IsFinal", "l.is_final");
        columns.put("x_CostSource", "l.source");
        if (!List.copyOf(columns.keySet()).equals(COLUMNS.stream().map(Column::name).toList())) {
            throw new IllegalStateException("the FOCUS view's columns differ from FocusCost.COLUMNS");
        }
        return "SELECT " + columns.entrySet().stream().map(c -> c.getValue() + " AS " + sql.column(c.getKey()))
                .collect(Collectors.joining(", ")) + " FROM (" + Views.withFinality(sql, attributed,
                        ReportKind.ANALYTICS_COST) + " UNION ALL " + Views.withFinality(sql, legacy, ReportKind.COST)
                + ") l" + versionOn(sql, "claude_workspaces", "w", " AND w.workspace_id IS NOT DISTINCT FROM"
                        + " l.workspace_id")
                + versionOn(sql, "claude_api_keys", "k", " AND k.api_key_id = l.api_key_id")
                + versionOn(sql, Tables.ORGANIZATIONS.name(), "o", "");
    }

    /** The version of a dimension table's object that {@code matches} the line, as it was on the line's day. */
    private static String versionOn(SqlDialect sql, String table, String alias, String matches) {
        return " LEFT JOIN " + sql.table(table) + " " + alias + " ON " + alias + ".organization_id = l.organization_id"
                + matches + " AND l.activity_date >= " + alias + ".valid_from AND (" + alias + ".valid_to IS NULL OR"
                + " l.activity_date < " + alias + ".valid_to)";
    }
}
