package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.SafeText;
import dev.claudedataingestion.warehouse.bigquery.BigQueryProvider;
import dev.claudedataingestion.warehouse.duckdb.DuckDbProvider;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import dev.claudedataingestion.warehouse.postgres.PostgresProvider;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The kinds of warehouse, and the one place a URL becomes a warehouse's location. */
public final class Warehouses {

    /** Every kind of warehouse, in the order help lists them. */
    public static final List<WarehouseProvider> PROVIDERS = List.of(new DuckDbProvider(), new PostgresProvider(),
            new BigQueryProvider());

    /** Where the tables live when nothing says otherwise. */
    public static final String DEFAULT_URL = DuckDbProvider.DEFAULT_URL;

    private Warehouses() {
    }

    /**
     * The warehouse {@code url} names ({@code --warehouse}, else {@code WAREHOUSE}); without one, the one a provider's
     * own variables name ({@code BIGQUERY_PROJECT_ID}), else {@link #DEFAULT_URL}.
     */
    public static WarehouseLocation locate(Optional<String> url, Map<String, String> environment) {
        if (url.isPresent()) {
            return parse(url.get().strip(), environment);
        }
        for (WarehouseProvider provider : PROVIDERS) {
            Optional<String> implicit = provider.urlFromEnvironment(environment);
            if (implicit.isPresent()) {
                return provider.parse(implicit.get(), environment);
            }
        }
        return parse(DEFAULT_URL, environment);
    }

    /** The URL forms of every provider: "duckdb:PATH, postgresql://… or bigquery://…". */
    /** The backend that writes Parquet files: DuckDB, in memory, whichever warehouse is in use. */
    public static ParquetWriter parquet() {
        return DuckDbWarehouse::csvToParquet;
    }

    public static String forms() {
        List<String> forms = PROVIDERS.stream().map(WarehouseProvider::form).toList();
        return String.join(", ", forms.subList(0, forms.size() - 1)) + " or " + forms.get(forms.size() - 1);
    }

    private static WarehouseLocation parse(String url, Map<String, String> environment) {
        String scheme = url.contains(":") ? url.substring(0, url.indexOf(':')) : url;
        for (WarehouseProvider provider : PROVIDERS) {
            if (provider.schemes().contains(scheme.toLowerCase(Locale.ROOT))) {
                return provider.parse(url, environment);
            }
        }
        throw new ConfigException("warehouse '" + SafeText.redact(scheme) + ":…' is not supported; use " + forms());
    }
}
