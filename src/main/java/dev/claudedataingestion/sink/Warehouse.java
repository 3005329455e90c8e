package dev.claudedataingestion.sink;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A warehouse that report rows are written to. Every method throws {@link WarehouseException} on failure. */
public interface Warehouse extends AutoCloseable {

    /** Creates missing tables and adds columns a newer version defines; never drops anything. Safe on every run. */
    void ensureSchema();

    /**
     * Atomically replaces every row of {@code report} for {@code organizationId} in {@code days} with
     * {@code rows}, and records coverage for each day of the range, also for days without rows. Either all of
     * it is visible afterwards or none of it. Same input twice, same tables (but for timestamps and run ids).
     * {@code restatements}, the days whose data changed at the source, are recorded in the same transaction.
     */
    WriteResult replaceDays(ReportKind report, String organizationId, DayRange days, RowStream<Row> rows,
            String runId, List<Restatement> restatements);

    /** {@link #replaceDays} for days that nobody revised. */
    default WriteResult replaceDays(ReportKind report, String organizationId, DayRange days,
            RowStream<Row> rows, String runId) {
        return replaceDays(report, organizationId, days, rows, runId, List.of());
    }

    /** Per covered day of {@code days}: the rows and headline total the report holds now. */
    java.util.Map<LocalDate, DayTotal> dayTotals(ReportKind report, String organizationId, DayRange days);

    /**
     * Replaces every row of {@code table} (a dimension table) for {@code organizationId} with {@code rows}, in one
     * transaction.
     */
    void replaceOrganizationRows(Table table, String organizationId, List<Row> rows);

    /** Every row of {@code table} for {@code organizationId}. */
    List<Row> organizationRows(Table table, String organizationId);

    /** The days of {@code within} that have coverage for the report and organization. */
    Set<LocalDate> coveredDays(ReportKind report, String organizationId, DayRange within);

    /** Per organization and report: the days covered and the rows they hold. */
    List<CoverageSummary> coverage();

    /**
     * Erases people's e-mail addresses and names from the days before {@code firstKept} ({@link PersonalData});
     * returns the rows changed.
     */
    long erasePersonalData(String organizationId, LocalDate firstKept);

    /** Inserts or updates the run's row in {@code ingestion_runs}. */
    void recordRun(RunRecord run);

    /** The latest runs, newest first. */
    List<RunRecord> recentRuns(int limit);

    /**
     * Runs one read-only statement and hands its result to {@code visitor}. Statements that write are refused
     * by the warehouse, not by parsing the text.
     */
    default void query(String sql, QueryVisitor visitor) {
        query(sql, Optional.empty(), visitor);
    }

    /**
     * {@link #query(String, QueryVisitor)}, where with an {@code organization} the tables and views it names without
     * a qualifier hold that organization's rows only ({@link OrganizationScope}).
     */
    void query(String sql, Optional<String> organization, QueryVisitor visitor);

    @Override
    void close();

    /** Coverage of one report for one organization. */
    record CoverageSummary(String organizationId, ReportKind report, Set<LocalDate> days, long rows) {
        public CoverageSummary {
            days = Set.copyOf(days);
        }
    }

    /** Receives a query result: its column names once, then each row's values. */
    interface QueryVisitor {
        void columns(List<String> names);

        void row(List<Object> values);
    }
}
