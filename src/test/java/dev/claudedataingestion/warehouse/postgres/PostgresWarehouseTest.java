package dev.claudedataingestion.warehouse.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseContractTest;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PostgresWarehouseTest extends WarehouseContractTest {

    private PostgresProvider.Location database;

    private Warehouse open(boolean readOnly) {
        return PostgresWarehouse.open(database.host(), database.port(), database.database(), database.user(),
                database.parameters(), database.password(), readOnly);
    }

    @Override
    protected Warehouse openWarehouse() {
        database = PostgresServer.newDatabase();
        return open(false);
    }

    @Override
    protected Warehouse reopen() {
        return open(false);
    }

    @Override
    protected Warehouse reopenReadOnly() {
        return open(true);
    }

    @Override
    protected void createOldTable(String table, Map<String, String> columns) {
        // As an older version left it: before the views that now depend on the table.
        PostgresServer.execute(database, "DROP TABLE IF EXISTS " + table + " CASCADE", "CREATE TABLE " + table + " ("
                + columns.entrySet().stream().map(c -> c.getKey() + " " + c.getValue())
                        .collect(Collectors.joining(", ")) + ")");
    }

    @Test
    void createsIndexesForTheKeyAndTheDay() {
        assertThat(select("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")
                .stream().map(row -> row.get(0)).toList())
                .contains("claude_usage_key", "claude_usage_day", "claude_costs_day", "ingestion_coverage_key",
                        "ingestion_runs_key");
    }
}
