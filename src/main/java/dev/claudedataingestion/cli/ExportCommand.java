package dev.claudedataingestion.cli;

import dev.claudedataingestion.analysis.spend.FocusExport;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Writes the cost as FinOps FOCUS 1.2 rows, one per day and cost line, to a CSV or Parquet"
            + " file (the view claude_focus_cost)."})
final class ExportCommand implements Callable<Integer> {

    enum Format { focus }

    private final Context context;

    @Mixin
    WarehouseOption warehouse;

    @Mixin
    OrganizationOption organization;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "focus",
            description = "focus: FOCUS 1.2, the FinOps Foundation's format (default, and the only one)")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "a .csv or .parquet file;"
            + " replaced whole, or left as it was if the export fails")
    Path out;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "first day (default: the first day of the last"
            + " complete month, UTC)")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "last day (default: the last day of the last"
            + " complete month, UTC)")
    LocalDate to;

    @Option(names = "--tags-include-people", description = "keep in Tags the e-mail address of the person a line is"
            + " attributed to (default: left out, as personal data in a file meant for finance tools)")
    boolean tagsIncludePeople;

    ExportCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        DayRange days = days();
        WarehouseLocation config = context.warehouse(warehouse.url);
        FocusExport.Written written;
        String organizationId;
        try (Warehouse opened = config.open(true)) {
            organizationId = Warehouse.CoverageSummary.organization(opened.coverage(),
                    Optional.ofNullable(organization.id));
            written = new FocusExport(opened, tagsIncludePeople).write(organizationId, days, out);
        }
        context.out().printf("Wrote %s: %,d FOCUS rows of organization %s, %s, BilledCost $%,.2f%n", out,
                written.rows(), organizationId, days, written.billedCost());
        if (written.provisionalRows() > 0) {
            context.err().printf("note: %,d rows are of days Anthropic may still revise (x_IsFinal false); export"
                    + " again once they are 30 days old for final figures%n", written.provisionalRows());
        }
        if (!written.notLoaded().isEmpty()) {
            int count = written.notLoaded().size();
            context.err().printf("warning: %d day%s of the range %s no cost loaded, so no rows: %s; run 'claude-ingest"
                    + " ingest' for them%n", count, count == 1 ? "" : "s", count == 1 ? "has" : "have",
                    DayRange.contiguousRuns(written.notLoaded()).stream().map(DayRange::toString)
                            .collect(Collectors.joining(", ")));
        }
        return Main.OK;
    }

    /** {@code --from}/{@code --to}, or the last complete UTC month. */
    private DayRange days() {
        LocalDate thisMonth = LocalDate.ofInstant(context.clock().instant(), ZoneOffset.UTC).withDayOfMonth(1);
        return DayOptions.range(from, to, "the last complete month")
                .orElse(DayRange.of(thisMonth.minusMonths(1), thisMonth.minusDays(1)));
    }
}
