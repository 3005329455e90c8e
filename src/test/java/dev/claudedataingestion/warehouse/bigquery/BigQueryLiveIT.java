package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.TableId;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseContractTest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The warehouse contract against real BigQuery, in a throwaway dataset that is deleted afterwards. Opt-in: it runs
 * only with {@code BIGQUERY_IT_PROJECT} set and Application Default Credentials that may create datasets there.
 */
@EnabledIfEnvironmentVariable(named = "BIGQUERY_IT_PROJECT", matches = ".+",
        disabledReason = "set BIGQUERY_IT_PROJECT (and Application Default Credentials) to run the warehouse"
                + " contract against real BigQuery")
class BigQueryLiveIT extends WarehouseContractTest {

    private final String project = System.getenv("BIGQUERY_IT_PROJECT");
    private final String location = System.getenv().getOrDefault("BIGQUERY_IT_LOCATION", "US");
    private final String dataset = "claude_ingest_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final BigQuery bigquery = BigQueryOptions.newBuilder().setProjectId(project).setLocation(location).build()
            .getService();

    @Override
    protected Warehouse openWarehouse() {
        return new BigQueryWarehouse(bigquery, project, dataset, BigQueryWarehouse.Options.of(Optional.of(location),
                Deadline.none(Clock.systemUTC()), 10_000_000_000L));
    }

    @Override
    protected Warehouse reopenReadOnly() {
        return openWarehouse();
    }

    @Override
    protected void createOldTable(String table, Map<String, String> columns) {
        BigQueryWarehouseTest.createOldTable(bigquery, TableId.of(project, dataset, table), columns);
    }

    @AfterEach
    void deleteDataset() {
        bigquery.delete(DatasetId.of(project, dataset), BigQuery.DatasetDeleteOption.deleteContents());
        bigquery.delete(DatasetId.of(project, dataset + "_staging"), BigQuery.DatasetDeleteOption.deleteContents());
    }
}
