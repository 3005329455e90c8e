package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.CENTS;
import static dev.claudedataingestion.model.ColumnType.INT64;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.model.ColumnType.USD;
import static dev.claudedataingestion.reports.Json.count;
import static dev.claudedataingestion.reports.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Billed cost from the Usage and Cost Analytics API ({@code /v1/organizations/analytics/cost}), attributed: one row
 * per day, group, cost type and token type. {@code amount} (after discounts, before credits) and {@code list_amount}
 * (before discounts) arrive as decimal strings of cents and are kept exactly, in cents and in dollars.
 */
public final class AnalyticsCostReport extends Analytics {

    /** Grouped by these too; they do not count toward the API's five dimensions. */
    public static final List<String> FAN_OUT = List.of("cost_type", "token_type");

    public static final Table TABLE = AnalyticsGroup.columns(Table.builder("claude_cost_attributed"), FAN_OUT)
            .attribute("currency", STRING)
            .measure("amount_cents", CENTS)
            .measure("list_amount_cents", CENTS)
            .measure("amount_usd", USD)
            .measure("list_amount_usd", USD)
            .measure("requests", INT64).optional()
            .attribute("ingestion_timestamp", TIMESTAMP)
            .attribute("run_id", STRING)
            .clusterBy("organization_id", "actor_id", "api_key_id", "model")
            .build();

    public static final AnalyticsCostReport INSTANCE = new AnalyticsCostReport(AnalyticsGrouping.DEFAULT);

    private AnalyticsCostReport(AnalyticsGrouping grouping) {
        super("analytics_cost", "attributed cost", new Endpoint.Rows("/v1/organizations/analytics/cost",
                AnalyticsUsageReport.BETA, Duration.ofDays(1), "1d", 1000, fannedOut(grouping)), TABLE,
                new Headline("amount_cents", List.of("amount_cents")), grouping);
    }

    @Override
    AnalyticsCostReport groupedBy(AnalyticsGrouping grouping) {
        return new AnalyticsCostReport(grouping);
    }

    private static List<String> fannedOut(AnalyticsGrouping grouping) {
        List<String> dimensions = new ArrayList<>(grouping.dimensions());
        dimensions.addAll(FAN_OUT);
        return List.copyOf(dimensions);
    }

    @Override
    public void parse(JsonNode element, Instant bucketStart, Consumer<Row> rows) {
        JsonNode cost = element.path("cost");
        BigDecimal amount = Json.cents(cost, "amount", "cost row");
        BigDecimal list = Json.cents(cost, "list_amount", "cost row");
        JsonNode requests = cost.get("requests");
        rows.accept(AnalyticsGroup.fill(new Row(TABLE), element.path("group"), groupedBy(), FAN_OUT)
                .set("activity_date", LocalDate.ofInstant(bucketStart, ZoneOffset.UTC))
                .set("currency", text(cost, "currency"))
                .set("amount_cents", amount)
                .set("list_amount_cents", list)
                .set("amount_usd", Cents.toUsd(amount))
                .set("list_amount_usd", Cents.toUsd(list))
                .set("requests", requests == null || requests.isNull() ? null : count(cost, "requests")));
    }

}
