package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.INT64;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.reports.Json.count;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;

/**
 * Token usage from the Usage and Cost Analytics API ({@code /v1/organizations/analytics/usage}), attributed: one row
 * per day and group, grouped by actor, API key, workspace, model and product, with every measure the API gives
 * (requests and total tokens included).
 */
public final class AnalyticsUsageReport extends Analytics {

    /** The {@code anthropic-beta} header both analytics endpoints require. */
    public static final String BETA = "analytics-usage-cost-2026-08-24";
    /** The grouping: at most five dimensions. */
    public static final List<String> GROUP_BY = List.of("actor", "api_key_id", "workspace_id", "model", "product");

    public static final Table TABLE = AnalyticsGroup.columns(Table.builder("claude_usage_attributed"), List.of())
            .measure("uncached_input_tokens", INT64)
            .measure("cache_creation_5m_input_tokens", INT64)
            .measure("cache_creation_1h_input_tokens", INT64)
            .measure("cache_read_input_tokens", INT64)
            .measure("output_tokens", INT64)
            .measure("web_search_requests", INT64)
            .measure("total_tokens", INT64)
            .measure("requests", INT64).optional()
            .attribute("ingestion_timestamp", TIMESTAMP)
            .attribute("run_id", STRING)
            .clusterBy("organization_id", "actor_id", "api_key_id", "model")
            .build();

    public static final AnalyticsUsageReport INSTANCE = new AnalyticsUsageReport();

    private AnalyticsUsageReport() {
        super("analytics_usage", "attributed usage", new Endpoint.Rows("/v1/organizations/analytics/usage", BETA,
                Duration.ofDays(1), "1d", 1000, GROUP_BY), TABLE, new Headline("tokens",
                List.of("uncached_input_tokens", "cache_creation_5m_input_tokens", "cache_creation_1h_input_tokens",
                        "cache_read_input_tokens", "output_tokens")));
    }

    @Override
    public void parse(JsonNode element, Instant bucketStart, Consumer<Row> rows) {
        JsonNode usage = element.path("usage");
        JsonNode cacheCreation = usage.path("cache_creation");
        JsonNode requests = usage.get("requests");
        Row row = AnalyticsGroup.fill(new Row(TABLE), element.path("group"), String.join(",", GROUP_BY), List.of())
                .set("activity_date", LocalDate.ofInstant(bucketStart, ZoneOffset.UTC))
                .set("uncached_input_tokens", count(usage, "uncached_input_tokens"))
                .set("cache_creation_5m_input_tokens", count(cacheCreation, "ephemeral_5m_input_tokens"))
                .set("cache_creation_1h_input_tokens", count(cacheCreation, "ephemeral_1h_input_tokens"))
                .set("cache_read_input_tokens", count(usage, "cache_read_input_tokens"))
                .set("output_tokens", count(usage, "output_tokens"))
                .set("web_search_requests", count(usage.path("server_tool_use"), "web_search_requests"))
                .set("total_tokens", count(usage, "total_tokens"))
                .set("requests", requests == null || requests.isNull() ? null : count(usage, "requests"));
        rows.accept(row);
    }

}
