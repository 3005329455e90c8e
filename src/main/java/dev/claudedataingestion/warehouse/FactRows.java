package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/**
 * Writes a report's rows to one of its tables, with the columns every fact row carries: the organization, the time
 * of the load and the run. Every backend writes through it, so that each stores the same values.
 */
public final class FactRows {

    private final String organizationId;
    private final Instant ingestionTimestamp;
    private final String runId;

    public FactRows(String organizationId, Instant ingestionTimestamp, String runId) {
        this.organizationId = organizationId;
        this.ingestionTimestamp = ingestionTimestamp;
        this.runId = runId;
    }

    /**
     * Writes the rows of {@code table} among {@code rows}, which replace {@code days}, to {@code writer}. A row
     * outside {@code days} fails the write. When {@code rowsPerDay} is given, counts the rows of each day into it,
     * by index from the range's first day.
     */
    public void writeTable(RowStream<Row> rows, Report report, DayRange days, Table table, RowWriter writer,
            long[] rowsPerDay) {
        rows.forEach(row -> {
            if (!row.table().equals(table)) {
                return;
            }
            LocalDate day = row.date("activity_date");
            if (!days.contains(day)) {
                throw new IllegalArgumentException("a " + report.id() + " row for " + day
                        + " is outside the days being replaced, " + days);
            }
            if (rowsPerDay != null) {
                rowsPerDay[(int) ChronoUnit.DAYS.between(days.first(), day)]++;
            }
            writer.row(row.copy()
                    .set("organization_id", organizationId)
                    .set("ingestion_timestamp", ingestionTimestamp)
                    .set("run_id", runId)
                    .requireComplete());
        });
    }
}
