package dev.claudedataingestion.warehouse.duckdb;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.WarehouseProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code duckdb:PATH}: an embedded DuckDB database file. */
public final class DuckDbProvider implements WarehouseProvider {

    public static final String DEFAULT_URL = "duckdb:./ai_usage_analytics.duckdb";

    @Override
    public List<String> schemes() {
        return List.of("duckdb");
    }

    @Override
    public String form() {
        return "duckdb:PATH (for example " + DEFAULT_URL + ")";
    }

    @Override
    public Location parse(String url, Map<String, String> environment) {
        String path = url.substring("duckdb:".length());
        if (path.startsWith("//")) {
            path = path.substring(2);
        }
        if (path.isBlank()) {
            throw new ConfigException("warehouse '" + url + "' has no file; write it as duckdb:PATH, for example "
                    + DEFAULT_URL);
        }
        if (path.startsWith(":")) {
            throw new ConfigException("warehouse '" + url + "' is not a file: an in-memory DuckDB would be lost when"
                    + " the command ends; write it as duckdb:PATH, for example " + DEFAULT_URL);
        }
        return new Location(Path.of(path));
    }

    /** A DuckDB database file. */
    public record Location(Path file) implements WarehouseLocation {
        public Location {
            requireNonNull(file, "file is null");
        }

        @Override
        public String displayUrl() {
            return "duckdb:" + file;
        }

        /** A run opens the file per operation, so that others can read it between its writes. */
        @Override
        public Warehouse open(boolean readOnly, Deadline deadline) {
            return readOnly ? DuckDbWarehouse.open(file, true) : DuckDbWarehouse.openForRun(file);
        }
    }
}
