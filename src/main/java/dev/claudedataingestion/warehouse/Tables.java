package dev.claudedataingestion.warehouse;

import static dev.claudedataingestion.model.ColumnType.BOOL;
import static dev.claudedataingestion.model.ColumnType.CENTS;
import static dev.claudedataingestion.model.ColumnType.DATE;
import static dev.claudedataingestion.model.ColumnType.INT64;
import static dev.claudedataingestion.model.ColumnType.JSON;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.model.ColumnType.USD;

import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.ColumnType;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Reports;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The table contract of DESIGN.md beyond the reports' own tables (which their declarations in {@code reports} hold):
 * the ledger and the dimension history, the same on every backend.
 */
public final class Tables {

    private Tables() {
    }

    public static final Table RUNS = new Table("ingestion_runs", columns(
            "run_id", STRING, "organization_id", STRING, "started_at", TIMESTAMP, "finished_at", TIMESTAMP,
            "status", STRING, "reports", STRING, "days_written", INT64, "rows_written", INT64, "error", STRING,
            "version", STRING, "trigger", STRING, "cloud_run_execution", STRING, "report_counts", JSON,
            "requests_made", INT64, "retries", INT64, "duration_ms", INT64, "process", STRING),
            List.of("run_id"));

    public static final Table COVERAGE = new Table("ingestion_coverage", columns(
            "organization_id", STRING, "report", STRING, "activity_date", DATE, "row_count", INT64,
            "loaded_at", TIMESTAMP, "run_id", STRING),
            List.of("organization_id", "report", "activity_date"), List.of("organization_id", "report"));

    public static final Table RESTATEMENTS = new Table("ingestion_restatements", columns(
            "organization_id", STRING, "report", STRING, "activity_date", DATE, "run_id", STRING, "measure", STRING,
            "old_row_count", INT64, "new_row_count", INT64, "old_total", CENTS, "new_total", CENTS,
            "restated_at", TIMESTAMP),
            List.of("organization_id", "report", "activity_date", "run_id"));

    /**
     * What {@code notify} last told the team, per organization and subject ({@code check:freshness},
     * {@code digest:daily}, …): the state it announced (a check's status, a digest's period), so that a state is
     * never sent twice.
     */
    public static final Table NOTIFICATIONS = new Table("ingestion_notifications", columns(
            "organization_id", STRING, "subject", STRING, "state", STRING, "message", STRING,
            "notified_at", TIMESTAMP),
            List.of("organization_id", "subject"));

    /**
     * The dimension tables keep a history of each object: one row per version, valid from {@code valid_from} until
     * {@code valid_to} (exclusive; null for the current version), so that a renamed key reads correctly in old
     * months. Each starts with {@code organization_id} and the object's id and ends with these four columns.
     */
    private static final List<Object> HISTORY = List.of("valid_from", DATE, "valid_to", DATE,
            "first_seen_at", TIMESTAMP, "last_seen_at", TIMESTAMP);

    public static final Table WORKSPACES = new Table("claude_workspaces", history(
            "organization_id", STRING, "workspace_id", STRING, "name", STRING, "display_color", STRING,
            "created_at", TIMESTAMP, "archived_at", TIMESTAMP, "is_default", BOOL),
            List.of("organization_id", "workspace_id", "valid_from"));

    public static final Table API_KEYS = new Table("claude_api_keys", history(
            "organization_id", STRING, "api_key_id", STRING, "name", STRING, "workspace_id", STRING, "status", STRING,
            "created_at", TIMESTAMP, "created_by_id", STRING, "partial_key_hint", STRING, "expires_at", TIMESTAMP),
            List.of("organization_id", "api_key_id", "valid_from"));

    public static final Table USERS = new Table("claude_users", history(
            "organization_id", STRING, "user_id", STRING, "email", STRING, "name", STRING, "role", STRING,
            "added_at", TIMESTAMP),
            List.of("organization_id", "user_id", "valid_from"));

    /** The organization's name, as {@code /v1/organizations/me} gives it, with history: FOCUS's BillingAccountName. */
    public static final Table ORGANIZATIONS = new Table("claude_organizations", history(
            "organization_id", STRING, "name", STRING),
            List.of("organization_id", "valid_from"));

    /**
     * Whom the Usage and Cost Analytics API attributes usage to: users (a deleted one flagged), service accounts,
     * federated identities ({@code actor_id} is the subject, {@code provider} aws, gcp, azure or oidc) and API keys,
     * as the attributed tables named them when they were loaded.
     */
    public static final Table ACTORS = new Table("claude_actors", history(
            "organization_id", STRING, "actor_id", STRING, "actor_type", STRING, "email", STRING, "name", STRING,
            "deleted", BOOL, "provider", STRING),
            List.of("organization_id", "actor_id", "valid_from"));

    /**
     * Claude Code's own OpenTelemetry events, as {@code serve} receives them: one row per event, whatever the
     * exporter retried, identified by {@code event_key} (a digest of the session, prompt, sequence, event name and
     * time). Documented attributes are columns; the rest, and the resource's, are {@code attributes}. {@code prompt}
     * holds a prompt's or a response's text only where Claude Code sent it and {@code serve} was told to keep it.
     */
    public static final Table CLAUDE_CODE_EVENTS = new Table("claude_code_events", columns(
            "event_key", STRING, "organization_id", STRING, "event_name", STRING, "event_time", TIMESTAMP,
            "activity_date", DATE, "session_id", STRING, "prompt_id", STRING, "event_sequence", INT64,
            "user_id", STRING, "user_account_id", STRING, "user_email", STRING, "provider", STRING, "model", STRING,
            "input_tokens", INT64, "output_tokens", INT64, "cache_read_tokens", INT64, "cache_creation_tokens", INT64,
            "cost_usd", USD, "duration_ms", INT64, "request_id", STRING, "speed", STRING, "query_source", STRING,
            "effort", STRING, "terminal_type", STRING, "tool_name", STRING, "success", BOOL, "decision", STRING,
            "decision_source", STRING, "error", STRING, "status_code", STRING, "attempt", INT64,
            "service_version", STRING, "prompt", STRING,
            "attributes", JSON, "received_at", TIMESTAMP),
            List.of("event_key"), List.of("organization_id", "event_name", "user_account_id"));

    /**
     * Claude Code's own OpenTelemetry metrics: one row per data point (delta temporality: each point counts only its
     * own window), identified by {@code point_key} (a digest of the resource, name, attributes and window).
     */
    public static final Table CLAUDE_CODE_METRICS = new Table("claude_code_metrics", columns(
            "point_key", STRING, "organization_id", STRING, "metric_name", STRING, "unit", STRING,
            "start_time", TIMESTAMP, "end_time", TIMESTAMP, "activity_date", DATE, "session_id", STRING,
            "user_account_id", STRING, "user_email", STRING, "provider", STRING, "model", STRING, "type", STRING,
            "value", USD, "service_version", STRING, "attributes", JSON, "received_at", TIMESTAMP),
            List.of("point_key"), List.of("organization_id", "metric_name", "user_account_id"));

    /** The tables {@code serve} writes, each row once, identified by its one key column. */
    public static List<Table> telemetry() {
        return List.of(CLAUDE_CODE_EVENTS, CLAUDE_CODE_METRICS);
    }

    /** The one column that identifies a row of a telemetry table. */
    public static String telemetryKey(Table table) {
        if (!telemetry().contains(table)) {
            throw new IllegalArgumentException(table + " is not a telemetry table");
        }
        return table.key().get(0);
    }

    /**
     * The days telemetry rows fall on, first to last. A row's key digests its time, so a repeat of it falls on the
     * same day: these days bound the search for keys already stored.
     */
    public static DayRange telemetryDays(Collection<Row> rows) {
        LocalDate first = rows.stream().map(row -> row.date("activity_date")).min(LocalDate::compareTo).orElseThrow();
        LocalDate last = rows.stream().map(row -> row.date("activity_date")).max(LocalDate::compareTo).orElseThrow();
        return DayRange.of(first, last);
    }

    /** Every table: the reports' tables, then the ledger and the dimensions. */
    public static List<Table> all() {
        List<Table> all = new ArrayList<>(Reports.factTables());
        all.addAll(List.of(RUNS, COVERAGE, RESTATEMENTS, NOTIFICATIONS, ORGANIZATIONS, WORKSPACES, API_KEYS, USERS,
                ACTORS));
        all.addAll(telemetry());
        return all;
    }

    private static List<Column> history(Object... nameTypePairs) {
        List<Object> spec = new ArrayList<>(List.of(nameTypePairs));
        spec.addAll(HISTORY);
        return columns(spec.toArray());
    }

    private static List<Column> columns(Object... nameTypePairs) {
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            columns.add(new Column((String) nameTypePairs[i], (ColumnType) nameTypePairs[i + 1]));
        }
        return columns;
    }
}
