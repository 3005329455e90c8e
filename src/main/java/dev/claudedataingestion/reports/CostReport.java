package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.CENTS;
import static dev.claudedataingestion.model.ColumnType.DATE;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.model.ColumnType.USD;
import static dev.claudedataingestion.reports.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;

/**
 * The cost report ({@code /v1/organizations/cost_report}) in daily buckets, grouped by workspace and description:
 * one row per day and cost line. Amounts arrive as decimal strings of cents and are kept exactly, in cents and in
 * dollars.
 */
public final class CostReport extends Declaration<Endpoint.Buckets> {

    public static final Table TABLE = Table.builder("claude_costs")
            .key("organization_id", STRING).required()
            .key("activity_date", DATE).required()
            .key("workspace_id", STRING)
            .key("description", STRING)
            // Lines of one description differ by the fields it fills (context window, region, …).
            .key("cost_type", STRING)
            .key("model", STRING)
            .key("service_tier", STRING)
            .key("context_window", STRING)
            .key("token_type", STRING)
            .key("inference_geo", STRING)
            .key("currency", STRING)
            .measure("amount_cents", CENTS)
            .measure("amount_usd", USD)
            .attribute("ingestion_timestamp", TIMESTAMP)
            .attribute("run_id", STRING)
            .clusterBy("organization_id", "workspace_id", "cost_type", "model")
            .build();

    public static final CostReport INSTANCE = new CostReport();

    private CostReport() {
        super("cost", "cost", Policy.EVERY_ORGANIZATION, new Endpoint.Buckets("/v1/organizations/cost_report",
                Endpoint.BucketWidth.DAY, List.of("workspace_id", "description"), false), List.of(TABLE), MONTH_OF_DAYS,
                new Headline("amount_cents", List.of("amount_cents")));
    }

    @Override
    public void parse(JsonNode result, Instant bucketStart, Consumer<Row> rows) {
        BigDecimal cents = Json.cents(result, "amount", "cost result");
        rows.accept(new Row(TABLE)
                .set("activity_date", LocalDate.ofInstant(bucketStart, ZoneOffset.UTC))
                .set("workspace_id", text(result, "workspace_id"))
                .set("description", text(result, "description"))
                .set("cost_type", text(result, "cost_type"))
                .set("model", text(result, "model"))
                .set("service_tier", text(result, "service_tier"))
                .set("context_window", text(result, "context_window"))
                .set("token_type", text(result, "token_type"))
                .set("inference_geo", text(result, "inference_geo"))
                .set("currency", text(result, "currency"))
                .set("amount_cents", cents)
                .set("amount_usd", Cents.toUsd(cents)));
    }

}
