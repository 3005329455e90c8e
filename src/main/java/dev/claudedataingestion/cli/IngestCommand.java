package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.config.Settings;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Copies the reports into the warehouse.",
            "Without --from: heals every day since INGEST_START_DATE that has no coverage and re-pulls the last"
                + " --lookback-days complete days. With --from/--to: replaces exactly those UTC days.",
            "The Admin key is read from ANTHROPIC_ADMIN_API_KEY or ANTHROPIC_ADMIN_API_KEY_FILE, never from"
                + " an argument."})
final class IngestCommand implements Callable<Integer> {

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "first UTC day to replace")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "last UTC day to replace (inclusive; default: the"
            + " last complete day)")
    LocalDate to;

    @Option(names = "--reports", paramLabel = "LIST", completionCandidates = ReportNames.WithDimensions.class,
            description = "comma-separated, of ${COMPLETION-CANDIDATES} (default: every report but the hourly usage,"
            + " which --bucket-width 1h reads instead of the daily one, and dimensions)")
    String reports;

    @Option(names = "--lookback-days", paramLabel = "N", description = "recent days re-pulled on every run"
            + " (default: $INGEST_LOOKBACK_DAYS or 30, the days Anthropic may still revise)")
    Integer lookbackDays;

    @Option(names = "--bucket-width", paramLabel = "WIDTH", description = "1d (default, claude_usage) or 1h"
            + " (the usage report in hourly buckets, into claude_usage_hourly); default: $INGEST_BUCKET_WIDTH or 1d")
    String bucketWidth;

    @Option(names = "--deadline", paramLabel = "DURATION", description = "stop starting new windows after this long,"
            + " e.g. 12m (default on Cloud Run: 12m; elsewhere none)")
    String deadline;

    @Option(names = {"-q", "--quiet"}, description = "print warnings and errors only, no progress bar")
    boolean quiet;

    @Option(names = "--check", description = "then check the data as 'check' does (with its defaults and"
            + " $" + CheckCommand.BUDGET_VARIABLE + "), one log line per check; a failed check is an ERROR line"
            + " but leaves the exit code to the run (the Cloud Run job's alerts count the lines)")
    boolean check;

    @Option(names = "--prices", paramLabel = "FILE", description = "the price catalog the checks after the run and"
            + " the FOCUS view's list cost use,"
            + " in the form of the built-in one (" + PriceTable.BUILT_IN + ")")
    Path prices;

    IngestCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Settings settings = context.settings();
        // Read before anything is fetched, so that a catalog that cannot be read stops nothing half-way.
        PriceTable catalog = prices == null ? PriceTable.builtIn() : PriceTable.fromFile(prices);
        IngestConfig ingest = settings.ingest(from, to, lookbackDays, reports, deadline, bucketWidth,
                Reports.of(ReportKind.USAGE).lastCompleteDay(context.clock().instant())).withPrices(catalog);
        WarehouseLocation warehouseConfig = context.warehouse(warehouse.url);
        ApiConfig api = settings.api(Context.version(), ingest.analyticsOnly());
        // The checks read the run's own warehouse before it closes, not a second opening of it.
        Ingestion.run(context, api, warehouseConfig, ingest, quiet, (opened, run) -> {
            if (check) {
                CheckCommand.logChecks(context, opened, catalog);
            } else if (run.organizationId() != null) {
                CheckCommand.warnOfPrices(context, opened, run.organizationId(), catalog);
            }
        });
        return Main.OK;
    }
}
