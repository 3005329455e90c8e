package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.INT64;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.reports.Json.count;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.AnalyticsGrouping;
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
 * per day and group (by default actor, API key, workspace, model and product), with every measure the API gives
 * (requests and total tokens included).
 */
public final class AnalyticsUsageReport extends Analytics {

    /** The {@code anthropic-beta} header both analytics endpoints require. */
    public static final String BETA = "analytics-usage-cost-2026-08-24";

    public static final Table TABLE = Tokens.columns(AnalyticsGroup.columns(Table.builder("claude_usage_attributed"),
            List.of()))
            .measure("total_tokens", INT64)
            .measure("requests", INT64).optional()
            .attribute("ingestion_timestamp", TIMESTAMP)
            .attribute("run_id", STRING)
            .clusterBy("organization_id", "actor_id", "api_key_id", "model")
            .build();

    public static final AnalyticsUsageReport INSTANCE = new AnalyticsUsageReport(AnalyticsGrouping.DEFAULT);

    private AnalyticsUsageReport(AnalyticsGrouping grouping) {
        super("analytics_usage", "attributed usage", new Endpoint.Rows("/v1/organizations/analytics/usage", BETA,
                Duration.ofDays(1), "1d", 1000, grouping.dimensions()), TABLE, Tokens.HEADLINE, grouping);
    }

    @Override
    AnalyticsUsageReport groupedBy(AnalyticsGrouping grouping) {
        return new AnalyticsUsageReport(grouping);
    }

    @Override
    public void parse(JsonNode element, Instant bucketStart, Consumer<Row> rows) {
        JsonNode usage = element.path("usage");
        JsonNode requests = usage.get("requests");
        Row row = Tokens.fill(AnalyticsGroup.fill(new Row(TABLE), element.path("group"), groupedBy(),
                List.of()), usage)
                .set("activity_date", LocalDate.ofInstant(bucketStart, ZoneOffset.UTC))
                .set("total_tokens", count(usage, "total_tokens"))
                .set("requests", requests == null || requests.isNull() ? null : count(usage, "requests"));
        rows.accept(row);
    }
}
