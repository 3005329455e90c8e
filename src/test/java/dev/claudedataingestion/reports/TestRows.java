package dev.claudedataingestion.reports;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudedataingestion.model.Row;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Report rows for tests, made the way production makes them: by the report's declaration, from the API's JSON. */
public final class TestRows {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private TestRows() {
    }

    /** The rows {@code report} makes of one element of an answer, given as JSON. */
    public static List<Row> parse(Report report, Instant periodStart, String element) {
        List<Row> rows = new ArrayList<>();
        report.parse(json(element), periodStart, rows::add);
        return rows;
    }

    /** A daily usage row of key {@code key} in workspace wrkspc_1, with {@code output} output tokens. */
    public static Row usage(LocalDate day, String key, long output) {
        return parse(UsageReport.DAILY, start(day), """
                {"api_key_id": "%s", "workspace_id": "wrkspc_1", "model": "claude-x", "service_tier": "standard",
                 "context_window": "0-200k", "inference_geo": "global", "uncached_input_tokens": 10,
                 "cache_creation": {"ephemeral_5m_input_tokens": 1, "ephemeral_1h_input_tokens": 2},
                 "cache_read_input_tokens": 3, "output_tokens": %d}""".formatted(key, output)).get(0);
    }

    /** A cost line of workspace wrkspc_1 with {@code description}, of {@code cents}. */
    public static Row cost(LocalDate day, String description, String cents) {
        ObjectNode line = (ObjectNode) json("""
                {"workspace_id": "wrkspc_1", "cost_type": "tokens", "model": "claude-x", "service_tier": "standard",
                 "context_window": "0-200k", "token_type": "output_tokens", "inference_geo": "global",
                 "currency": "USD"}""");
        line.put("description", description).put("amount", cents);
        return parse(CostReport.INSTANCE, start(day), line.toString()).get(0);
    }

    /**
     * The rows of a Claude Code record of {@code day}: the record's own row first, then one per model. {@code record}
     * is the record's JSON without its date.
     */
    public static List<Row> claudeCode(LocalDate day, String record) {
        ObjectNode node = (ObjectNode) json(record);
        node.put("date", day.toString());
        return parse(ClaudeCodeReport.INSTANCE, start(day), node.toString());
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
