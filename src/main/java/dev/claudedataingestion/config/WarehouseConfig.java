package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** Where the tables live. One record per backend; {@link #parse(String)} is the only place a URL is read. */
public sealed interface WarehouseConfig {

    String DEFAULT_URL = "duckdb:./ai_usage_analytics.duckdb";

    /** The URL as it may be logged: without credentials. */
    String displayUrl();

    /** An embedded DuckDB database file. */
    record DuckDb(Path file) implements WarehouseConfig {
        public DuckDb {
            requireNonNull(file, "file is null");
        }

        @Override
        public String displayUrl() {
            return "duckdb:" + file;
        }
    }

    /** Reads a warehouse URL as given in {@code WAREHOUSE} or {@code --warehouse}. */
    static WarehouseConfig parse(String url) {
        requireNonNull(url, "url is null");
        String trimmed = url.strip();
        if (trimmed.startsWith("duckdb:")) {
            String path = trimmed.substring("duckdb:".length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (path.isBlank()) {
                throw new ConfigException("warehouse '" + trimmed + "' has no file; write it as duckdb:PATH,"
                        + " for example " + DEFAULT_URL);
            }
            return new DuckDb(Path.of(path));
        }
        String scheme = trimmed.contains(":") ? trimmed.substring(0, trimmed.indexOf(':')) : trimmed;
        throw new ConfigException("warehouse '" + AdminKey.redact(scheme) + ":…' is not supported by this version;"
                + " use duckdb:PATH, for example " + DEFAULT_URL);
    }
}
