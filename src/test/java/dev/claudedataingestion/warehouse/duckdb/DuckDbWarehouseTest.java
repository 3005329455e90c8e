package dev.claudedataingestion.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.model.ColumnType;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseContractTest;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest extends WarehouseContractTest {

    @TempDir
    Path directory;

    private Path file() {
        return directory.resolve("warehouse.duckdb");
    }

    @Override
    protected Warehouse openWarehouse() {
        return DuckDbWarehouse.open(file(), false);
    }

    @Override
    protected Warehouse reopenReadOnly() {
        return DuckDbWarehouse.open(file(), true);
    }

    @Override
    protected void createOldTable(String table, Map<String, String> columns) {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file());
                Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + table);
            statement.execute("CREATE TABLE " + table + " (" + columns.entrySet().stream()
                    .map(c -> c.getKey() + " " + c.getValue()).collect(Collectors.joining(", ")) + ")");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReadOnlyWarehouseTouchesNoOtherFileAndCannotBeUnsealed() throws Exception {
        warehouse.close();
        warehouse = reopenReadOnly();
        Path outside = file().resolveSibling("outside.csv");
        Path other = file().resolveSibling("other.duckdb");
        Files.writeString(outside, "a\n1\n");
        for (String statement : List.of(
                "COPY (SELECT 1 AS x) TO '" + file().resolveSibling("written.csv") + "'",
                "SELECT * FROM read_csv('" + outside + "')",
                "SELECT * FROM read_blob('/etc/passwd')",
                "ATTACH '" + other + "' AS other",
                "EXPORT DATABASE '" + file().resolveSibling("export") + "'",
                "INSTALL httpfs",
                "SET enable_external_access = true",
                "SELECT 1; SELECT 2")) {
            assertThatThrownBy(() -> Rows.query(warehouse, statement)).as(statement)
                    .isInstanceOf(WarehouseException.class);
        }
        assertThat(file().resolveSibling("written.csv")).doesNotExist();
        assertThat(file().resolveSibling("export")).doesNotExist();
        assertThat(other).doesNotExist();
        assertThat(Rows.select(warehouse, "SELECT count(*) FROM claude_usage")).containsExactly(List.of(0L));
    }

    @Test
    void aReaderOfAWarehouseFromAnOlderVersionIsToldHowToUpgradeIt() {
        warehouse.close();
        warehouse = null;
        Map<String, String> older = new java.util.LinkedHashMap<>();
        Tables.RUNS.columns().stream().filter(c -> !c.name().equals("process"))
                .forEach(c -> older.put(c.name(), c.type() == ColumnType.TIMESTAMP ? "TIMESTAMPTZ"
                        : c.type() == ColumnType.INT64 ? "BIGINT" : "VARCHAR"));
        createOldTable(Tables.RUNS.name(), older);
        warehouse = reopenReadOnly();

        assertThatThrownBy(() -> warehouse.recentRuns(5)).isInstanceOf(WarehouseException.class)
                .hasMessageStartingWith("ingestion_runs has no column process: the warehouse was last written by an"
                        + " older version; run 'claude-ingest ingest'");
    }

    @Test
    void aReadOnlyOpenOfAMissingFileSaysToIngestFirst() {
        assertThatThrownBy(() -> DuckDbWarehouse.open(directory.resolve("absent.duckdb"), true))
                .isInstanceOf(WarehouseException.class).hasMessageContaining("ingest");
    }

    @Test
    void aSecondWriterIsToldTheFileIsInUse() throws Exception {
        // Another process holding the file is what a second run at the same time looks like to DuckDB.
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldFile.class.getName(), file().toString());
        // Its standard output says when it holds the file; what a JVM prints on standard error (JDK 24+ warns of
        // DuckDB's native library) is not for this test.
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        warehouse.close();
        warehouse = null;
        Process holder = builder.start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(5))).isEqualTo("ready");
            assertThatThrownBy(() -> DuckDbWarehouse.open(file(), false))
                    .isInstanceOf(WarehouseException.class).hasMessageContaining("in use by another process");
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /**
     * A run's warehouse keeps the file open while operations follow one another, and closes it after a pause, or
     * after a stretch at most, so that a reader gets in. (In one process DuckDB refuses a read-only opening beside a
     * writing one at once, instead of waiting.)
     */
    @Test
    void aRunHoldsTheFileWhileOperationsFollowAndReleasesItAfterAPauseOrAStretch() throws Exception {
        // A file of its own: the contract's warehouse holds file() open.
        Path file = file().resolveSibling("run.duckdb");
        try (Warehouse run = DuckDbWarehouse.openForRun(file, Duration.ofMillis(200), Duration.ofMillis(600))) {
            run.ensureSchema(AnalysisViews.catalog());
            assertThat(readable(file)).as("right after an operation").isFalse();
            Thread.sleep(500);
            assertThat(readable(file)).as("after a pause").isTrue();
            List<Boolean> during = run.together(() -> {
                run.ensureSchema(AnalysisViews.catalog());
                boolean first = readable(file);
                run.recentRuns(1);
                return List.of(first, readable(file));
            });
            assertThat(during).as("inside together, before and after its operations").containsExactly(false, false);
            // Operations a tenth of a second apart for two seconds: the file is let go every stretch, not every
            // operation (twenty).
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                run.recentRuns(1);
                Thread.sleep(100);
            }
            assertThat(((DuckDbWarehouse.OpenPerOperation) run).openings()).isBetween(4, 10);
        }
        assertThat(readable(file)).as("after the run").isTrue();
    }

    private static boolean readable(Path file) {
        try (Warehouse reader = DuckDbWarehouse.open(file, true)) {
            return reader.coverage().isEmpty();
        } catch (WarehouseException e) {
            return false;
        }
    }

    /** Holds a DuckDB file open for writing until killed. */
    public static final class HoldFile {
        public static void main(String[] args) throws Exception {
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
                connection.createStatement().execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)");
                System.out.print("ready");
                System.out.flush();
                Thread.sleep(60_000);
            }
        }
    }
}
