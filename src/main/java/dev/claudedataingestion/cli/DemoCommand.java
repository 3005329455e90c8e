package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.SafeText;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.ServedTotals;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.Warehouses;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Starts the Admin API simulator with a synthetic organization, ingests the last --days days"
                + " into a local DuckDB file, and prints per-report totals next to the API's own.",
            "Needs no key and no network. WAREHOUSE is ignored: the demo writes only where --warehouse says."})
final class DemoCommand implements Callable<Integer> {

    private final Context context;

    /** The demo's own file, never the production default: demo data must not mix with an organization's. */
    static final String DEMO_URL = "duckdb:./demo.duckdb";

    @Option(names = "--warehouse", paramLabel = "URL", defaultValue = DEMO_URL,
            description = "where to load the demo data (default: ${DEFAULT-VALUE})")
    String warehouseUrl;

    @Option(names = "--days", paramLabel = "N", defaultValue = "90", description = "days to load (default: 90)")
    int days;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "the synthetic organization")
    long seed;

    DemoCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        if (days < 1 || days > 3660) {
            throw new ConfigException("--days must be between 1 and 3660, got " + days);
        }
        WarehouseLocation warehouseConfig = Warehouses.locate(Optional.of(warehouseUrl), context.environment());
        LocalDate lastDay = Reports.of(ReportKind.CLAUDE_CODE).lastCompleteDay(context.clock().instant());
        DayRange range = DayRange.of(lastDay.minusDays(days - 1L), lastDay);
        SyntheticOrganization organization = new SyntheticOrganization(seed, SyntheticOrganization.Size.DEMO,
                lastDay.minusDays(400));
        // Kept after it stops: the summary compares the warehouse with what it served.
        AdminApiSimulator simulator = new AdminApiSimulator(organization, context.clock(), null).start(0);
        try (simulator) {
            ApiConfig api = ApiConfig.of(simulator.baseUrl(), AdminKey.parse(AdminApiSimulator.DEMO_KEY, "the demo"),
                    Optional.empty(), 1000, Context.version());
            // Incremental from the first demo day: a second demo run re-pulls only the lookback days.
            IngestConfig ingest = new IngestConfig(range.first(), IngestConfig.DEFAULT_LOOKBACK_DAYS, Reports.defaults(),
                    true, Optional.empty(), Optional.empty());
            context.out().println("Demo organization " + organization.id() + ", served by the Admin API simulator at "
                    + simulator.baseUrl());
            Ingestion.run(context, api, warehouseConfig, ingest, false);
        }
        boolean allEqual;
        try (Warehouse warehouse = warehouseConfig.open(true)) {
            allEqual = summarize(warehouse, simulator, range, warehouseConfig, context.out());
        }
        return allEqual ? Main.OK : Main.INTERNAL_ERROR;
    }

    private static boolean summarize(Warehouse warehouse, AdminApiSimulator simulator, DayRange range,
            WarehouseLocation config, PrintStream out) {
        SyntheticOrganization organization = simulator.organization();
        out.println();
        out.println("Loaded " + range + " into " + config.displayUrl());
        out.println();
        out.printf("%-15s %6s %10s  %-58s %s%n", "report", "days", "rows", "totals in the warehouse", "= API");
        Totals usage = totals(warehouse, "claude_usage", "uncached_input_tokens + cache_creation_5m_input_tokens"
                + " + cache_creation_1h_input_tokens + cache_read_input_tokens", "output_tokens", organization.id(),
                range);
        Collection<ServedTotals.Day> servedUsage = ServedTotals.usage(organization, range.days()).values();
        Collection<ServedTotals.Day> servedCost = ServedTotals.cost(organization, range.days()).values();
        Collection<ServedTotals.Day> servedCode = ServedTotals.claudeCode(organization, range.days()).values();
        // Input is uncached input, both cache writes and cache reads: the usage report's first four measures.
        long apiInput = servedUsage.stream().mapToLong(day -> day.measures()[0] + day.measures()[1]
                + day.measures()[2] + day.measures()[3]).sum();
        long apiOutput = servedUsage.stream().mapToLong(day -> day.measures()[4]).sum();
        long apiUsageRows = servedUsage.stream().mapToLong(ServedTotals.Day::rows).sum();
        BigDecimal apiCost = servedCost.stream().map(ServedTotals.Day::money).reduce(BigDecimal.ZERO, BigDecimal::add);
        long apiCostRows = servedCost.stream().mapToLong(ServedTotals.Day::rows).sum();
        long apiSessions = servedCode.stream().mapToLong(day -> day.measures()[0]).sum();
        long apiCodeRows = servedCode.stream().mapToLong(ServedTotals.Day::rows).sum();
        boolean usageEqual = usage.rows() == apiUsageRows && usage.first().longValueExact() == apiInput
                && usage.second().longValueExact() == apiOutput;
        row(out, "usage", usage, String.format("%,d input and %,d output tokens", usage.first().longValueExact(),
                usage.second().longValueExact()), usageEqual);
        Totals cost = totals(warehouse, "claude_costs", "amount_usd", "amount_cents", organization.id(), range);
        boolean costEqual = cost.rows() == apiCostRows && cost.second().compareTo(apiCost) == 0
                && cost.first().compareTo(apiCost.movePointLeft(2)) == 0;
        row(out, "cost", cost, String.format("$%,.2f billed (exactly %s cents)", cost.first(),
                QueryCommand.text(cost.second())), costEqual);
        Totals code = totals(warehouse, "claude_code_usage", "num_sessions", "estimated_cost_usd", organization.id(),
                range);
        boolean codeEqual = code.rows() == apiCodeRows && code.first().longValueExact() == apiSessions;
        row(out, "claude_code", code, String.format("%,d sessions, $%,.2f estimated", code.first().longValueExact(),
                code.second()), codeEqual);

        // The Usage and Cost Analytics API, on the days it serves: the same tokens, the same bill, and list prices.
        LocalDate offered = Reports.of(ReportKind.ANALYTICS_COST).firstDayOffered(range.last().plusDays(1));
        DayRange served = DayRange.of(offered.isAfter(range.first()) ? offered : range.first(), range.last());
        long servedInput = 0;
        long servedOutput = 0;
        BigDecimal billed = BigDecimal.ZERO;
        BigDecimal list = BigDecimal.ZERO;
        for (LocalDate day : served.days().toList()) {
            for (SyntheticOrganization.UsageTuple tuple : organization.usage(day)) {
                servedInput += tuple.uncachedInputTokens() + tuple.cacheCreation5m() + tuple.cacheCreation1h()
                        + tuple.cacheRead();
                servedOutput += tuple.outputTokens();
            }
            // Each row is served rounded: the day's figures are what was served.
            BigDecimal[] sums = simulator.analyticsCostServed(day, AnalyticsGrouping.DEFAULT.dimensions());
            billed = billed.add(sums[0]);
            list = list.add(sums[1]);
        }
        Totals attributedUsage = totals(warehouse, "claude_usage_attributed", "uncached_input_tokens"
                + " + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens + cache_read_input_tokens",
                "output_tokens", organization.id(), served);
        boolean attributedUsageEqual = attributedUsage.days() == served.size()
                && attributedUsage.first().longValueExact() == servedInput
                && attributedUsage.second().longValueExact() == servedOutput;
        row(out, "analytics_usage", attributedUsage, String.format("%,d input and %,d output tokens",
                attributedUsage.first().longValueExact(), attributedUsage.second().longValueExact()),
                attributedUsageEqual);
        Totals attributedCost = totals(warehouse, "claude_cost_attributed", "amount_cents", "list_amount_cents",
                organization.id(), served);
        boolean attributedCostEqual = attributedCost.days() == served.size()
                && attributedCost.first().compareTo(billed) == 0 && attributedCost.second().compareTo(list) == 0;
        row(out, "analytics_cost", attributedCost, String.format("$%,.2f billed, $%,.2f at list prices",
                attributedCost.first().movePointLeft(2), attributedCost.second().movePointLeft(2)),
                attributedCostEqual);
        out.println();
        out.println("Who spent most, billed (claude_billed_cost_by_actor):");
        warehouse.forEach("SELECT actor_type, actor_name, SUM(billed_usd) AS billed_usd FROM claude_billed_cost_by_actor"
                + " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day"
                + " GROUP BY actor_type, actor_name ORDER BY billed_usd DESC LIMIT 5", Map.of("organization_id",
                organization.id(), "first_day", served.first(), "last_day", served.last()), row -> out.printf(
                "  %-44s %-22s $%,12.2f%n", SafeText.forDisplay(row.string("actor_name")),
                String.valueOf(row.string("actor_type")), row.decimal("billed_usd")));
        out.println();
        out.println("Spend by model, billed (claude_billed_cost_by_model):");
        warehouse.forEach("SELECT model, SUM(billed_usd) AS billed_usd FROM claude_billed_cost_by_model"
                + " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day"
                + " GROUP BY model ORDER BY billed_usd DESC, model", Map.of("organization_id", organization.id(),
                "first_day", served.first(), "last_day", served.last()), row -> out.printf("  %-67s $%,12.2f%n",
                row.string("model") == null ? "(no model: web search, code execution)" : row.string("model"),
                row.decimal("billed_usd")));
        out.println();
        String at = " --warehouse " + config.displayUrl();
        out.println("Next: INGEST_START_DATE=" + range.first() + " ./claude-ingest status" + at);
        out.println("      ./claude-ingest query" + at + " \"SELECT activity_date, sum(amount_usd) AS usd"
                + " FROM claude_costs GROUP BY 1 ORDER BY 1 DESC LIMIT 7\"");
        out.println("      ./claude-ingest report" + at + " --out report.html");
        return usageEqual && costEqual && codeEqual && attributedUsageEqual && attributedCostEqual;
    }

    private static void row(PrintStream out, String report, Totals totals, String description, boolean equal) {
        out.printf("%-15s %,6d %,10d  %-58s %s%n", report, totals.days(), totals.rows(), description,
                equal ? "yes" : "NO");
    }

    /** A table's days, rows and two sums over the demo's range, as the warehouse holds them. */
    private record Totals(long days, long rows, BigDecimal first, BigDecimal second) {
    }

    private static Totals totals(Warehouse warehouse, String table, String first, String second, String organizationId,
            DayRange range) {
        // SELECT count(DISTINCT activity_date) AS days, count(*) AS row_count, sum(…) AS first_total, sum(…) AS second_total FROM t WHERE …
        return warehouse.read("SELECT count(DISTINCT activity_date) AS days, count(*) AS row_count, sum(" + first
                + ") AS first_total, sum(" + second + ") AS second_total FROM " + table
                + " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day",
                Map.of("organization_id", organizationId, "first_day", range.first(), "last_day", range.last()),
                row -> new Totals(row.int64("days"), row.int64("row_count"), row.decimal("first_total"),
                        row.decimal("second_total"))).get(0);
    }
}
