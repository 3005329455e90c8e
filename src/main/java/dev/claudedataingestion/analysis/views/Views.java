package dev.claudedataingestion.analysis.views;

import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Revisions;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.Tables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The analysis views, the same meaning on every warehouse: created by {@code ensureSchema}, named for Metabase
 * and the HTML report. Names are joined as they were on each day (the dimension tables keep a history); where no
 * name is known the id is shown, and null workspaces and keys read as the default workspace and Console usage.
 */
public final class Views {

    private Views() {
    }

    private static String inputTokens(String prefix) {
        return prefix + "uncached_input_tokens + " + prefix + "cache_creation_5m_input_tokens + " + prefix
                + "cache_creation_1h_input_tokens + " + prefix + "cache_read_input_tokens";
    }

    /**
     * {@code select}, whose rows have an {@code organization_id} and an {@code activity_date}, with {@code is_final}:
     * whether each report's figures for the day were fetched after Anthropic stopped revising them.
     */
    public static String withFinality(SqlDialect sql, String select, ReportKind... reports) {
        StringBuilder joins = new StringBuilder();
        List<String> fetchedLate = new ArrayList<>();
        for (int i = 0; i < reports.length; i++) {
            String f = "f" + i;
            joins.append(" LEFT JOIN ").append(sql.table(Tables.COVERAGE.name())).append(' ').append(f)
                    .append(" ON ").append(f).append(".organization_id = v.organization_id AND ").append(f)
                    .append(".report = '").append(reports[i].id()).append("' AND ").append(f)
                    .append(".activity_date = v.activity_date");
            fetchedLate.add("COALESCE(" + sql.utcDate(f + ".loaded_at") + " >= "
                    + sql.plusDays("v.activity_date", 1 + Revisions.DAYS) + ", FALSE)");
        }
        return "SELECT v.*, " + String.join(" AND ", fetchedLate) + " AS is_final FROM (" + select + ") v" + joins;
    }

    /**
     * The name of an attributed row's {@code dimension}: {@code named} where the row was grouped by it, else a
     * label saying it was not ({@code grouped_by} records the grouping), so that a regrouped day never reads as
     * "no API key".
     */
    private static String groupedName(String dimension, String named, String label) {
        return "CASE WHEN " + AnalyticsGrouping.sqlGroupedBy("c.grouped_by", dimension) + " THEN " + named
                + " ELSE 'Not grouped by " + label + "' END";
    }

    /** View name to its SELECT, in the order they are created: every view but FOCUS's ({@code AnalysisViews}). */
    public static Map<String, String> all(SqlDialect sql) {
        Map<String, String> views = new LinkedHashMap<>();
        String workspaceAtDate = "LEFT JOIN " + sql.table("claude_workspaces") + " w ON w.organization_id = %1$s.organization_id"
                + " AND w.workspace_id IS NOT DISTINCT FROM %1$s.workspace_id AND %1$s.activity_date >= w.valid_from"
                + " AND (w.valid_to IS NULL OR %1$s.activity_date < w.valid_to)";
        String keyAtDate = "LEFT JOIN " + sql.table("claude_api_keys") + " k ON k.organization_id = u.organization_id"
                + " AND k.api_key_id = u.api_key_id AND u.activity_date >= k.valid_from"
                + " AND (k.valid_to IS NULL OR u.activity_date < k.valid_to)";
        String workspaceName = "COALESCE(w.name, %1$s.workspace_id, 'Default workspace')";
        String keyName = "COALESCE(k.name, u.api_key_id, 'Console')";
        String inputTokens = inputTokens("");
        String billedTiers = "(service_tier IS NULL OR service_tier NOT LIKE 'priority%')";

        // Daily cost in dollars by workspace, model and cost type.
        views.put("claude_cost_daily", withFinality(sql, "SELECT c.organization_id, c.activity_date, c.workspace_id, "
                + workspaceName.formatted("c") + " AS workspace_name, c.model, c.cost_type,"
                + " SUM(c.amount_usd) AS cost_usd FROM " + sql.table("claude_costs") + " c "
                + workspaceAtDate.formatted("c") + " GROUP BY c.organization_id, c.activity_date, c.workspace_id, "
                + workspaceName.formatted("c") + ", c.model, c.cost_type", ReportKind.COST));

        // Daily tokens by model and API key.
        views.put("claude_tokens_daily", withFinality(sql, "SELECT u.organization_id, u.activity_date, u.model, u.api_key_id, " + keyName
                + " AS api_key_name, SUM(u.uncached_input_tokens) AS uncached_input_tokens,"
                + " SUM(u.cache_creation_5m_input_tokens + u.cache_creation_1h_input_tokens) AS cache_write_tokens,"
                + " SUM(u.cache_read_input_tokens) AS cache_read_tokens, SUM(u.output_tokens) AS output_tokens,"
                + " SUM(u.web_search_requests) AS web_search_requests FROM " + sql.table("claude_usage") + " u "
                + keyAtDate + " GROUP BY u.organization_id, u.activity_date, u.model, u.api_key_id, " + keyName,
                ReportKind.USAGE));

        // Cache reads over all input tokens, and what caching saved: a cache read costs a tenth of an input token,
        // so it saved nine times its cost; 5-minute and 1-hour cache writes cost a quarter and all of an input token
        // more, which is a fifth and a half of their own cost.
        views.put("claude_cache_efficiency", withFinality(sql, "SELECT t.organization_id, t.activity_date, t.model, t.cache_read_tokens,"
                + " t.input_tokens, " + sql.divide("t.cache_read_tokens", "t.input_tokens") + " AS cache_hit_rate,"
                + " s.saved_usd FROM (SELECT organization_id, activity_date, model, SUM(cache_read_input_tokens) AS"
                + " cache_read_tokens, SUM(" + inputTokens + ") AS input_tokens FROM " + sql.table("claude_usage")
                + " GROUP BY organization_id, activity_date, model) t LEFT JOIN (SELECT organization_id, activity_date,"
                + " model, 9 * SUM(CASE WHEN token_type = 'cache_read_input_tokens' THEN amount_usd ELSE 0 END)"
                + " - CAST(0.2 AS NUMERIC) * SUM(CASE WHEN token_type = 'cache_creation.ephemeral_5m_input_tokens'"
                + " THEN amount_usd ELSE 0 END) - CAST(0.5 AS NUMERIC) * SUM(CASE WHEN token_type ="
                + " 'cache_creation.ephemeral_1h_input_tokens' THEN amount_usd ELSE 0 END)"
                + " AS saved_usd FROM " + sql.table("claude_costs") + " WHERE cost_type = 'tokens' GROUP BY"
                + " organization_id, activity_date, model) s ON s.organization_id = t.organization_id"
                + " AND s.activity_date = t.activity_date AND s.model = t.model", ReportKind.USAGE, ReportKind.COST));

        // What a million tokens cost, billed cost over the tokens billed at standard and batch prices.
        views.put("claude_effective_price", withFinality(sql, "SELECT c.organization_id, c.activity_date, c.model, c.cost_usd, u.tokens, "
                + sql.divide("c.cost_usd * 1000000", "u.tokens") + " AS usd_per_million_tokens FROM (SELECT"
                + " organization_id, activity_date, model, SUM(amount_usd) AS cost_usd FROM " + sql.table("claude_costs")
                + " WHERE cost_type = 'tokens' AND model IS NOT NULL GROUP BY organization_id, activity_date, model) c"
                + " JOIN (SELECT organization_id, activity_date, model, SUM(" + inputTokens + " + output_tokens) AS"
                + " tokens FROM " + sql.table("claude_usage") + " WHERE " + billedTiers
                + " GROUP BY organization_id, activity_date, model) u ON u.organization_id = c.organization_id"
                + " AND u.activity_date = c.activity_date AND u.model = c.model", ReportKind.COST, ReportKind.USAGE));

        // API keys by all the tokens they used, with their current names.
        views.put("claude_top_api_keys", "SELECT u.organization_id, u.api_key_id, COALESCE(k.name, u.api_key_id,"
                + " 'Console') AS api_key_name, SUM(" + inputTokens("u.") + " + u.output_tokens) AS tokens,"
                + " COUNT(DISTINCT u.activity_date) AS active_days, MAX(u.activity_date) AS last_active_date,"
                + " RANK() OVER (PARTITION BY u.organization_id ORDER BY SUM(" + inputTokens("u.")
                + " + u.output_tokens) DESC) AS key_rank FROM "
                + sql.table("claude_usage") + " u LEFT JOIN " + sql.table("claude_api_keys") + " k ON"
                + " k.organization_id = u.organization_id AND k.api_key_id = u.api_key_id AND k.valid_to IS NULL"
                + " GROUP BY u.organization_id, u.api_key_id, COALESCE(k.name, u.api_key_id, 'Console')");

        // Claude Code per day: adoption, output, and the share of suggested edits accepted.
        String accepted = "edit_tool_accepted + multi_edit_tool_accepted + write_tool_accepted"
                + " + notebook_edit_tool_accepted";
        String rejected = "edit_tool_rejected + multi_edit_tool_rejected + write_tool_rejected"
                + " + notebook_edit_tool_rejected";
        views.put("claude_code_daily", withFinality(sql, "SELECT organization_id, activity_date, COUNT(DISTINCT CASE WHEN actor_type ="
                + " 'user_actor' THEN actor_email END) AS active_users, SUM(num_sessions) AS sessions,"
                + " SUM(lines_added) AS lines_added, SUM(lines_removed) AS lines_removed, SUM(commits) AS commits,"
                + " SUM(pull_requests) AS pull_requests, " + sql.divide("SUM(" + accepted + ")",
                        "SUM(" + accepted + " + " + rejected + ")") + " AS tool_acceptance_rate,"
                + " SUM(estimated_cost_usd) AS estimated_cost_usd FROM " + sql.table("claude_code_usage")
                + " GROUP BY organization_id, activity_date", ReportKind.CLAUDE_CODE));

        // Claude Code per user, named from the organization's members by email.
        views.put("claude_code_users", "SELECT c.organization_id, c.actor_email, COALESCE(m.name, c.actor_email) AS"
                + " user_name, COUNT(DISTINCT c.activity_date) AS active_days, MIN(c.activity_date) AS first_active_date,"
                + " MAX(c.activity_date) AS last_active_date, SUM(c.num_sessions) AS sessions, SUM(c.lines_added) AS"
                + " lines_added, SUM(c.commits) AS commits, SUM(c.pull_requests) AS pull_requests,"
                + " SUM(c.estimated_cost_usd) AS estimated_cost_usd FROM " + sql.table("claude_code_usage") + " c"
                + " LEFT JOIN " + sql.table("claude_users") + " m ON m.organization_id = c.organization_id"
                + " AND LOWER(m.email) = LOWER(c.actor_email) AND m.valid_to IS NULL WHERE c.actor_type = 'user_actor'"
                + " GROUP BY c.organization_id, c.actor_email, COALESCE(m.name, c.actor_email)");

        // Spend per month and workspace: this month's row is the month-to-date spend.
        views.put("claude_spend_monthly", "SELECT c.organization_id, " + sql.monthStart("c.activity_date")
                + " AS month_start, c.workspace_id, " + workspaceName.formatted("c") + " AS workspace_name,"
                + " SUM(c.amount_usd) AS cost_usd, MAX(c.activity_date) AS through_date FROM " + sql.table("claude_costs")
                + " c " + workspaceAtDate.formatted("c") + " GROUP BY c.organization_id, "
                + sql.monthStart("c.activity_date") + ", c.workspace_id, " + workspaceName.formatted("c"));

        attributedViews(sql, views);
        views.put("claude_code_by_person", claudeCodeByPerson(sql));
        return views;
    }

    /**
     * Per person and day, the three accounts of Claude Code: its own telemetry's estimate ({@code claude_code_events},
     * requests on the Anthropic API apart from those on other clouds, which Anthropic never bills), the Claude Code
     * Analytics report's estimate, and what the Usage and Cost Analytics API billed for product {@code claude_code}
     * to the person, at list price and after discount. A person is their e-mail address in lower case; telemetry
     * or a bill that gives only an account id is named through {@code claude_users}, else by that id.
     * {@code telemetry_only} marks people neither report knows: users of Claude Code on Bedrock, Vertex AI or
     * Foundry, or not signed in.
     */
    private static String claudeCodeByPerson(SqlDialect sql) {
        String telemetryPerson = "COALESCE(LOWER(e.user_email), LOWER(u.email), e.user_account_id, e.user_id)";
        String firstParty = "(e.provider IS NULL OR e.provider = 'firstParty')";
        String telemetry = "SELECT e.organization_id, e.activity_date, " + telemetryPerson + " AS person,"
                + " MAX(e.user_account_id) AS user_account_id, COUNT(*) AS telemetry_requests,"
                + " SUM(COALESCE(e.input_tokens, 0) + COALESCE(e.output_tokens, 0) + COALESCE(e.cache_read_tokens, 0)"
                + " + COALESCE(e.cache_creation_tokens, 0)) AS telemetry_tokens, SUM(e.cost_usd) AS telemetry_cost_usd,"
                + " SUM(CASE WHEN " + firstParty + " THEN e.cost_usd END) AS telemetry_anthropic_cost_usd,"
                + " SUM(CASE WHEN " + firstParty + " THEN 0 ELSE 1 END) AS other_cloud_requests FROM "
                + sql.table(Tables.CLAUDE_CODE_EVENTS.name()) + " e LEFT JOIN " + sql.table(Tables.USERS.name())
                + " u ON u.organization_id = e.organization_id AND u.user_id = e.user_account_id AND u.valid_to IS NULL"
                + " WHERE e.event_name = 'api_request' GROUP BY e.organization_id, e.activity_date, " + telemetryPerson;
        String report = "SELECT organization_id, activity_date, LOWER(actor_email) AS person,"
                + " SUM(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) AS report_tokens,"
                + " SUM(estimated_cost_usd) AS report_cost_usd FROM " + sql.table("claude_code_usage")
                + " WHERE actor_type = 'user_actor' AND actor_email IS NOT NULL"
                + " GROUP BY organization_id, activity_date, LOWER(actor_email)";
        // A user the analytics API names by id alone is named through claude_users too, as in the telemetry.
        String billedPerson = "COALESCE(LOWER(c.actor_email), LOWER(u.email), c.actor_id)";
        String billed = "SELECT c.organization_id, c.activity_date, " + billedPerson + " AS person,"
                + " SUM(c.list_amount_usd) AS billed_list_usd, SUM(c.amount_usd) AS billed_usd FROM "
                + sql.table("claude_cost_attributed") + " c LEFT JOIN " + sql.table(Tables.USERS.name())
                + " u ON u.organization_id = c.organization_id AND u.user_id = c.actor_id AND u.valid_to IS NULL"
                + " WHERE c.product = 'claude_code' AND c.actor_type = 'user_actor'"
                + " GROUP BY c.organization_id, c.activity_date, " + billedPerson;
        String people = "SELECT DISTINCT organization_id, activity_date, person FROM (SELECT organization_id,"
                + " activity_date, person FROM (" + telemetry + ") t0 UNION ALL SELECT organization_id, activity_date,"
                + " person FROM (" + report + ") r0 UNION ALL SELECT organization_id, activity_date, person FROM ("
                + billed + ") b0) everyone";
        String same = " ON COALESCE(%1$s.organization_id, '') = COALESCE(p.organization_id, '')"
                + " AND %1$s.activity_date = p.activity_date AND %1$s.person = p.person";
        return withFinality(sql, "SELECT p.organization_id, p.activity_date, p.person, t.user_account_id,"
                + " t.telemetry_requests, t.telemetry_tokens, t.telemetry_cost_usd, t.telemetry_anthropic_cost_usd,"
                + " COALESCE(t.other_cloud_requests, 0) AS other_cloud_requests, r.report_tokens, r.report_cost_usd,"
                + " b.billed_list_usd, b.billed_usd, (r.person IS NULL AND b.person IS NULL) AS telemetry_only"
                + " FROM (" + people + ") p LEFT JOIN (" + telemetry + ") t" + same.formatted("t")
                + " LEFT JOIN (" + report + ") r" + same.formatted("r") + " LEFT JOIN (" + billed + ") b"
                + same.formatted("b"), ReportKind.ANALYTICS_COST);
    }

    /**
     * Billed cost from the Usage and Cost Analytics API, per day: by API key, by actor (the person, service account,
     * federated identity or key it is attributed to), by product and by model, each beside its list price; and per
     * month, what the discount saved.
     */
    private static void attributedViews(SqlDialect sql, Map<String, String> views) {
        String cost = sql.table("claude_cost_attributed") + " c";
        String atDate = " AND c.activity_date >= %1$s.valid_from AND (%1$s.valid_to IS NULL OR c.activity_date < %1$s.valid_to)";
        String money = ", SUM(c.amount_usd) AS billed_usd, SUM(c.list_amount_usd) AS list_usd FROM " + cost;

        String keyName = groupedName("api_key_id", "COALESCE(k.name, c.api_key_id, 'No API key')", "API key");
        views.put("claude_billed_cost_by_api_key", withFinality(sql, "SELECT c.organization_id, c.activity_date,"
                + " c.api_key_id, " + keyName + " AS api_key_name" + money + " LEFT JOIN "
                + sql.table("claude_api_keys") + " k ON k.organization_id = c.organization_id"
                + " AND k.api_key_id = c.api_key_id" + atDate.formatted("k")
                + " GROUP BY c.organization_id, c.activity_date, c.api_key_id, " + keyName, ReportKind.ANALYTICS_COST));

        // A user by name, else e-mail; an API key by its name; a service account or federated subject by its id.
        String actorName = groupedName("actor", "COALESCE(a.name, a.email, k.name, c.actor_id, 'Unattributed')",
                "actor");
        views.put("claude_billed_cost_by_actor", withFinality(sql, "SELECT c.organization_id, c.activity_date,"
                + " c.actor_type, c.actor_id, " + actorName + " AS actor_name, a.email AS actor_email,"
                + " COALESCE(a.deleted, FALSE) AS actor_deleted" + money + " LEFT JOIN " + sql.table("claude_actors")
                + " a ON a.organization_id = c.organization_id AND a.actor_id = c.actor_id" + atDate.formatted("a")
                + " LEFT JOIN " + sql.table("claude_api_keys") + " k ON c.actor_type = 'api_actor'"
                + " AND k.organization_id = c.organization_id AND k.api_key_id = c.actor_id" + atDate.formatted("k")
                + " GROUP BY c.organization_id, c.activity_date, c.actor_type, c.actor_id, " + actorName
                + ", a.email, COALESCE(a.deleted, FALSE)", ReportKind.ANALYTICS_COST));

        String product = groupedName("product", "COALESCE(c.product, 'No product (code execution)')", "product");
        views.put("claude_billed_cost_by_product", withFinality(sql, "SELECT c.organization_id, c.activity_date,"
                + " c.product, " + product + " AS product_name" + money
                + " GROUP BY c.organization_id, c.activity_date, c.product, " + product, ReportKind.ANALYTICS_COST));

        String model = groupedName("model", "COALESCE(c.model, 'No model (web search, code execution)')", "model");
        views.put("claude_billed_cost_by_model", withFinality(sql, "SELECT c.organization_id, c.activity_date,"
                + " c.model, " + model + " AS model_name" + money
                + " GROUP BY c.organization_id, c.activity_date, c.model, " + model, ReportKind.ANALYTICS_COST));

        // List price against what was billed, per month: the discount, and how many of the month's days may change.
        String daily = withFinality(sql, "SELECT c.organization_id, c.activity_date" + money
                + " GROUP BY c.organization_id, c.activity_date", ReportKind.ANALYTICS_COST);
        views.put("claude_discount_monthly", "SELECT d.organization_id, " + sql.monthStart("d.activity_date")
                + " AS month_start, SUM(d.list_usd) AS list_usd, SUM(d.billed_usd) AS billed_usd,"
                + " SUM(d.list_usd) - SUM(d.billed_usd) AS discount_usd, "
                + sql.divide("SUM(d.list_usd) - SUM(d.billed_usd)", "SUM(d.list_usd)") + " AS discount_rate,"
                + " MAX(d.activity_date) AS through_date, SUM(CASE WHEN d.is_final THEN 0 ELSE 1 END)"
                + " AS provisional_days FROM (" + daily + ") d GROUP BY d.organization_id, "
                + sql.monthStart("d.activity_date"));
    }
}
