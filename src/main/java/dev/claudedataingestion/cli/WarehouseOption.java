package dev.claudedataingestion.cli;

import picocli.CommandLine.Option;

/** {@code --warehouse}, shared by the commands that open a warehouse. */
final class WarehouseOption {

    @Option(names = "--warehouse", paramLabel = "URL",
            description = "duckdb:PATH (default duckdb:./ai_usage_analytics.duckdb, or $WAREHOUSE)")
    String url;
}
