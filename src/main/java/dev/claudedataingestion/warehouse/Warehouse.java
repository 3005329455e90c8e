package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** A warehouse that report rows are written to. Every method throws {@link WarehouseException} on failure. */
public interface Warehouse extends AutoCloseable {

    /**
     * Creates missing tables and adds columns a newer version defines; never drops anything. Safe on every run. The
     * {@code views} are written anew, as they are given.
     */
    void ensureSchema(ViewCatalog views);

    /**
     * Atomically replaces every row of {@code report} for {@code organizationId} in {@code days} with
     * {@code rows}, and records coverage for each day of the range, also for days without rows. Either all of
     * it is visible afterwards or none of it. Same input twice, same tables (but for timestamps and run ids).
     * {@code restatements}, the days whose data changed at the source, are recorded in the same transaction.
     * {@code fetchedAt}, when the rows were read from the API, is each row's {@code ingestion_timestamp} and each
     * day's {@code loaded_at}, which tells a provisional day from a final one.
     */
    WriteResult replaceDays(ReportKind report, String organizationId, DayRange days, RowStream<Row> rows,
            String runId, Instant fetchedAt, List<Restatement> restatements);

    /** Per covered day of {@code days}: the rows and headline total the report holds now. */
    default Map<LocalDate, DayTotal> dayTotals(ReportKind report, String organizationId, DayRange days) {
        Map<LocalDate, DayTotal> totals = new TreeMap<>();
        coveredDays(report, organizationId, days).forEach(day -> totals.put(day, new DayTotal(0, BigDecimal.ZERO)));
        Report declaration = Reports.of(report);
        // SELECT activity_date, COUNT(*) AS row_count, SUM(<headline>) AS total FROM t WHERE … GROUP BY activity_date
        forEach("SELECT activity_date, COUNT(*) AS row_count, SUM(" + declaration.headline().expression() + ") AS total"
                + " FROM " + dialect().table(declaration.tables().get(0).name()) + " WHERE organization_id ="
                + " @organization_id AND activity_date BETWEEN @first_day AND @last_day GROUP BY activity_date",
                Map.of("organization_id", organizationId, "first_day", days.first(), "last_day", days.last()), row -> {
                    LocalDate day = row.date("activity_date");
                    if (totals.containsKey(day)) {
                        totals.put(day, new DayTotal(row.int64("row_count"), row.decimal("total")));
                    }
                });
        return totals;
    }

    /**
     * Replaces every row of {@code table} (a dimension table) for {@code organizationId} with {@code rows}, in one
     * transaction.
     */
    void replaceOrganizationRows(Table table, String organizationId, List<Row> rows);

    /**
     * Adds those of {@code rows}, rows of one of {@link Tables#telemetry()}, whose key the table does not hold yet,
     * in one transaction, and returns how many it added; they are durable when it returns. A key repeated within
     * {@code rows} is added once. Concurrent callers, in this process or others, never add a key twice.
     */
    long insertNew(Table table, List<Row> rows);

    /** Every row of {@code table} for {@code organizationId}. */
    default List<Row> organizationRows(Table table, String organizationId) {
        // SELECT c1, c2, … FROM t WHERE organization_id = @organization_id
        return read("SELECT " + String.join(", ", table.columnNames()) + " FROM " + dialect().table(table.name())
                + " WHERE organization_id = @organization_id", Map.of("organization_id", organizationId),
                row -> row.toRow(table));
    }

    /** The days of {@code within} that have coverage for the report and organization. */
    default Set<LocalDate> coveredDays(ReportKind report, String organizationId, DayRange within) {
        return fetchedAt(report, organizationId, within).keySet();
    }

    /** The days of {@code within} that have coverage for the report and organization, each with when it was fetched. */
    default Map<LocalDate, Instant> fetchedAt(ReportKind report, String organizationId, DayRange within) {
        Map<LocalDate, Instant> days = new HashMap<>();
        forEach("SELECT activity_date, loaded_at FROM " + dialect().table(Tables.COVERAGE.name())
                + " WHERE organization_id = @organization_id AND report = @report"
                + " AND activity_date BETWEEN @first_day AND @last_day", Map.of("organization_id", organizationId,
                "report", report.id(), "first_day", within.first(), "last_day", within.last()),
                row -> days.put(row.date("activity_date"), row.timestamp("loaded_at")));
        return days;
    }

    /** Per organization and report: the days covered, the rows they hold, and which days are provisional. */
    default List<CoverageSummary> coverage() {
        CoverageCollector coverage = new CoverageCollector();
        forEach("SELECT organization_id, report, activity_date, row_count, loaded_at FROM "
                + dialect().table(Tables.COVERAGE.name()) + " ORDER BY organization_id, report, activity_date",
                Map.of(), row -> coverage.add(row.string("organization_id"), row.string("report"),
                        row.date("activity_date"), row.int64("row_count"), row.timestamp("loaded_at")));
        return coverage.summaries();
    }

    /**
     * Erases people's e-mail addresses and names from the days before {@code firstKept} by the {@code erasure}'s
     * statements, in their order; returns the rows changed.
     */
    long erasePersonalData(String organizationId, LocalDate firstKept, Erasure erasure);

    /** Inserts or updates the run's row in {@code ingestion_runs}. */
    void recordRun(RunRecord run);

    /** The latest runs, newest first. */
    default List<RunRecord> recentRuns(int limit) {
        return recentRuns(limit, Optional.empty());
    }

    /** The latest runs of {@code organization}, or of every organization, newest first. */
    default List<RunRecord> recentRuns(int limit, Optional<String> organization) {
        Map<String, Object> parameters = new HashMap<>(Map.of("limit", (long) limit));
        organization.ifPresent(id -> parameters.put("organization_id", id));
        // SELECT run_id, …, process FROM ingestion_runs [WHERE organization_id = @organization_id] ORDER BY started_at DESC LIMIT @limit
        return read("SELECT " + String.join(", ", Tables.RUNS.columnNames()) + " FROM "
                + dialect().table(Tables.RUNS.name()) + (organization.isPresent()
                ? " WHERE organization_id = @organization_id" : "") + " ORDER BY started_at DESC LIMIT @limit",
                parameters, row -> RunRecord.fromRow(row.toRow(Tables.RUNS)));
    }

    /**
     * Runs one of this program's own read-only statements and hands its result to {@code visitor}. Each
     * {@code @name} in it outside quotes and comments whose name is a key of {@code parameters} is bound to its value
     * (a string, a whole number, a decimal, a {@code LocalDate} or an {@code Instant}), never written into the text.
     */
    void read(String sql, Map<String, ?> parameters, QueryVisitor visitor);

    /** {@link #read(String, Map, QueryVisitor)}, each row handed to {@code each}. */
    default void forEach(String sql, Map<String, ?> parameters, Consumer<ResultRow> each) {
        read(sql, parameters, new QueryVisitor() {
            private final Map<String, Integer> columns = new HashMap<>();

            @Override
            public void columns(List<String> names) {
                for (int i = 0; i < names.size(); i++) {
                    columns.put(names.get(i).toLowerCase(Locale.ROOT), i);
                }
            }

            @Override
            public void row(List<Object> values) {
                each.accept(new ResultRow(columns, values));
            }
        });
    }

    /** {@link #read(String, Map, QueryVisitor)}, each row mapped. */
    default <T> List<T> read(String sql, Map<String, ?> parameters, Function<ResultRow, T> mapper) {
        List<T> rows = new ArrayList<>();
        forEach(sql, parameters, row -> rows.add(mapper.apply(row)));
        return rows;
    }

    /**
     * Runs one read-only statement a user wrote and hands its result to {@code visitor}. Statements that write are
     * refused by the warehouse, not by parsing the text, and the statement is stopped on the warehouse at
     * {@code query}'s timeout or when it is cancelled. With {@code query}'s organization, the tables and views it
     * names without a qualifier hold that organization's rows only ({@link OrganizationScope}). A statement at fault
     * itself is a {@link StatementRefusedException}.
     */
    void query(String sql, UserQuery query, QueryVisitor visitor);

    /** How this warehouse names tables and types in SQL. */
    SqlDialect dialect();

    /**
     * Runs {@code operations}, calls on this warehouse, as one opening of it: a warehouse that is otherwise opened
     * for each operation, so that others may read it between a run's writes (a DuckDB file), stays open until they
     * are done. Other warehouses just run them. Not a transaction: each operation commits as it would alone.
     */
    default <T> T together(Supplier<T> operations) {
        return operations.get();
    }

    @Override
    void close();

    /**
     * Coverage of one report for one organization: {@code provisional} are the covered days fetched before their
     * figures were final ({@link dev.claudedataingestion.model.Revisions}).
     */
    record CoverageSummary(String organizationId, ReportKind report, Set<LocalDate> days, long rows,
            Set<LocalDate> provisional) {
        public CoverageSummary {
            days = Set.copyOf(days);
            provisional = Set.copyOf(provisional);
        }

        /**
         * {@code chosen} where {@code coverage} holds it, else the only organization it holds; a warehouse of several
         * needs the choice made, and the message names them.
         */
        public static String organization(List<CoverageSummary> coverage, Optional<String> chosen) {
            TreeSet<String> organizations = new TreeSet<>();
            coverage.forEach(summary -> organizations.add(summary.organizationId()));
            String organization = chosen.orElseGet(() -> organizations.size() == 1 ? organizations.first() : null);
            if (organization == null || !organizations.contains(organization)) {
                throw new ConfigException((organization == null ? "the warehouse holds several organizations"
                        : "the warehouse holds no data of organization " + organization) + "; choose one with"
                        + " --organization: " + String.join(", ", organizations));
            }
            return organization;
        }
    }

    /** Receives a query result: its column names once, then each row's values. */
    interface QueryVisitor {
        void columns(List<String> names);

        void row(List<Object> values);
    }
}
