package dev.claudedataingestion.cli;

import picocli.CommandLine.Option;

/** {@code --warehouse}, shared by the commands that open a warehouse. */
final class WarehouseOption {

    @Option(names = "--warehouse", paramLabel = "URL",
            description = "duckdb:PATH, postgresql://USER@HOST:PORT/DATABASE or bigquery://PROJECT/DATASET"
                    + " (default: $WAREHOUSE, else BigQuery when $BIGQUERY_PROJECT_ID is set, else"
                    + " duckdb:./ai_usage_analytics.duckdb)")
    String url;
}
