package dev.claudedataingestion.warehouse.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.Warehouses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords come from PGPASSWORD or a pgpass file, never from the URL, and never show in messages. */
class PostgresAuthenticationTest {

    @TempDir
    Path directory;

    private String urlFor(String user, PostgresProvider.Location database) {
        return "postgresql://" + user + "@127.0.0.1:" + database.port() + "/" + database.database();
    }

    @Test
    void connectsWithThePasswordFromPgpasswordOrAPgpassFile() throws Exception {
        PostgresProvider.Location database = PostgresServer.newDatabase();
        PostgresServer.execute(database, "CREATE ROLE ingest LOGIN PASSWORD 'correct-horse'",
                "GRANT ALL ON SCHEMA public TO ingest");
        String url = urlFor("ingest", database);

        try (Warehouse warehouse = Warehouses.locate(Optional.of(url), Map.of("PGPASSWORD", "correct-horse"))
                .open(false)) {
            warehouse.ensureSchema(AnalysisViews.catalog());
            assertThat(Rows.select(warehouse, "SELECT current_user").get(0).get(0)).isEqualTo("ingest");
        }

        Path pgpass = directory.resolve("pgpass");
        Files.writeString(pgpass, "127.0.0.1:" + database.port() + ":" + database.database() + ":ingest:correct-horse\n");
        System.setProperty("org.postgresql.pgpassfile", pgpass.toString());
        try (Warehouse warehouse = Warehouses.locate(Optional.of(url), Map.of()).open(true)) {
            assertThat(Rows.select(warehouse, "SELECT count(*) FROM ingestion_runs").get(0).get(0)).isEqualTo(0L);
        } finally {
            System.clearProperty("org.postgresql.pgpassfile");
        }
    }

    @Test
    void aWrongPasswordSaysWhereToFixItWithoutShowingIt() {
        PostgresProvider.Location database = PostgresServer.newDatabase();
        PostgresServer.execute(database, "CREATE ROLE reader LOGIN PASSWORD 'right-one'");
        WarehouseLocation config = Warehouses.locate(Optional.of(urlFor("reader", database)),
                Map.of("PGPASSWORD", "wrong-one"));

        assertThatThrownBy(() -> config.open(true)).isInstanceOf(WarehouseException.class)
                .hasMessageContaining("PGPASSWORD").hasMessageContaining("reader")
                .hasMessageNotContaining("wrong-one").hasMessageNotContaining("right-one");
    }
}
