package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.WarehouseConfig;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.pipeline.Planner;
import dev.claudedataingestion.pipeline.Warehouses;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.sink.Warehouse;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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
        WarehouseConfig warehouseConfig = WarehouseConfig.parse(warehouseUrl);
        LocalDate lastDay = Planner.lastCompleteDay(ReportKind.CLAUDE_CODE, context.clock().instant());
        DayRange range = DayRange.of(lastDay.minusDays(days - 1L), lastDay);
        SyntheticOrganization organization = new SyntheticOrganization(seed, SyntheticOrganization.Size.DEMO,
                lastDay.minusDays(400));
        try (AdminApiSimulator simulator = new AdminApiSimulator(organization, context.clock(), null).start(0)) {
            ApiConfig api = ApiConfig.of(simulator.baseUrl(), AdminKey.parse(AdminApiSimulator.DEMO_KEY, "the demo"),
                    Optional.empty(), 1000, Context.version());
            // Incremental from the first demo day: a second demo run re-pulls only the lookback days.
            IngestConfig ingest = new IngestConfig(range.first(), IngestConfig.DEFAULT_LOOKBACK_DAYS, ReportKind.defaults(), true,
                    Optional.empty(), Optional.empty());
            context.out().println("Demo organization " + organization.id() + ", served by the Admin API simulator at "
                    + simulator.baseUrl());
            Ingestion.run(context, api, warehouseConfig, ingest, false);
        }
        boolean allEqual;
        try (Warehouse warehouse = Warehouses.open(warehouseConfig, true)) {
            allEqual = summarize(warehouse, organization, range, warehouseConfig, context.out());
        }
        return allEqual ? Main.OK : Main.INTERNAL_ERROR;
    }

    private static boolean summarize(Warehouse warehouse, SyntheticOrganization organization, DayRange range,
            WarehouseConfig config, PrintStream out) {
        out.println();
        out.println("Loaded " + range + " into " + config.displayUrl());
        out.println();
        out.printf("%-12s %6s %10s  %-58s %s%n", "report", "days", "rows", "totals in the warehouse", "= API");
        // Only dates, written from LocalDate, go into this SQL; the organization is picked out of the result here.
        List<Object> usage = totals(warehouse, "SELECT organization_id, count(DISTINCT activity_date), count(*),"
                + " sum(uncached_input_tokens + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens"
                + " + cache_read_input_tokens), sum(output_tokens) FROM claude_usage WHERE activity_date BETWEEN DATE '"
                + range.first() + "' AND DATE '" + range.last() + "' GROUP BY organization_id", organization.id());
        long apiInput = 0;
        long apiOutput = 0;
        long apiUsageRows = 0;
        BigDecimal apiCost = BigDecimal.ZERO;
        long apiCostRows = 0;
        long apiSessions = 0;
        long apiCodeRows = 0;
        for (LocalDate day : range.days().toList()) {
            for (SyntheticOrganization.UsageTuple tuple : organization.usage(day)) {
                apiInput += tuple.uncachedInputTokens() + tuple.cacheCreation5m() + tuple.cacheCreation1h()
                        + tuple.cacheRead();
                apiOutput += tuple.outputTokens();
                apiUsageRows++;
            }
            for (SyntheticOrganization.CostLine line : organization.costs(day)) {
                apiCost = apiCost.add(line.amountCents());
                apiCostRows++;
            }
            for (SyntheticOrganization.ClaudeCodeRecord record : organization.claudeCode(day)) {
                apiSessions += record.sessions();
                apiCodeRows++;
            }
        }
        boolean usageEqual = number(usage, 2) == apiUsageRows && number(usage, 3) == apiInput
                && number(usage, 4) == apiOutput;
        row(out, "usage", usage, String.format("%,d input and %,d output tokens", number(usage, 3),
                number(usage, 4)), usageEqual);
        List<Object> cost = totals(warehouse, "SELECT organization_id, count(DISTINCT activity_date), count(*),"
                + " sum(amount_usd), sum(amount_cents) FROM claude_costs WHERE activity_date BETWEEN DATE '"
                + range.first() + "' AND DATE '" + range.last() + "' GROUP BY organization_id", organization.id());
        BigDecimal usd = decimal(cost, 3);
        boolean costEqual = number(cost, 2) == apiCostRows && decimal(cost, 4).compareTo(apiCost) == 0
                && usd.compareTo(apiCost.movePointLeft(2)) == 0;
        row(out, "cost", cost, String.format("$%,.2f billed (exactly %s cents)", usd,
                QueryCommand.text(decimal(cost, 4))), costEqual);
        List<Object> code = totals(warehouse, "SELECT organization_id, count(DISTINCT activity_date), count(*),"
                + " sum(num_sessions), sum(estimated_cost_usd) FROM claude_code_usage WHERE activity_date BETWEEN DATE '"
                + range.first() + "' AND DATE '" + range.last() + "' GROUP BY organization_id", organization.id());
        boolean codeEqual = number(code, 2) == apiCodeRows && number(code, 3) == apiSessions;
        row(out, "claude_code", code, String.format("%,d sessions, $%,.2f estimated", number(code, 3),
                decimal(code, 4)), codeEqual);
        out.println();
        String at = " --warehouse " + config.displayUrl();
        out.println("Next: INGEST_START_DATE=" + range.first() + " ./claude-ingest status" + at);
        out.println("      ./claude-ingest query" + at + " \"SELECT activity_date, sum(amount_usd) AS usd"
                + " FROM claude_costs GROUP BY 1 ORDER BY 1 DESC LIMIT 7\"");
        out.println("      ./claude-ingest report" + at + " --out report.html");
        return usageEqual && costEqual && codeEqual;
    }

    private static void row(PrintStream out, String report, List<Object> totals, String description, boolean equal) {
        out.printf("%-12s %,6d %,10d  %-58s %s%n", report, number(totals, 1), number(totals, 2), description,
                equal ? "yes" : "NO");
    }

    private static List<Object> totals(Warehouse warehouse, String sql, String organizationId) {
        List<Object> found = new ArrayList<>(List.of("", 0L, 0L, 0L, 0L));
        warehouse.query(sql, new Warehouse.QueryVisitor() {
            @Override
            public void columns(List<String> names) {
            }

            @Override
            public void row(List<Object> values) {
                if (organizationId.equals(values.get(0))) {
                    found.clear();
                    found.addAll(values);
                }
            }
        });
        return found;
    }

    private static long number(List<Object> values, int index) {
        Object value = values.get(index);
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static BigDecimal decimal(List<Object> values, int index) {
        Object value = values.get(index);
        if (value == null) {
            return BigDecimal.ZERO;
        }
        return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

}
