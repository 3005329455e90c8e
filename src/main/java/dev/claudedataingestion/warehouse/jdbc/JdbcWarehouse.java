package dev.claudedataingestion.warehouse.jdbc;

import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.ColumnType;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Identifiers;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Erasure;
import dev.claudedataingestion.warehouse.FactRows;
import dev.claudedataingestion.warehouse.OrganizationScope;
import dev.claudedataingestion.warehouse.Restatement;
import dev.claudedataingestion.warehouse.RowStream;
import dev.claudedataingestion.warehouse.RowWriter;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.SqlText;
import dev.claudedataingestion.warehouse.StatementRefusedException;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.UserQuery;
import dev.claudedataingestion.warehouse.View;
import dev.claudedataingestion.warehouse.ViewCatalog;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A warehouse reached over JDBC. The statements here are plain SQL that DuckDB and PostgreSQL both run; a
 * backend supplies its column types, its bulk path and how it reads and binds timestamps. All identifiers come
 * from {@link Tables}; every value is a bound parameter.
 */
public abstract class JdbcWarehouse implements Warehouse {

    protected final Connection connection;

    protected JdbcWarehouse(Connection connection) {
        this.connection = connection;
    }

    /** The backend's SQL type for a contract type. */
    protected abstract String sqlType(ColumnType type);

    /** Opens the backend's bulk path into {@code table}, inside the current transaction. */
    protected abstract BulkLoad openBulkLoad(Table table) throws SQLException;

    /** How the analysis views are written for this backend: {@link JdbcDialect}'s, unless it says otherwise. */
    public SqlDialect dialect() {
        return new JdbcDialect();
    }

    /**
     * What the backend can tell about a failed write beyond the driver's message, such as a full disk, as a
     * sentence to append; empty by default.
     */
    protected String diagnose() {
        return "";
    }

    /** Statements run after a table is created or upgraded, such as indexes; none by default. */
    protected List<String> afterCreate(Table table) {
        return List.of();
    }

    /** The value bound for a timestamp parameter. */
    protected abstract Object timestampParameter(Instant instant);

    /** Reads a timestamp column as an instant in UTC. */
    protected abstract Instant readTimestamp(ResultSet rows, int column) throws SQLException;

    /** A bulk load of one table: rows go in through {@link #writer()}, {@link #finish()} flushes them. */
    protected record BulkLoad(RowWriter writer, SqlAction onFinish, SqlAction onClose) implements AutoCloseable {
        // Public, for the backends in other packages.
        public BulkLoad {
        }

        /** Every row has been written: make them part of the transaction. */
        public void finish() throws SQLException {
            onFinish.run();
        }

        @Override
        public void close() throws SQLException {
            onClose.run();
        }
    }

    @Override
    public void ensureSchema(ViewCatalog views) {
        try (Statement statement = connection.createStatement()) {
            // Every table's columns in one read: a catalog query per table was most of the time of this method,
            // which every command that writes runs.
            Map<String, List<String>> existingTables = existingColumns();
            for (Table table : Tables.all()) {
                List<String> existing = existingTables.get(table.name());
                if (existing == null) {
                    // CREATE TABLE IF NOT EXISTS t (c1 type1, c2 type2, …)
                    statement.execute("CREATE TABLE IF NOT EXISTS " + table.name() + " (" + table.columns().stream()
                            .map(c -> c.name() + " " + sqlType(c.type())).collect(Collectors.joining(", ")) + ")");
                    existing = table.columnNames();
                }
                for (Column column : table.columns()) {
                    if (!existing.contains(column.name())) {
                        // ALTER TABLE t ADD COLUMN c type
                        statement.execute("ALTER TABLE " + table.name() + " ADD COLUMN " + column.name() + " "
                                + sqlType(column.type()));
                    }
                }
                for (String sql : afterCreate(table)) {
                    statement.execute(sql);
                }
            }
            for (View view : views.views(dialect())) {
                // CREATE OR REPLACE VIEW v AS SELECT …
                statement.execute("CREATE OR REPLACE VIEW " + Identifiers.require(view.name()) + " AS "
                        + view.select());
            }
        } catch (SQLException e) {
            throw new WarehouseException("could not create or upgrade the tables: " + e.getMessage(), e);
        }
    }

    /**
     * A read that failed: when a table lacks columns of this version (a warehouse last written by an older one, read
     * by {@code status} or {@code report}, which do not change tables), says so and how to upgrade.
     */
    private WarehouseException readFailure(SQLException e) {
        try {
            for (Table table : Tables.all()) {
                List<String> existing = existingColumns(table.name());
                List<String> missing = table.columnNames().stream().filter(c -> !existing.contains(c)).toList();
                if (!existing.isEmpty() && !missing.isEmpty()) {
                    return new WarehouseException(table.name() + " has no column " + String.join(", ", missing)
                            + ": the warehouse was last written by an older version; run 'claude-ingest ingest' (or"
                            + " 'demo' for the demo's file) once to upgrade its tables", e);
                }
            }
        } catch (SQLException unreadable) {
            e.addSuppressed(unreadable);
        }
        return new WarehouseException("could not read the warehouse: " + e.getMessage(), e);
    }

    /** The columns of every table of the current schema, in the order they are stored. */
    private Map<String, List<String>> existingColumns() throws SQLException {
        Map<String, List<String>> tables = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT table_name, column_name FROM information_schema.columns"
                        + " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")) {
            while (rows.next()) {
                tables.computeIfAbsent(rows.getString(1), table -> new ArrayList<>()).add(rows.getString(2));
            }
        }
        return tables;
    }

    /** The table's columns in the order they are stored. */
    protected List<String> existingColumns(String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                        + " AND table_name = ? ORDER BY ordinal_position")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }

    @Override
    public WriteResult replaceDays(ReportKind report, String organizationId, DayRange days,
            RowStream<Row> rows, String runId, Instant fetchedAt, List<Restatement> restatements) {
        Instant now = fetchedAt.truncatedTo(ChronoUnit.MICROS);
        FactRows factRows = new FactRows(organizationId, now, runId);
        Report declaration = Reports.of(report);
        List<Table> tables = declaration.tables();
        long[] rowsPerDay = new long[days.size()];
        try {
            inTransaction(lockForReplace(organizationId, report.id()), () -> {
                for (Table table : tables) {
                    // DELETE FROM t WHERE organization_id = ? AND activity_date BETWEEN ? AND ?
                    execute("DELETE FROM " + table.name() + " WHERE organization_id = ? AND activity_date BETWEEN ? AND ?",
                            organizationId, days.first(), days.last());
                }
                // One pass over the rows per table: a bulk path such as COPY takes one table at a time.
                for (Table table : tables) {
                    try (BulkLoad load = openBulkLoad(table)) {
                        factRows.writeTable(rows, declaration, days, table, load.writer(),
                                table == tables.get(0) ? rowsPerDay : null);
                        load.finish();
                    }
                }
                // DELETE FROM ingestion_coverage WHERE organization_id = ? AND report = ? AND activity_date BETWEEN ? AND ?
                execute("DELETE FROM " + Tables.COVERAGE.name()
                                + " WHERE organization_id = ? AND report = ? AND activity_date BETWEEN ? AND ?",
                        organizationId, report.id(), days.first(), days.last());
                // INSERT INTO ingestion_coverage (organization_id, report, activity_date, row_count, loaded_at, run_id) VALUES (?, ?, ?, ?, ?, ?)
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + Tables.COVERAGE.name()
                        + " (organization_id, report, activity_date, row_count, loaded_at, run_id) VALUES (?, ?, ?, ?, ?, ?)")) {
                    LocalDate day = days.first();
                    for (long count : rowsPerDay) {
                        bind(insert, organizationId, report.id(), day, count, now, runId);
                        insert.addBatch();
                        day = day.plusDays(1);
                    }
                    insert.executeBatch();
                }
                recordRestatements(report, organizationId, runId, now, restatements);
            });
        } catch (SQLException | RuntimeException e) {
            if (e instanceof WarehouseException already) {
                throw already;
            }
            Throwable cause = e instanceof UncheckedSqlException unchecked ? unchecked.getCause() : e;
            throw new WarehouseException("could not replace " + report + " " + days + "; nothing was changed: "
                    + cause.getMessage() + diagnose(), cause);
        }
        long total = 0;
        for (long count : rowsPerDay) {
            total += count;
        }
        return new WriteResult(report, days, total);
    }

    private void recordRestatements(ReportKind report, String organizationId, String runId, Instant now,
            List<Restatement> restatements) throws SQLException {
        if (restatements.isEmpty()) {
            return;
        }
        List<String> columns = Tables.RESTATEMENTS.columnNames();
        // INSERT INTO ingestion_restatements (organization_id, …, restated_at) VALUES (?, …, ?)
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + Tables.RESTATEMENTS.name() + " ("
                + String.join(", ", columns) + ") VALUES (" + String.join(", ", columns.stream().map(c -> "?").toList())
                + ")")) {
            for (Restatement restatement : restatements) {
                bind(insert, organizationId, report.id(), restatement.day(), runId, restatement.measure(),
                        restatement.oldRows(), restatement.newRows(), restatement.oldTotal(), restatement.newTotal(), now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Taken before the transaction of every replace and released after its commit or rollback: a second replace of
     * the same organization and {@code scope} (a report, or a dimension table) waits, so that its delete sees the
     * first one's rows instead of leaving them beside its own. Neither READ COMMITTED (PostgreSQL) nor DuckDB's
     * optimistic transactions order two replaces by themselves: a delete of rows it cannot see yet conflicts with
     * nothing.
     */
    protected abstract ReplaceLock lockForReplace(String organizationId, String scope) throws SQLException;

    /** A held {@link #lockForReplace} lock. */
    protected interface ReplaceLock extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }

    /** A piece of work against the connection. */
    protected interface SqlAction {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction while {@code lock} is held: committed when it returns, rolled back when
     * it throws, and the lock released after either.
     */
    private void inTransaction(ReplaceLock lock, SqlAction work) throws SQLException {
        try (lock) {
            connection.setAutoCommit(false);
            try {
                work.run();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private void rollback(Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void recordRun(RunRecord run) {
        Row row = run.toRow();
        List<String> columns = Tables.RUNS.columnNames();
        List<String> updated = columns.stream().filter(c -> !c.equals("run_id")).toList();
        List<Object> values = columns.stream().map(row::get).toList();
        // Every column but run_id first, then run_id, for "… WHERE run_id = ?".
        List<Object> keyLast = new ArrayList<>(updated.stream().map(row::get).toList());
        keyLast.add(run.runId());
        try {
            // UPDATE ingestion_runs SET organization_id = ?, …, duration_ms = ? WHERE run_id = ?
            int changed = execute("UPDATE " + Tables.RUNS.name() + " SET " + String.join(", ",
                    updated.stream().map(c -> c + " = ?").toList()) + " WHERE run_id = ?", keyLast.toArray());
            if (changed == 0) {
                // INSERT INTO ingestion_runs (run_id, …, duration_ms) VALUES (?, …, ?)
                execute("INSERT INTO " + Tables.RUNS.name() + " (" + String.join(", ", columns) + ") VALUES ("
                        + String.join(", ", columns.stream().map(c -> "?").toList()) + ")", values.toArray());
            }
        } catch (SQLException e) {
            throw new WarehouseException("could not record run " + run.runId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long erasePersonalData(String organizationId, LocalDate firstKept, Erasure erasure) {
        long[] changed = {0};
        try {
            inTransaction(lockForReplace(organizationId, "personal_data"), () -> {
                Map<String, Object> parameters = Map.of(Erasure.ORGANIZATION, organizationId, Erasure.BEFORE,
                        firstKept);
                for (String statement : erasure.statements(dialect())) {
                    SqlText.Positional positional = SqlText.positional(statement, parameters.keySet());
                    changed[0] += execute(positional.sql(), positional.parameters().stream().map(parameters::get)
                            .toArray());
                }
            });
        } catch (SQLException | RuntimeException e) {
            throw new WarehouseException("could not erase personal data before " + firstKept + "; nothing was changed: "
                    + e.getMessage(), e);
        }
        return changed[0];
    }

    @Override
    public void replaceOrganizationRows(Table table, String organizationId, List<Row> rows) {
        try {
            inTransaction(lockForReplace(organizationId, table.name()), () -> {
                // DELETE FROM t WHERE organization_id = ?
                execute("DELETE FROM " + table.name() + " WHERE organization_id = ?", organizationId);
                try (BulkLoad load = openBulkLoad(table)) {
                    for (Row row : rows) {
                        load.writer().row(row);
                    }
                    load.finish();
                }
            });
        } catch (SQLException | RuntimeException e) {
            throw new WarehouseException("could not replace " + table.name() + "; nothing was changed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public long insertNew(Table table, List<Row> rows) {
        String key = Tables.telemetryKey(table);
        Map<String, Row> byKey = new LinkedHashMap<>();
        rows.forEach(row -> byKey.putIfAbsent(row.string(key), row));
        if (byKey.isEmpty()) {
            return 0;
        }
        long[] added = {0};
        try {
            inTransaction(lockForReplace("", table.name()), () -> added[0] = addNew(table, key, byKey.values()));
        } catch (SQLException | RuntimeException e) {
            throw new WarehouseException("could not add rows to " + table.name() + "; nothing was added: "
                    + e.getMessage(), e);
        }
        return added[0];
    }

    /**
     * Adds those of {@code rows} (distinct keys) whose key {@code table} lacks, within the transaction and the
     * table's lock {@link #insertNew} holds; returns how many. This one reads the keys present, then bulk-loads the
     * others: the lock makes the two one step for every writer.
     */
    protected long addNew(Table table, String key, Collection<Row> rows) throws SQLException {
        Set<String> present = presentKeys(table, key, rows);
        long added = 0;
        try (BulkLoad load = openBulkLoad(table)) {
            for (Row row : rows) {
                if (!present.contains(row.string(key))) {
                    load.writer().row(row);
                    added++;
                }
            }
            load.finish();
        }
        return added;
    }

    /** Which keys of {@code rows} {@code table} holds, looked for on the days of {@code rows} alone. */
    private Set<String> presentKeys(Table table, String key, Collection<Row> rows) throws SQLException {
        List<String> keys = rows.stream().map(row -> row.string(key)).toList();
        DayRange days = Tables.telemetryDays(rows);
        Set<String> present = new HashSet<>();
        int chunk = 1000;
        for (int from = 0; from < keys.size(); from += chunk) {
            List<String> some = keys.subList(from, Math.min(keys.size(), from + chunk));
            // SELECT k FROM t WHERE activity_date BETWEEN ? AND ? AND k IN (?, ?, …)
            try (PreparedStatement query = connection.prepareStatement("SELECT " + key + " FROM " + table.name()
                    + " WHERE activity_date BETWEEN ? AND ? AND " + key + " IN ("
                    + String.join(", ", Collections.nCopies(some.size(), "?")) + ")")) {
                List<Object> parameters = new ArrayList<>(List.of(days.first(), days.last()));
                parameters.addAll(some);
                bind(query, parameters.toArray());
                try (ResultSet found = query.executeQuery()) {
                    while (found.next()) {
                        present.add(found.getString(1));
                    }
                }
            }
        }
        return present;
    }

    @Override
    public void query(String sql, UserQuery query, QueryVisitor visitor) {
        if (SqlText.statements(sql) > 1) {
            throw new StatementRefusedException("query runs one statement; this text holds several (separated by ';')");
        }
        String text = query.organization().isEmpty() ? sql : OrganizationScope.apply(sql, dialect(), query.views());
        Map<String, ?> parameters = query.organization().isEmpty() ? Map.of()
                : Map.of(OrganizationScope.PARAMETER, query.organization().get());
        try {
            runUserQuery(text, parameters, query, visitor);
        } catch (SQLException e) {
            if (query.cancellation().isCancelled()) {
                throw new StatementRefusedException("query was cancelled; the warehouse stopped the statement", e);
            }
            if (isTimeout(e)) {
                throw timedOut(query, e);
            }
            String message = "query failed: " + e.getMessage();
            throw isStatementFault(e) ? new StatementRefusedException(message, e) : new WarehouseException(message, e);
        }
    }

    /**
     * Runs a user's statement sealed as this backend can: read-only, stopped at {@code query}'s timeout, and stoppable
     * through its cancellation. By default a timer cancels the statement from the client at the timeout.
     */
    protected void runUserQuery(String sql, Map<String, ?> parameters, UserQuery query, QueryVisitor visitor)
            throws SQLException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "query-timeout");
            thread.setDaemon(true);
            return thread;
        });
        AtomicBoolean fired = new AtomicBoolean();
        try {
            run(sql, parameters, visitor, statement -> {
                query.cancellation().onCancel(statement::cancel);
                timer.schedule(() -> {
                    fired.set(true);
                    try {
                        statement.cancel();
                    } catch (SQLException e) {
                        // The statement ended meanwhile.
                    }
                }, query.timeout().toMillis(), TimeUnit.MILLISECONDS);
            });
        } catch (SQLException e) {
            if (fired.get() && !query.cancellation().isCancelled()) {
                throw timedOut(query, e);
            }
            throw e;
        } finally {
            query.cancellation().clear();
            timer.shutdownNow();
        }
    }

    /** Whether the warehouse itself stopped the statement at its timeout (the client's timer is handled apart). */
    protected boolean isTimeout(SQLException e) {
        return false;
    }

    private static StatementRefusedException timedOut(UserQuery query, SQLException e) {
        return new StatementRefusedException("the statement ran longer than its timeout of " + query.timeoutText()
                + " and was stopped on the warehouse; read fewer days or rows, or give query a longer --timeout", e);
    }

    /** The SQLSTATE classes of {@link #isStatementFault}. */
    private static final Set<String> STATEMENT_FAULTS = Set.of("42", "22", "25", "0A", "21", "2B");

    /**
     * Whether a failed user statement is at fault itself (its syntax, names, types, a write refused by the read-only
     * transaction) rather than the warehouse: SQLSTATE classes 42, 22, 25, 0A, 21 and 2B.
     */
    protected boolean isStatementFault(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.length() >= 2 && STATEMENT_FAULTS.contains(state.substring(0, 2));
    }

    @Override
    public void read(String sql, Map<String, ?> parameters, QueryVisitor visitor) {
        try {
            run(sql, parameters, visitor);
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    /** Runs one statement with its named parameters bound, and hands its rows to {@code visitor}. */
    protected final void run(String sql, Map<String, ?> parameters, QueryVisitor visitor) throws SQLException {
        run(sql, parameters, visitor, statement -> {
        });
    }

    /** Something to do with a statement once it is prepared and before it runs, such as arming its cancellation. */
    protected interface BeforeExecute {
        void accept(PreparedStatement statement) throws SQLException;
    }

    /**
     * Runs one statement with its named parameters bound, and hands its rows to {@code visitor}; {@code before} sees
     * the statement just before it is sent.
     */
    protected final void run(String sql, Map<String, ?> parameters, QueryVisitor visitor, BeforeExecute before)
            throws SQLException {
        SqlText.Positional positional = SqlText.positional(sql, parameters.keySet());
        try (PreparedStatement statement = connection.prepareStatement(positional.sql())) {
            bind(statement, positional.parameters().stream().map(parameters::get).toArray());
            statement.setFetchSize(1000);
            before.accept(statement);
            if (!statement.execute()) {
                throw new StatementRefusedException("the statement returned no rows; query only runs SELECT statements");
            }
            try (ResultSet rows = statement.getResultSet()) {
                ResultSetMetaData meta = rows.getMetaData();
                List<String> names = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    names.add(meta.getColumnLabel(i));
                }
                visitor.columns(names);
                while (rows.next()) {
                    List<Object> values = new ArrayList<>(names.size());
                    for (int i = 1; i <= names.size(); i++) {
                        int type = meta.getColumnType(i);
                        values.add(type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE
                                ? readTimestamp(rows, i)
                                : type == Types.DATE ? rows.getObject(i, LocalDate.class) : rows.getObject(i));
                    }
                    visitor.row(values);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new WarehouseException("could not close the warehouse: " + e.getMessage(), e);
        }
    }

    private int execute(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    private void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value instanceof Instant instant) {
                statement.setObject(i + 1, timestampParameter(instant));
            } else if (value == null) {
                statement.setNull(i + 1, Types.NULL);
            } else {
                statement.setObject(i + 1, value);
            }
        }
    }
}
