package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.TimePartitioning;
import dev.claudedataingestion.model.Backoff;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseContractTest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/** The warehouse contract on BigQuery, through the official client, against {@link BigQueryFake}. */
class BigQueryWarehouseTest extends WarehouseContractTest {

    static final String PROJECT = "test-project";
    static final String DATASET = "ai_usage_analytics";

    private BigQueryFake fake;

    /** Options as in production, but with millisecond pauses and no deadline. */
    static BigQueryWarehouse.Options options(String location) {
        return new BigQueryWarehouse.Options(Optional.of(location), Deadline.none(Clock.systemUTC()),
                new Backoff(5, Duration.ofMillis(1), Duration.ofMillis(16)), Duration.ofMillis(5), 10_000_000_000L);
    }

    static BigQuery client(BigQueryFake fake) {
        return BigQueryOptions.newBuilder().setProjectId(PROJECT).setLocation("US").setHost(fake.url().toString())
                .setCredentials(NoCredentials.getInstance()).build().getService();
    }

    @Override
    protected Warehouse openWarehouse() {
        try {
            fake = new BigQueryFake();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return reopen();
    }

    @Override
    protected Warehouse reopen() {
        return new BigQueryWarehouse(client(fake), PROJECT, DATASET, options("US"));
    }

    @Override
    protected Warehouse reopenReadOnly() {
        return reopen();
    }

    @Override
    protected void createOldTable(String table, Map<String, String> columns) {
        createOldTable(client(fake), TableId.of(PROJECT, DATASET, table), columns);
    }

    /**
     * Replaces {@code id} with a table of the given columns, their SQL types read as BigQuery's, partitioned by
     * {@code activity_date} when it has one, as every earlier version created them.
     */
    static void createOldTable(BigQuery bigquery, TableId id, Map<String, String> columns) {
        bigquery.delete(id);
        List<Field> fields = columns.entrySet().stream().map(c -> Field.of(c.getKey(),
                c.getValue().startsWith("VARCHAR") ? StandardSQLTypeName.STRING
                        : c.getValue().startsWith("NUMERIC") ? StandardSQLTypeName.BIGNUMERIC
                        : StandardSQLTypeName.valueOf(c.getValue()))).toList();
        StandardTableDefinition.Builder definition = StandardTableDefinition.newBuilder().setSchema(Schema.of(fields));
        if (columns.containsKey("activity_date")) {
            definition.setTimePartitioning(TimePartitioning.newBuilder(TimePartitioning.Type.DAY)
                    .setField("activity_date").build());
        }
        bigquery.create(TableInfo.of(id, definition.build()));
    }

    @AfterEach
    void stopFake() throws Exception {
        fake.close();
    }
}
