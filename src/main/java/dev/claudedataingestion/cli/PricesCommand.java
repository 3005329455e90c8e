package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prices", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Prints the price catalog in effect (the built-in one, " + PriceTable.BUILT_IN + ", or"
            + " --prices FILE), then every model the warehouse holds usage or cost of, and whether the catalog prices"
            + " it. A model without a price is left out of reconciliation and cache savings: give it one with"
            + " --prices FILE, a copy of the built-in catalog (src/main/resources/dev/claudedataingestion/prices.json)"
            + " with the model added."})
final class PricesCommand implements Callable<Integer> {

    /** The tables that name models, by what they hold. */
    private static final Map<String, String> MODEL_TABLES = Map.of("claude_usage", "usage", "claude_costs", "cost",
            "claude_usage_attributed", "analytics_usage", "claude_cost_attributed", "analytics_cost",
            "claude_code_model_usage", "claude_code");

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Option(names = "--prices", paramLabel = "FILE", description = "a price catalog in the form of the built-in one")
    Path prices;

    PricesCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PriceTable catalog = prices == null ? PriceTable.builtIn() : PriceTable.fromFile(prices);
        PrintStream out = context.out();
        out.println("Price catalog " + catalog.version() + ": " + catalog.source());
        out.printf("%-22s %9s %9s %15s %15s %11s%n", "model", "input", "output", "cache write 5m", "cache write 1h",
                "cache read");
        for (String id : catalog.modelIds()) {
            PriceTable.Prices p = catalog.listPrices(id).orElseThrow();
            out.printf("%-22s %9s %9s %15s %15s %11s%n", id, plain(p.input()), plain(p.output()),
                    plain(p.cacheWrite5m()), plain(p.cacheWrite1h()), plain(p.cacheRead()));
        }
        out.println("US dollars per million tokens; a first-party id with its date (claude-opus-4-1-20250805) is the"
                + " same model. Batch, the 1M context window, US-only inference and fast mode change the price as"
                + " the catalog's file says.");
        WarehouseLocation location = context.warehouse(warehouse.url);
        Map<String, TreeSet<String>> seen = new TreeMap<>();
        try (Warehouse opened = location.open(true)) {
            MODEL_TABLES.forEach((table, report) -> opened.forEach("SELECT DISTINCT model FROM "
                    + opened.dialect().table(table) + " WHERE model IS NOT NULL", Map.of(), row ->
                    seen.computeIfAbsent(row.string("model"), m -> new TreeSet<>()).add(report)));
        }
        out.println();
        if (seen.isEmpty()) {
            out.println("The warehouse " + location.displayUrl() + " names no model yet.");
            return Main.OK;
        }
        out.println("Models in " + location.displayUrl() + ":");
        long unpriced = 0;
        for (Map.Entry<String, TreeSet<String>> model : seen.entrySet()) {
            Optional<String> id = catalog.catalogId(model.getKey());
            unpriced += id.isEmpty() ? 1 : 0;
            out.printf("  %-34s %-40s %s%n", model.getKey(), id.map(catalogId -> "priced as " + catalogId)
                    .orElse("UNPRICED: give it a price with --prices FILE"), String.join(", ", model.getValue()));
        }
        out.println(unpriced == 0 ? "Every model is priced." : unpriced + " of " + seen.size() + " models unpriced.");
        return Main.OK;
    }

    private static String plain(BigDecimal price) {
        return price.stripTrailingZeros().toPlainString();
    }
}
