package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

    /**
     * A PostgreSQL database. The password is never part of the URL: it comes from {@code PGPASSWORD} or the
     * standard {@code ~/.pgpass} (read by the driver), and is left out of {@link #toString()}.
     *
     * @param parameters driver settings from the URL's query, such as {@code sslmode=require}
     */
    record Postgres(String host, int port, String database, String user, Map<String, String> parameters,
            Optional<String> password) implements WarehouseConfig {
        public Postgres {
            requireNonNull(host, "host is null");
            requireNonNull(database, "database is null");
            requireNonNull(user, "user is null");
            parameters = Map.copyOf(parameters);
            requireNonNull(password, "password is null");
        }

        @Override
        public String displayUrl() {
            return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
        }

        /** The same database, with the password from {@code PGPASSWORD}. */
        public Postgres withPassword(Optional<String> secret) {
            return new Postgres(host, port, database, user, parameters, secret);
        }

        @Override
        public String toString() {
            return "Postgres[" + displayUrl() + ", parameters=" + parameters + ", password="
                    + (password.isPresent() ? "[redacted]" : "none") + "]";
        }
    }

    /**
     * A BigQuery dataset, reached with Application Default Credentials.
     *
     * @param location           where the dataset is created when it does not exist ({@code BIGQUERY_LOCATION},
     *                           else US); an existing dataset's own location is always used
     * @param apiUrl             another address for the BigQuery API, for a local fake ({@code BIGQUERY_API_URL});
     *                           no credentials are sent there
     * @param maximumBytesBilled the most one {@code query} statement may bill
     */
    record BigQuery(String project, String dataset, Optional<String> location, Optional<URI> apiUrl,
            long maximumBytesBilled) implements WarehouseConfig {
        public static final String DEFAULT_DATASET = "ai_usage_analytics";
        public static final long DEFAULT_MAXIMUM_BYTES_BILLED = 10_000_000_000L;

        public BigQuery(String project, String dataset) {
            this(project, dataset, Optional.empty(), Optional.empty(), DEFAULT_MAXIMUM_BYTES_BILLED);
        }

        public BigQuery {
            requireNonNull(project, "project is null");
            requireNonNull(dataset, "dataset is null");
            requireNonNull(location, "location is null");
            requireNonNull(apiUrl, "apiUrl is null");
            if (maximumBytesBilled <= 0) {
                throw new ConfigException("the most bytes a query may bill must be positive, got " + maximumBytesBilled);
            }
            if (!project.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")) {
                throw new ConfigException("BigQuery project '" + project + "' is not a project id (6 to 30 lower-case"
                        + " letters, digits and hyphens, starting with a letter)");
            }
            if (!dataset.matches("[A-Za-z0-9_]{1,1024}")) {
                throw new ConfigException("BigQuery dataset '" + dataset + "' may hold only letters, digits and"
                        + " underscores");
            }
        }

        @Override
        public String displayUrl() {
            return "bigquery://" + project + "/" + dataset + apiUrl.map(url -> " (API at " + url + ")").orElse("");
        }

        public BigQuery with(Optional<String> newLocation, Optional<URI> newApiUrl) {
            return new BigQuery(project, dataset, newLocation, newApiUrl, maximumBytesBilled);
        }

        public BigQuery withMaximumBytesBilled(long bytes) {
            return new BigQuery(project, dataset, location, apiUrl, bytes);
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
            if (path.startsWith(":")) {
                throw new ConfigException("warehouse '" + trimmed + "' is not a file: an in-memory DuckDB would be lost"
                        + " when the command ends; write it as duckdb:PATH, for example " + DEFAULT_URL);
            }
            return new DuckDb(Path.of(path));
        }
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            return postgres(trimmed);
        }
        if (trimmed.startsWith("bigquery://")) {
            String[] parts = trimmed.substring("bigquery://".length()).split("/", -1);
            if (parts.length > 2 || parts[0].isEmpty()) {
                throw new ConfigException("warehouse '" + trimmed + "' is not bigquery://PROJECT/DATASET");
            }
            String datasetName = parts.length == 2 && !parts[1].isEmpty() ? parts[1] : BigQuery.DEFAULT_DATASET;
            return new BigQuery(parts[0], datasetName);
        }
        String scheme = trimmed.contains(":") ? trimmed.substring(0, trimmed.indexOf(':')) : trimmed;
        throw new ConfigException("warehouse '" + AdminKey.redact(scheme) + ":…' is not supported; use duckdb:PATH"
                + " (for example " + DEFAULT_URL + "), postgresql://USER@HOST:PORT/DATABASE or bigquery://PROJECT/DATASET");
    }

    private static Postgres postgres(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException("warehouse URL is not a valid postgresql://USER@HOST:PORT/DATABASE URL");
        }
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new ConfigException("the PostgreSQL warehouse URL contains a password; remove it from the URL and"
                    + " set PGPASSWORD or use ~/.pgpass, so that it never shows in process lists or logs");
        }
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || userInfo == null || userInfo.isEmpty() || database.isEmpty()) {
            throw new ConfigException("warehouse URL " + url.replaceAll("\\?.*", "") + " is incomplete; write it as"
                    + " postgresql://USER@HOST:PORT/DATABASE");
        }
        Map<String, String> parameters = new TreeMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (!name.matches("[A-Za-z][A-Za-z0-9]*") || "password".equalsIgnoreCase(name)) {
                    throw new ConfigException("warehouse URL parameter '" + (name.equalsIgnoreCase("password")
                            ? "password" : name) + "' is not accepted; the password comes from PGPASSWORD or ~/.pgpass");
                }
                parameters.put(name, URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1),
                        StandardCharsets.UTF_8));
            }
        }
        return new Postgres(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                URLDecoder.decode(database, StandardCharsets.UTF_8),
                URLDecoder.decode(userInfo, StandardCharsets.UTF_8), parameters,
                Optional.empty());
    }
}
