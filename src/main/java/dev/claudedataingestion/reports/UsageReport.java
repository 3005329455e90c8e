package dev.claudedataingestion.reports;

import static dev.claudedataingestion.model.ColumnType.DATE;
import static dev.claudedataingestion.model.ColumnType.STRING;
import static dev.claudedataingestion.model.ColumnType.TIMESTAMP;
import static dev.claudedataingestion.reports.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;

/**
 * The messages usage report ({@code /v1/organizations/usage_report/messages}), grouped by every dimension so that
 * no tuple is summed away: one row per bucket and tuple. A null dimension is kept as null: a null
 * {@code workspace_id} is the default workspace, a null {@code api_key_id} is Console usage, a null
 * {@code account_id} a request not made with OAuth. Daily and hourly buckets go to separate tables and never mix.
 */
public final class UsageReport extends Declaration<Endpoint.Buckets> {

    private static final String PATH = "/v1/organizations/usage_report/messages";
    private static final List<String> GROUP_BY = List.of("api_key_id", "workspace_id", "model", "service_tier",
            "context_window", "inference_geo", "account_id", "service_account_id");

    public static final Table TABLE = Tokens.columns(Table.builder("claude_usage")
            .key("organization_id", STRING).required()
            .attribute("activity_date", DATE).required()
            .key("bucket_start", TIMESTAMP).required()
            .key("bucket_width", STRING).required()
            .key("api_key_id", STRING)
            .key("workspace_id", STRING)
            .key("model", STRING)
            .key("service_tier", STRING)
            .key("context_window", STRING)
            .key("inference_geo", STRING)
            .key("account_id", STRING)
            .key("service_account_id", STRING))
            .attribute("ingestion_timestamp", TIMESTAMP)
            .attribute("run_id", STRING)
            .clusterBy("organization_id", "workspace_id", "model", "api_key_id")
            .build();

    /** Daily buckets, 31 to a page. */
    public static final UsageReport DAILY = new UsageReport("usage", "usage", Policy.EVERY_ORGANIZATION,
            TABLE, Endpoint.BucketWidth.DAY, MONTH_OF_DAYS);

    /** Hourly buckets ({@code --bucket-width 1h}), 168 to a page: a window is a week. */
    public static final UsageReport HOURLY = new UsageReport("usage_hourly", "hourly usage",
            Policy.ON_REQUEST, new Table("claude_usage_hourly", TABLE.columns(), TABLE.key()),
            Endpoint.BucketWidth.HOUR, WEEK_OF_DAYS);

    private final Table table;

    private UsageReport(String id, String label, Policy policy, Table table, Endpoint.BucketWidth width,
            int maxWindowDays) {
        super(id, label, policy, new Endpoint.Buckets(PATH, width, GROUP_BY, true), List.of(table),
                maxWindowDays, Tokens.HEADLINE);
        this.table = table;
    }

    @Override
    public void parse(JsonNode result, Instant bucketStart, Consumer<Row> rows) {
        rows.accept(Tokens.fill(new Row(table), result)
                .set("activity_date", LocalDate.ofInstant(bucketStart, ZoneOffset.UTC))
                .set("bucket_start", bucketStart)
                .set("bucket_width", endpoint().widthName())
                .set("api_key_id", text(result, "api_key_id"))
                .set("workspace_id", text(result, "workspace_id"))
                .set("model", text(result, "model"))
                .set("service_tier", text(result, "service_tier"))
                .set("context_window", text(result, "context_window"))
                .set("inference_geo", text(result, "inference_geo"))
                .set("account_id", text(result, "account_id"))
                .set("service_account_id", text(result, "service_account_id")));
    }

}
