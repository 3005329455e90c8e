package dev.claudedataingestion.sink;

import java.util.LinkedHashMap;
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

    /** View name to its SELECT, in the order they are created. */
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
        views.put("claude_cost_daily", "SELECT c.organization_id, c.activity_date, c.workspace_id, "
                + workspaceName.formatted("c") + " AS workspace_name, c.model, c.cost_type,"
                + " SUM(c.amount_usd) AS cost_usd FROM " + sql.table("claude_costs") + " c "
                + workspaceAtDate.formatted("c") + " GROUP BY c.organization_id, c.activity_date, c.workspace_id, "
                + workspaceName.formatted("c") + ", c.model, c.cost_type");

        // Daily tokens by model and API key.
        views.put("claude_tokens_daily", "SELECT u.organization_id, u.activity_date, u.model, u.api_key_id, " + keyName
                + " AS api_key_name, SUM(u.uncached_input_tokens) AS uncached_input_tokens,"
                + " SUM(u.cache_creation_5m_input_tokens + u.cache_creation_1h_input_tokens) AS cache_write_tokens,"
                + " SUM(u.cache_read_input_tokens) AS cache_read_tokens, SUM(u.output_tokens) AS output_tokens,"
                + " SUM(u.web_search_requests) AS web_search_requests FROM " + sql.table("claude_usage") + " u "
                + keyAtDate + " GROUP BY u.organization_id, u.activity_date, u.model, u.api_key_id, " + keyName);

        // Cache reads over all input tokens, and what caching saved: a cache read costs a tenth of an input token,
        // so it saved nine times its cost; 5-minute and 1-hour cache writes cost a quarter and all of an input token
        // more, which is a fifth and a half of their own cost.
        views.put("claude_cache_efficiency", "SELECT t.organization_id, t.activity_date, t.model, t.cache_read_tokens,"
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
                + " AND s.activity_date = t.activity_date AND s.model = t.model");

        // What a million tokens cost, billed cost over the tokens billed at standard and batch prices.
        views.put("claude_effective_price", "SELECT c.organization_id, c.activity_date, c.model, c.cost_usd, u.tokens, "
                + sql.divide("c.cost_usd * 1000000", "u.tokens") + " AS usd_per_million_tokens FROM (SELECT"
                + " organization_id, activity_date, model, SUM(amount_usd) AS cost_usd FROM " + sql.table("claude_costs")
                + " WHERE cost_type = 'tokens' AND model IS NOT NULL GROUP BY organization_id, activity_date, model) c"
                + " JOIN (SELECT organization_id, activity_date, model, SUM(" + inputTokens + " + output_tokens) AS"
                + " tokens FROM " + sql.table("claude_usage") + " WHERE " + billedTiers
                + " GROUP BY organization_id, activity_date, model) u ON u.organization_id = c.organization_id"
                + " AND u.activity_date = c.activity_date AND u.model = c.model");

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
        views.put("claude_code_daily", "SELECT organization_id, activity_date, COUNT(DISTINCT CASE WHEN actor_type ="
                + " 'user_actor' THEN actor_email END) AS active_users, SUM(num_sessions) AS sessions,"
                + " SUM(lines_added) AS lines_added, SUM(lines_removed) AS lines_removed, SUM(commits) AS commits,"
                + " SUM(pull_requests) AS pull_requests, " + sql.divide("SUM(" + accepted + ")",
                        "SUM(" + accepted + " + " + rejected + ")") + " AS tool_acceptance_rate,"
                + " SUM(estimated_cost_usd) AS estimated_cost_usd FROM " + sql.table("claude_code_usage")
                + " GROUP BY organization_id, activity_date");

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
        return views;
    }
}
