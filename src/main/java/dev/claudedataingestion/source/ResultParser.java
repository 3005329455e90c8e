package dev.claudedataingestion.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.ClaudeCodeModelRow;
import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.CostRow;
import dev.claudedataingestion.model.UsageRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one result object of a report into a row. Strict where a wrong value would change a total (numbers
 * must be numbers, counts must fit 64 bits, amounts must fit the warehouse's columns, times must be plausible);
 * lenient about vocabulary (unknown fields are ignored, unknown enum values are kept). Failures are
 * {@link InvalidResponse}s that name the field and show at most a short excerpt of the value.
 */
final class ResultParser {

    /** Whole digits an amount may have: cents up to 10^18, far beyond any bill, and what the columns hold. */
    static final int AMOUNT_DIGITS = 18;
    /** Fractional digits an amount may have, as the columns keep them exactly. */
    static final int AMOUNT_SCALE = dev.claudedataingestion.model.Cents.SCALE;
    /** Times outside these years are not the API's data but a broken answer. */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
    private static final int EXCERPT = 40;

    /** {@code text} for a message: control characters escaped, at most 40 characters. */
    static String excerpt(String text) {
        return AdminApiException.excerpt(text, EXCERPT);
    }

    /** A value in a response that breaks the documented structure. */
    static final class InvalidResponse extends RuntimeException {
        InvalidResponse(String message) {
            super(message);
        }
    }

    private ResultParser() {
    }

    static UsageRow usage(JsonNode result, Instant bucketStart, String bucketWidth) {
        JsonNode cacheCreation = result.path("cache_creation");
        return new UsageRow(
                bucketStart,
                bucketWidth,
                text(result, "api_key_id"),
                text(result, "workspace_id"),
                text(result, "model"),
                text(result, "service_tier"),
                text(result, "context_window"),
                text(result, "inference_geo"),
                text(result, "account_id"),
                text(result, "service_account_id"),
                count(result, "uncached_input_tokens"),
                count(cacheCreation, "ephemeral_5m_input_tokens"),
                count(cacheCreation, "ephemeral_1h_input_tokens"),
                count(result, "cache_read_input_tokens"),
                count(result, "output_tokens"),
                count(result.path("server_tool_use"), "web_search_requests"));
    }

    static CostRow cost(JsonNode result, LocalDate day) {
        try {
            return new CostRow(
                    day,
                    text(result, "workspace_id"),
                    text(result, "description"),
                    text(result, "cost_type"),
                    text(result, "model"),
                    text(result, "service_tier"),
                    text(result, "context_window"),
                    text(result, "token_type"),
                    text(result, "inference_geo"),
                    text(result, "currency"),
                    decimal(result, "amount", "cost result"));
        } catch (ArithmeticException e) {
            throw new InvalidResponse(e.getMessage());
        }
    }

    static ClaudeCodeRow claudeCode(JsonNode record, LocalDate requestedDay) {
        LocalDate day = claudeCodeDate(record.path("date"));
        if (!day.equals(requestedDay)) {
            throw new InvalidResponse("a Claude Code record for " + day + " came in the answer for " + requestedDay);
        }
        JsonNode actor = record.path("actor");
        String actorType = text(actor, "type");
        if (actorType == null) {
            throw new InvalidResponse("a Claude Code record has no actor type");
        }
        JsonNode core = record.path("core_metrics");
        JsonNode linesOfCode = core.path("lines_of_code");
        try {
            return new ClaudeCodeRow(
                    day,
                    actorType,
                    text(actor, "email_address"),
                    text(actor, "api_key_name"),
                    text(record, "terminal_type"),
                    bool(record, "is_remote"),
                    text(record, "customer_type"),
                    text(record, "subscription_type"),
                    count(core, "num_sessions"),
                    count(linesOfCode, "added"),
                    count(linesOfCode, "removed"),
                    count(core, "commits_by_claude_code"),
                    count(core, "pull_requests_by_claude_code"),
                    toolActions(record.path("tool_actions")),
                    models(record.path("model_breakdown")));
        } catch (ArithmeticException e) {
            throw new InvalidResponse(e.getMessage());
        }
    }

    /** The Claude Code {@code date} has been seen as {@code 2025-08-08} and as {@code 2025-08-08T00:00:00Z}. */
    private static LocalDate claudeCodeDate(JsonNode date) {
        if (!date.isTextual()) {
            throw new InvalidResponse("a Claude Code record has no date");
        }
        String text = date.asText();
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text);
            }
            OffsetDateTime instant = OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
            if (!instant.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
                throw new InvalidResponse("Claude Code record date " + excerpt(text) + " is not a UTC midnight");
            }
            return instant.toLocalDate();
        } catch (DateTimeParseException e) {
            throw new InvalidResponse("Claude Code record date '" + excerpt(text) + "' is neither YYYY-MM-DD nor RFC 3339");
        }
    }

    private static Map<String, ClaudeCodeRow.ToolActions> toolActions(JsonNode node) {
        Map<String, ClaudeCodeRow.ToolActions> tools = new LinkedHashMap<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> tool : node.properties()) {
                tools.put(tool.getKey(), new ClaudeCodeRow.ToolActions(
                        count(tool.getValue(), "accepted"), count(tool.getValue(), "rejected")));
            }
        } else if (!node.isMissingNode() && !node.isNull()) {
            throw new InvalidResponse("tool_actions is not an object");
        }
        return tools;
    }

    private static List<ClaudeCodeModelRow> models(JsonNode node) {
        List<ClaudeCodeModelRow> models = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode entry : node) {
                JsonNode tokens = entry.path("tokens");
                JsonNode cost = entry.path("estimated_cost");
                models.add(new ClaudeCodeModelRow(
                        text(entry, "model"),
                        count(tokens, "input"),
                        count(tokens, "output"),
                        count(tokens, "cache_read"),
                        count(tokens, "cache_creation"),
                        cost.isMissingNode() || cost.isNull() ? BigDecimal.ZERO
                                : decimal(cost, "amount", "Claude Code estimated_cost")));
            }
        } else if (!node.isMissingNode() && !node.isNull()) {
            throw new InvalidResponse("model_breakdown is not an array");
        }
        return models;
    }

    /** A dimension or label: null when absent, the text otherwise (unknown values are kept as they come). */
    static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isContainerNode()) {
            throw new InvalidResponse(field + " is " + node.getNodeType().name().toLowerCase() + ", not a value");
        }
        return node.asText();
    }

    /** A count: absent or null is zero; anything but a whole number fails, since it would change a total. */
    static long count(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            BigDecimal number = node.decimalValue();
            // A scale check first: 1e999999999 must not be expanded to find out it is too large.
            if (number.precision() - number.scale() <= 19 && node.canConvertToExactIntegral()) {
                try {
                    return number.longValueExact();
                } catch (ArithmeticException e) {
                    // reported below
                }
            }
            throw new InvalidResponse(field + " is " + excerpt(number.toString()) + ", not a whole number that fits"
                    + " 64 bits");
        }
        throw new InvalidResponse(field + " is '" + excerpt(node.asText()) + "', not a whole number");
    }

    /** An RFC 3339 time, or null when absent. */
    static Instant instant(JsonNode parent, String field) {
        String text = text(parent, field);
        if (text == null) {
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidResponse(field + " '" + excerpt(text) + "' is not an RFC 3339 time");
        }
        if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
            throw new InvalidResponse(field + " '" + excerpt(text) + "' is not a plausible time (before 1970 or after"
                    + " 2199)");
        }
        return instant;
    }

    private static Boolean bool(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new InvalidResponse(field + " is '" + excerpt(node.asText()) + "', not true or false");
        }
        return node.booleanValue();
    }

    /** An exact decimal, from a JSON string or number; never through a double. */
    static BigDecimal decimal(JsonNode parent, String field, String what) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidResponse(what + " has no " + field);
        }
        BigDecimal amount;
        if (node.isNumber()) {
            amount = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                amount = new BigDecimal(node.asText().strip());
            } catch (NumberFormatException e) {
                throw new InvalidResponse(what + " " + field + " '" + excerpt(node.asText()) + "' is not a number");
            }
        } else {
            throw new InvalidResponse(what + " " + field + " is not a number");
        }
        // Checked by its digits, never by writing it out: 1e999999999 has a billion.
        BigDecimal normalized = amount.signum() == 0 ? BigDecimal.ZERO : amount.stripTrailingZeros();
        if (normalized.precision() - normalized.scale() > AMOUNT_DIGITS || normalized.scale() > AMOUNT_SCALE) {
            throw new InvalidResponse(what + " " + field + " " + excerpt(node.isTextual() ? node.asText().strip()
                    : amount.toString()) + " is outside what an amount can be (at most " + AMOUNT_DIGITS
                    + " whole and " + AMOUNT_SCALE + " decimal digits)");
        }
        return amount;
    }
}
