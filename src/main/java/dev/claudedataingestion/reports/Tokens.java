package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.INT64;
import static dev.claudedataingestion.reports.Json.count;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.util.List;

/**
 * The token counts and web searches both usage reports give, under the same column names, and their headline: all
 * tokens.
 */
final class Tokens {

    /** The columns that add up to all tokens. */
    private static final List<String> ALL = List.of("uncached_input_tokens", "cache_creation_5m_input_tokens",
            "cache_creation_1h_input_tokens", "cache_read_input_tokens", "output_tokens");

    static final Report.Headline HEADLINE = new Report.Headline("tokens", ALL);

    private Tokens() {
    }

    /** The token and web search measures. */
    static Table.Builder columns(Table.Builder table) {
        ALL.forEach(column -> table.measure(column, INT64));
        return table.measure("web_search_requests", INT64);
    }

    /** Fills the token and web search measures from a usage object of either API. */
    static Row fill(Row row, JsonNode usage) {
        JsonNode cacheCreation = usage.path("cache_creation");
        return row
                .set("uncached_input_tokens", count(usage, "uncached_input_tokens"))
                .set("cache_creation_5m_input_tokens", count(cacheCreation, "ephemeral_5m_input_tokens"))
                .set("cache_creation_1h_input_tokens", count(cacheCreation, "ephemeral_1h_input_tokens"))
                .set("cache_read_input_tokens", count(usage, "cache_read_input_tokens"))
                .set("output_tokens", count(usage, "output_tokens"))
                .set("web_search_requests", count(usage.path("server_tool_use"), "web_search_requests"));
    }
}
