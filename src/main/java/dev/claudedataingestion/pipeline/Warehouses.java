package dev.claudedataingestion.pipeline;

import dev.claudedataingestion.config.WarehouseConfig;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.bigquery.BigQueryWarehouse;
import dev.claudedataingestion.sink.duckdb.DuckDbWarehouse;
import dev.claudedataingestion.sink.postgres.PostgresWarehouse;

/** The one place a warehouse configuration becomes a warehouse. */
public final class Warehouses {

    private Warehouses() {
    }

    /** Opens the warehouse; a read-only one refuses every statement that would change it. */
    public static Warehouse open(WarehouseConfig config, boolean readOnly) {
        if (config instanceof WarehouseConfig.DuckDb duckDb) {
            return DuckDbWarehouse.open(duckDb.file(), readOnly);
        }
        if (config instanceof WarehouseConfig.Postgres postgres) {
            return PostgresWarehouse.open(postgres.host(), postgres.port(), postgres.database(), postgres.user(),
                    postgres.parameters(), postgres.password(), readOnly);
        }
        if (config instanceof WarehouseConfig.BigQuery bigQuery) {
            // BigQuery has no read-only connection; its query() refuses anything but SELECT after a dry run.
            return BigQueryWarehouse.open(bigQuery.project(), bigQuery.dataset(), bigQuery.location(),
                    bigQuery.apiUrl());
        }
        throw new IllegalStateException("no warehouse for " + config.displayUrl());
    }
}
