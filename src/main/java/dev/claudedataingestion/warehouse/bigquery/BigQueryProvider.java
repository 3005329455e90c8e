package dev.claudedataingestion.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.WarehouseProvider;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bigquery://PROJECT/DATASET}: a BigQuery dataset, reached with Application Default Credentials. Without a
 * URL, {@value #PROJECT_ID} and {@value #DATASET} name one.
 */
public final class BigQueryProvider implements WarehouseProvider {

    public static final String PROJECT_ID = "BIGQUERY_PROJECT_ID";
    public static final String DATASET = "BIGQUERY_DATASET";
    public static final String LOCATION = "BIGQUERY_LOCATION";
    public static final String API_URL = "BIGQUERY_API_URL";

    @Override
    public List<String> schemes() {
        return List.of("bigquery");
    }

    @Override
    public String form() {
        return "bigquery://PROJECT/DATASET";
    }

    @Override
    public Location parse(String url, Map<String, String> environment) {
        String[] parts = url.startsWith("bigquery://") ? url.substring("bigquery://".length()).split("/", -1)
                : new String[0];
        if (parts.length == 0 || parts.length > 2 || parts[0].isEmpty()) {
            throw new ConfigException("warehouse '" + url + "' is not bigquery://PROJECT/DATASET");
        }
        String dataset = parts.length == 2 && !parts[1].isEmpty() ? parts[1] : Location.DEFAULT_DATASET;
        Optional<URI> apiUrl = variable(environment, API_URL).map(text -> {
            try {
                return URI.create(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(API_URL + " '" + text + "' is not a URL");
            }
        });
        return new Location(parts[0], dataset, variable(environment, LOCATION), apiUrl,
                Location.DEFAULT_MAXIMUM_BYTES_BILLED);
    }

    @Override
    public Optional<String> urlFromEnvironment(Map<String, String> environment) {
        Optional<String> project = variable(environment, PROJECT_ID);
        Optional<String> dataset = variable(environment, DATASET);
        if (project.isEmpty() && dataset.isPresent()) {
            throw new ConfigException(DATASET + " is set but " + PROJECT_ID + " is not; set both to write to"
                    + " BigQuery, or neither");
        }
        return project.map(id -> "bigquery://" + id + "/" + dataset.orElse(Location.DEFAULT_DATASET));
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    /**
     * A BigQuery dataset.
     *
     * @param location           where the dataset is created when it does not exist ({@value #LOCATION}, else US);
     *                           an existing dataset's own location is always used
     * @param apiUrl             another address for the BigQuery API, for a local fake ({@value #API_URL}); no
     *                           credentials are sent there
     * @param maximumBytesBilled the most one {@code query} statement may bill
     */
    public record Location(String project, String dataset, Optional<String> location, Optional<URI> apiUrl,
            long maximumBytesBilled) implements WarehouseLocation {
        public static final String DEFAULT_DATASET = "ai_usage_analytics";
        public static final long DEFAULT_MAXIMUM_BYTES_BILLED = 10_000_000_000L;

        public Location(String project, String dataset) {
            this(project, dataset, Optional.empty(), Optional.empty(), DEFAULT_MAXIMUM_BYTES_BILLED);
        }

        public Location {
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

        /** BigQuery has no read-only connection; its query() refuses anything but SELECT after a dry run. */
        @Override
        public Warehouse open(boolean readOnly, Deadline deadline) {
            return BigQueryWarehouse.open(project, dataset, apiUrl,
                    BigQueryWarehouse.Options.of(location, deadline, maximumBytesBilled));
        }

        @Override
        public Location withMaximumBytesBilled(long bytes) {
            return new Location(project, dataset, location, apiUrl, bytes);
        }
    }
}
