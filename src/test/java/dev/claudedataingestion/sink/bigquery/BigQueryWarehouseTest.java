package dev.claudedataingestion.sink.bigquery;

import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.WarehouseContractTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The warehouse contract on BigQuery, through the official client, against {@link BigQueryFake}. */
class BigQueryWarehouseTest extends WarehouseContractTest {

    static final String PROJECT = "test-project";
    static final String DATASET = "ai_usage_analytics";

    private BigQueryFake fake;

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
        return new BigQueryWarehouse(client(fake), PROJECT, DATASET, "US", Duration.ofMillis(1));
    }

    @Override
    protected Warehouse reopenReadOnly() {
        return reopen();
    }

    @Override
    protected void createOldTable(String table, Map<String, String> columns) {
        createOldTable(client(fake), TableId.of(PROJECT, DATASET, table), columns);
    }

    /** Replaces {@code id} with a table of the given columns, their SQL types read as BigQuery's. */
    static void createOldTable(BigQuery bigquery, TableId id, Map<String, String> columns) {
        bigquery.delete(id);
        List<Field> fields = columns.entrySet().stream().map(c -> Field.of(c.getKey(),
                c.getValue().startsWith("VARCHAR") ? StandardSQLTypeName.STRING
                        : c.getValue().startsWith("NUMERIC") ? StandardSQLTypeName.BIGNUMERIC
                        : StandardSQLTypeName.valueOf(c.getValue()))).toList();
        bigquery.create(TableInfo.of(id, StandardTableDefinition.of(Schema.of(fields))));
    }

    @AfterEach
    void stopFake() throws Exception {
        fake.close();
    }
}
