package dev.claudedataingestion.cli;

import dev.claudedataingestion.analysis.report.HtmlReport;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Writes one self-contained HTML report (charts, totals, freshness) that opens from a file.")
final class ReportCommand implements Callable<Integer> {

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Mixin
    OrganizationOption organization;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "report.html", description = "default: report.html")
    Path out;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "first day (default: 89 days before --to)")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "last day (default: the latest day loaded)")
    LocalDate to;

    @Option(names = "--monthly-budget", paramLabel = "USD", description = "the monthly budget in dollars, drawn"
            + " against the month to date (default: $" + CheckCommand.BUDGET_VARIABLE + ", else none)")
    BigDecimal monthlyBudget;

    @Option(names = "--prices", paramLabel = "FILE", description = "a price catalog for the cache savings, in the form"
            + " of the built-in one (" + PriceTable.BUILT_IN + ")")
    Path prices;

    ReportCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        Optional<DayRange> days = DayOptions.range(from, to, "the last " + HtmlReport.DEFAULT_DAYS + " days loaded");
        WarehouseLocation config = context.warehouse(warehouse.url);
        HtmlReport.Rendered report;
        try (Warehouse opened = config.open(true)) {
            report = new HtmlReport(opened, context.clock().instant(), prices == null ? PriceTable.builtIn()
                    : PriceTable.fromFile(prices)).render(Optional.ofNullable(organization.id), days,
                    monthlyBudget != null ? Optional.of(monthlyBudget) : CheckCommand.budgetVariable(context),
                    config.displayUrl(), Context.version());
        } catch (IllegalStateException e) {
            throw new WarehouseException(e.getMessage());
        }
        if (Files.isDirectory(out)) {
            throw new ConfigException("--out " + out + " is a folder; name a file, for example " + out.resolve("report.html"));
        }
        Path parent = out.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(out, report.html(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot write the report to " + out + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); choose a file you may write with --out");
        }
        context.out().printf("Wrote %s: organization %s, %s, $%,.2f%n", out, report.organizationId(), report.days(),
                report.totalCostUsd());
        return Main.OK;
    }
}
