package dev.claudedataingestion.pipeline;

import dev.claudedataingestion.config.WarehouseConfig;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.bigquery.BigQueryWarehouse;
import dev.claudedataingestion.sink.duckdb.DuckDbWarehouse;
import dev.claudedataingestion.sink.postgres.PostgresWarehouse;
import java.time.Clock;

/** The one place a warehouse configuration becomes a warehouse. */
public final class Warehouses {

    private Warehouses() {
    }

    /** Opens the warehouse for a command without a deadline; a read-only one refuses every statement that would change it. */
    public static Warehouse open(WarehouseConfig config, boolean readOnly) {
        return open(config, readOnly, Deadline.none(Clock.systemUTC()));
    }

    /** Opens the warehouse for a run that must be done by {@code deadline}: no warehouse job outlasts it. */
    public static Warehouse open(WarehouseConfig config, boolean readOnly, Deadline deadline) {
        if (config instanceof WarehouseConfig.DuckDb duckDb) {
            // A run opens the file per operation, so that others can read it between its writes.
            return readOnly ? DuckDbWarehouse.open(duckDb.file(), true) : DuckDbWarehouse.openForRun(duckDb.file());
        }
        if (config instanceof WarehouseConfig.Postgres postgres) {
            return PostgresWarehouse.open(postgres.host(), postgres.port(), postgres.database(), postgres.user(),
                    postgres.parameters(), postgres.password(), readOnly);
        }
        if (config instanceof WarehouseConfig.BigQuery bigQuery) {
            // BigQuery has no read-only connection; its query() refuses anything but SELECT after a dry run.
            return BigQueryWarehouse.open(bigQuery.project(), bigQuery.dataset(), bigQuery.apiUrl(),
                    BigQueryWarehouse.Options.of(bigQuery.location(), deadline, bigQuery.maximumBytesBilled()));
        }
        throw new IllegalStateException("no warehouse for " + config.displayUrl());
    }
}
