package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.BOOL;
import static dev.claudedataingestion.model.ColumnType.DATE;
import static dev.claudedataingestion.model.ColumnType.INT64;
import static dev.claudedataingestion.model.ColumnType.JSON;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.model.ColumnType.USD;
import static dev.claudedataingestion.reports.Json.bool;
import static dev.claudedataingestion.reports.Json.count;
import static dev.claudedataingestion.reports.Json.excerpt;
import static dev.claudedataingestion.reports.Json.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Claude Code analytics report ({@code /v1/organizations/usage_report/claude_code}), one UTC day per request:
 * one row per day, actor, terminal and remote flag, and one row per model of its breakdown. Actors are users
 * ({@code actor_email}) or API keys ({@code actor_api_key_name}). The whole tool map is kept as JSON, so that tools
 * without columns of their own are not lost.
 */
public final class ClaudeCodeReport extends Declaration<Endpoint.DailyRecords> {

    /** The tools that have their own columns. */
    public static final List<String> KNOWN_TOOLS = List.of("edit_tool", "multi_edit_tool", "write_tool",
            "notebook_edit_tool");

    /** The token counts of a model's breakdown, each a column {@code <name>_tokens}. */
    private static final List<String> TOKENS = List.of("input", "output", "cache_read", "cache_creation");

    public static final Table TABLE = tokensAndCost(tools(actor(Table.builder("claude_code_usage"))
            .key("customer_type", STRING)
            .key("subscription_type", STRING)
            .measure("num_sessions", INT64)
            .measure("lines_added", INT64)
            .measure("lines_removed", INT64)
            .measure("commits", INT64)
            .measure("pull_requests", INT64))
            .attribute("tool_actions", JSON))
            .clusterBy("organization_id", "actor_email")
            .build();

    public static final Table MODELS_TABLE = tokensAndCost(actor(Table.builder("claude_code_model_usage"))
            .key("model", STRING))
            .clusterBy("organization_id", "model")
            .build();

    public static final ClaudeCodeReport INSTANCE = new ClaudeCodeReport();

    private static final JsonFactory JSON_TEXT = new JsonFactory();

    private ClaudeCodeReport() {
        super("claude_code", "Claude Code", Policy.EVERY_ORGANIZATION,
                new Endpoint.DailyRecords("/v1/organizations/usage_report/claude_code", 1000),
                List.of(TABLE, MODELS_TABLE), MONTH_OF_DAYS,
                new Headline("estimated_cost_usd", List.of("estimated_cost_usd")));
    }

    private static Table.Builder actor(Table.Builder table) {
        return table
                .key("organization_id", STRING).required()
                .key("activity_date", DATE).required()
                .key("actor_type", STRING).required()
                .key("actor_email", STRING)
                .key("actor_api_key_name", STRING)
                .key("terminal_type", STRING)
                .key("is_remote", BOOL);
    }

    /** The tokens and estimated cost of a record, or of one model of it, then the columns its writer fills. */
    private static Table.Builder tokensAndCost(Table.Builder table) {
        for (String token : TOKENS) {
            table.measure(token + "_tokens", INT64);
        }
        return table
                .measure("estimated_cost_usd", USD)
                .attribute("ingestion_timestamp", TIMESTAMP)
                .attribute("run_id", STRING);
    }

    private static Table.Builder tools(Table.Builder table) {
        for (String tool : KNOWN_TOOLS) {
            table.measure(tool + "_accepted", INT64).measure(tool + "_rejected", INT64);
        }
        return table;
    }

    /** The data of a day is complete an hour after it ends. */
    @Override
    public Duration settleDelay() {
        return Duration.ofHours(1);
    }

    @Override
    public void parse(JsonNode record, Instant dayStart, Consumer<Row> rows) {
        try {
            parseRecord(record, dayStart, rows);
        } catch (ArithmeticException e) {
            throw new Json.InvalidResponse(e.getMessage());
        }
    }

    private void parseRecord(JsonNode record, Instant dayStart, Consumer<Row> rows) {
        LocalDate requestedDay = LocalDate.ofInstant(dayStart, ZoneOffset.UTC);
        LocalDate day = date(record.path("date"));
        if (!day.equals(requestedDay)) {
            throw new Json.InvalidResponse("a Claude Code record for " + day + " came in the answer for " + requestedDay);
        }
        JsonNode actor = record.path("actor");
        String actorType = text(actor, "type");
        if (actorType == null) {
            throw new Json.InvalidResponse("a Claude Code record has no actor type");
        }
        Row usage = new Row(TABLE)
                .set("activity_date", day)
                .set("actor_type", actorType)
                .set("actor_email", text(actor, "email_address"))
                .set("actor_api_key_name", text(actor, "api_key_name"))
                .set("terminal_type", text(record, "terminal_type"))
                .set("is_remote", bool(record, "is_remote"));
        List<Row> models = models(record.path("model_breakdown"), usage);
        JsonNode core = record.path("core_metrics");
        JsonNode linesOfCode = core.path("lines_of_code");
        usage.set("customer_type", text(record, "customer_type"))
                .set("subscription_type", text(record, "subscription_type"))
                .set("num_sessions", count(core, "num_sessions"))
                .set("lines_added", count(linesOfCode, "added"))
                .set("lines_removed", count(linesOfCode, "removed"))
                .set("commits", count(core, "commits_by_claude_code"))
                .set("pull_requests", count(core, "pull_requests_by_claude_code"));
        toolActions(record.path("tool_actions"), usage);
        BigDecimal cost = BigDecimal.ZERO;
        long[] tokens = new long[TOKENS.size()];
        for (Row model : models) {
            cost = cost.add(model.decimal("estimated_cost_usd"));
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = Math.addExact(tokens[i], model.int64(TOKENS.get(i) + "_tokens"));
            }
        }
        for (int i = 0; i < tokens.length; i++) {
            usage.set(TOKENS.get(i) + "_tokens", tokens[i]);
        }
        usage.set("estimated_cost_usd", cost);
        rows.accept(usage);
        models.forEach(rows);
    }

    /** The {@code date} has been seen as {@code 2025-08-08} and as {@code 2025-08-08T00:00:00Z}. */
    private static LocalDate date(JsonNode date) {
        if (!date.isTextual()) {
            throw new Json.InvalidResponse("a Claude Code record has no date");
        }
        String text = date.asText();
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text);
            }
            OffsetDateTime instant = OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
            if (!instant.toLocalTime().equals(LocalTime.MIDNIGHT)) {
                throw new Json.InvalidResponse("Claude Code record date " + excerpt(text) + " is not a UTC midnight");
            }
            return instant.toLocalDate();
        } catch (DateTimeParseException e) {
            throw new Json.InvalidResponse("Claude Code record date '" + excerpt(text)
                    + "' is neither YYYY-MM-DD nor RFC 3339");
        }
    }

    /** The known tools' columns, and the whole map as JSON with its keys sorted. */
    private static void toolActions(JsonNode node, Row usage) {
        Map<String, long[]> tools = new TreeMap<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> tool : node.properties()) {
                tools.put(tool.getKey(), new long[] {count(tool.getValue(), "accepted"),
                    count(tool.getValue(), "rejected")});
            }
        } else if (!node.isMissingNode() && !node.isNull()) {
            throw new Json.InvalidResponse("tool_actions is not an object");
        }
        for (String tool : KNOWN_TOOLS) {
            long[] actions = tools.getOrDefault(tool, new long[2]);
            usage.set(tool + "_accepted", actions[0]).set(tool + "_rejected", actions[1]);
        }
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON_TEXT.createGenerator(text)) {
            json.writeStartObject();
            for (Map.Entry<String, long[]> tool : tools.entrySet()) {
                json.writeObjectFieldStart(tool.getKey());
                json.writeNumberField("accepted", tool.getValue()[0]);
                json.writeNumberField("rejected", tool.getValue()[1]);
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        usage.set("tool_actions", text.toString());
    }

    private static List<Row> models(JsonNode node, Row usage) {
        List<Row> models = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode entry : node) {
                JsonNode tokens = entry.path("tokens");
                JsonNode cost = entry.path("estimated_cost");
                Row model = new Row(MODELS_TABLE);
                for (String column : List.of("activity_date", "actor_type", "actor_email", "actor_api_key_name",
                        "terminal_type", "is_remote")) {
                    model.set(column, usage.get(column));
                }
                model.set("model", text(entry, "model"));
                for (String token : TOKENS) {
                    model.set(token + "_tokens", count(tokens, token));
                }
                BigDecimal cents = cost.isMissingNode() || cost.isNull() ? BigDecimal.ZERO
                        : Json.cents(cost, "amount", "Claude Code estimated_cost");
                models.add(model.set("estimated_cost_usd", Cents.toUsd(cents)));
            }
        } else if (!node.isMissingNode() && !node.isNull()) {
            throw new Json.InvalidResponse("model_breakdown is not an array");
        }
        return models;
    }

}
