package dev.claudedataingestion.sink;

import static dev.claudedataingestion.sink.ColumnType.BOOL;
import static dev.claudedataingestion.sink.ColumnType.CENTS;
import static dev.claudedataingestion.sink.ColumnType.DATE;
import static dev.claudedataingestion.sink.ColumnType.INT64;
import static dev.claudedataingestion.sink.ColumnType.JSON;
import static dev.claudedataingestion.sink.ColumnType.STRING;
import static dev.claudedataingestion.sink.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.sink.ColumnType.USD;

import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.ReportKind;
import java.util.ArrayList;
import java.util.List;

/** The table contract of DESIGN.md: names, columns and keys, the same on every backend. */
public final class Tables {

    private Tables() {
    }

    public static final Table USAGE = new Table("claude_usage", columns(
            "organization_id", STRING, "activity_date", DATE, "bucket_start", TIMESTAMP, "bucket_width", STRING,
            "api_key_id", STRING, "workspace_id", STRING, "model", STRING, "service_tier", STRING,
            "context_window", STRING, "inference_geo", STRING, "account_id", STRING, "service_account_id", STRING,
            "uncached_input_tokens", INT64, "cache_creation_5m_input_tokens", INT64,
            "cache_creation_1h_input_tokens", INT64, "cache_read_input_tokens", INT64, "output_tokens", INT64,
            "web_search_requests", INT64, "ingestion_timestamp", TIMESTAMP, "run_id", STRING),
            List.of("organization_id", "bucket_start", "bucket_width", "api_key_id", "workspace_id", "model",
                    "service_tier", "context_window", "inference_geo", "account_id", "service_account_id"));

    /** Hourly buckets of the messages usage report: the columns of {@link #USAGE}, never mixed with it. */
    public static final Table USAGE_HOURLY = new Table("claude_usage_hourly", USAGE.columns(), USAGE.key());

    public static final Table COSTS = new Table("claude_costs", columns(
            "organization_id", STRING, "activity_date", DATE, "workspace_id", STRING, "description", STRING,
            "cost_type", STRING, "model", STRING, "service_tier", STRING, "context_window", STRING,
            "token_type", STRING, "inference_geo", STRING, "currency", STRING, "amount_cents", CENTS,
            "amount_usd", USD, "ingestion_timestamp", TIMESTAMP, "run_id", STRING),
            // Lines of one description differ by the fields it fills (context window, region, …).
            List.of("organization_id", "activity_date", "workspace_id", "description", "cost_type", "model",
                    "service_tier", "context_window", "token_type", "inference_geo", "currency"));

    private static final List<String> CLAUDE_CODE_KEY = List.of("organization_id", "activity_date", "actor_type",
            "actor_email", "actor_api_key_name", "terminal_type", "is_remote");

    public static final Table CLAUDE_CODE = new Table("claude_code_usage", claudeCodeColumns(),
            concat(concat(CLAUDE_CODE_KEY, "customer_type"), "subscription_type"));

    public static final Table CLAUDE_CODE_MODELS = new Table("claude_code_model_usage", columns(
            "organization_id", STRING, "activity_date", DATE, "actor_type", STRING, "actor_email", STRING,
            "actor_api_key_name", STRING, "terminal_type", STRING, "is_remote", BOOL, "model", STRING,
            "input_tokens", INT64, "output_tokens", INT64, "cache_read_tokens", INT64,
            "cache_creation_tokens", INT64, "estimated_cost_usd", USD, "ingestion_timestamp", TIMESTAMP,
            "run_id", STRING),
            concat(CLAUDE_CODE_KEY, "model"));

    public static final Table RUNS = new Table("ingestion_runs", columns(
            "run_id", STRING, "organization_id", STRING, "started_at", TIMESTAMP, "finished_at", TIMESTAMP,
            "status", STRING, "reports", STRING, "days_written", INT64, "rows_written", INT64, "error", STRING,
            "version", STRING, "trigger", STRING, "cloud_run_execution", STRING, "report_counts", JSON,
            "requests_made", INT64, "retries", INT64, "duration_ms", INT64, "process", STRING),
            List.of("run_id"));

    public static final Table COVERAGE = new Table("ingestion_coverage", columns(
            "organization_id", STRING, "report", STRING, "activity_date", DATE, "row_count", INT64,
            "loaded_at", TIMESTAMP, "run_id", STRING),
            List.of("organization_id", "report", "activity_date"));

    public static final Table RESTATEMENTS = new Table("ingestion_restatements", columns(
            "organization_id", STRING, "report", STRING, "activity_date", DATE, "run_id", STRING, "measure", STRING,
            "old_row_count", INT64, "new_row_count", INT64, "old_total", CENTS, "new_total", CENTS,
            "restated_at", TIMESTAMP),
            List.of("organization_id", "report", "activity_date", "run_id"));

    /**
     * The dimension tables keep a history of each object: one row per version, valid from {@code valid_from} until
     * {@code valid_to} (exclusive; null for the current version), so that a renamed key reads correctly in old
     * months. Each starts with {@code organization_id} and the object's id and ends with these four columns.
     */
    private static final List<Object> HISTORY = List.of("valid_from", DATE, "valid_to", DATE,
            "first_seen_at", TIMESTAMP, "last_seen_at", TIMESTAMP);

    public static final Table WORKSPACES = new Table("claude_workspaces", history(
            "organization_id", STRING, "workspace_id", STRING, "name", STRING, "display_color", STRING,
            "created_at", TIMESTAMP, "archived_at", TIMESTAMP),
            List.of("organization_id", "workspace_id", "valid_from"));

    public static final Table API_KEYS = new Table("claude_api_keys", history(
            "organization_id", STRING, "api_key_id", STRING, "name", STRING, "workspace_id", STRING, "status", STRING,
            "created_at", TIMESTAMP, "created_by_id", STRING, "partial_key_hint", STRING, "expires_at", TIMESTAMP),
            List.of("organization_id", "api_key_id", "valid_from"));

    public static final Table USERS = new Table("claude_users", history(
            "organization_id", STRING, "user_id", STRING, "email", STRING, "name", STRING, "role", STRING,
            "added_at", TIMESTAMP),
            List.of("organization_id", "user_id", "valid_from"));

    public static List<Table> all() {
        return List.of(USAGE, USAGE_HOURLY, COSTS, CLAUDE_CODE, CLAUDE_CODE_MODELS, RUNS, COVERAGE, RESTATEMENTS,
                WORKSPACES, API_KEYS, USERS);
    }

    public static List<Table> dimensionTables() {
        return List.of(WORKSPACES, API_KEYS, USERS);
    }

    private static List<Column> history(Object... nameTypePairs) {
        List<Object> spec = new ArrayList<>(List.of(nameTypePairs));
        spec.addAll(HISTORY);
        return columns(spec.toArray());
    }

    /** The name of a report's headline measure ({@code FactRow.headlineTotal}) and its SQL over the first fact table. */
    public record Headline(String measure, String expression) {
    }

    public static Headline headline(ReportKind report) {
        return switch (report) {
            case USAGE, USAGE_HOURLY -> new Headline("tokens", "uncached_input_tokens + cache_creation_5m_input_tokens"
                    + " + cache_creation_1h_input_tokens + cache_read_input_tokens + output_tokens");
            case COST -> new Headline("amount_cents", "amount_cents");
            case CLAUDE_CODE -> new Headline("estimated_cost_usd", "estimated_cost_usd");
        };
    }

    /** The fact tables a report writes; the first one's rows are the ones counted in coverage. */
    public static List<Table> factTables(ReportKind report) {
        return switch (report) {
            case USAGE -> List.of(USAGE);
            case USAGE_HOURLY -> List.of(USAGE_HOURLY);
            case COST -> List.of(COSTS);
            case CLAUDE_CODE -> List.of(CLAUDE_CODE, CLAUDE_CODE_MODELS);
        };
    }

    private static List<Column> claudeCodeColumns() {
        List<Object> spec = new ArrayList<>(List.of(
                "organization_id", STRING, "activity_date", DATE, "actor_type", STRING, "actor_email", STRING,
                "actor_api_key_name", STRING, "terminal_type", STRING, "is_remote", BOOL, "customer_type", STRING,
                "subscription_type", STRING, "num_sessions", INT64, "lines_added", INT64, "lines_removed", INT64,
                "commits", INT64, "pull_requests", INT64));
        for (String tool : ClaudeCodeRow.KNOWN_TOOLS) {
            spec.addAll(List.of(tool + "_accepted", INT64, tool + "_rejected", INT64));
        }
        spec.addAll(List.of("tool_actions", JSON, "input_tokens", INT64, "output_tokens", INT64,
                "cache_read_tokens", INT64, "cache_creation_tokens", INT64, "estimated_cost_usd", USD,
                "ingestion_timestamp", TIMESTAMP, "run_id", STRING));
        return columns(spec.toArray());
    }

    private static List<Column> columns(Object... nameTypePairs) {
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            columns.add(new Column((String) nameTypePairs[i], (ColumnType) nameTypePairs[i + 1]));
        }
        return columns;
    }

    private static List<String> concat(List<String> first, String last) {
        List<String> all = new ArrayList<>(first);
        all.add(last);
        return all;
    }
}
