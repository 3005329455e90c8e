package dev.claudedataingestion.warehouse.postgres;

import dev.claudedataingestion.model.ColumnType;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.RowWriter;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.StatementRefusedException;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.UserQuery;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.jdbc.JdbcWarehouse;
import dev.claudedataingestion.warehouse.jdbc.UncheckedSqlException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A PostgreSQL database. Facts are bulk-loaded with {@code COPY … FROM STDIN} inside the transaction that deletes
 * the replaced days and writes their coverage. Money is {@code numeric} (exact, unbounded), instants are
 * {@code timestamptz}.
 */
public final class PostgresWarehouse extends JdbcWarehouse {

    private PostgresWarehouse(Connection connection) {
        super(connection);
    }

    /**
     * Connects as {@code user}; the password is {@code password} when given, else whatever {@code ~/.pgpass}
     * (or {@code PGPASSFILE}) holds for the server, which the driver reads itself.
     */
    public static PostgresWarehouse open(String host, int port, String database, String user,
            Map<String, String> parameters, Optional<String> password, boolean readOnly) {
        Properties properties = new Properties();
        properties.putAll(parameters);
        properties.setProperty("user", user);
        password.ifPresent(secret -> properties.setProperty("password", secret));
        properties.setProperty("ApplicationName", "claude-data-ingestion");
        // Text parameters go untyped, so that the server takes them for jsonb columns too.
        properties.setProperty("stringtype", "unspecified");
        if (readOnly) {
            // Every statement runs in a read-only transaction, whether or not auto-commit is on.
            properties.setProperty("readOnly", "true");
            properties.setProperty("readOnlyMode", "always");
        }
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        try {
            return new PostgresWarehouse(DriverManager.getConnection(url, properties));
        } catch (SQLException e) {
            throw new WarehouseException("could not connect to PostgreSQL at " + host + ":" + port + "/" + database
                    + " as " + user + " (" + e.getMessage() + "); check the URL, that the server runs, and PGPASSWORD"
                    + " or ~/.pgpass", e);
        }
    }

    /**
     * A session-level advisory lock on the organization and scope, taken before the transaction and released after
     * it (and by PostgreSQL itself if the connection dies):
     * <pre>
     * SELECT pg_advisory_lock(hashtext(?), hashtext(?))
     * SELECT pg_advisory_unlock(hashtext(?), hashtext(?))
     * </pre>
     */
    @Override
    protected ReplaceLock lockForReplace(String organizationId, String scope) throws SQLException {
        advisory("pg_advisory_lock", organizationId, scope);
        return () -> advisory("pg_advisory_unlock", organizationId, scope);
    }

    private void advisory(String function, String organizationId, String scope) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT " + function + "(hashtext(?), hashtext(?))")) {
            lock.setString(1, organizationId);
            lock.setString(2, scope);
            lock.execute();
        }
    }

    /** The roles whose members can read or write the server's files, run programs on it, or signal its sessions. */
    private static final List<String> PRIVILEGED_ROLES = List.of("pg_read_server_files", "pg_write_server_files",
            "pg_execute_server_program", "pg_signal_backend");

    /**
     * Functions a {@code query} statement may not call whatever the login: large objects (they persist outside any
     * table), the server's files and directories, signalling or reconfiguring the server, and the functions that run
     * SQL given as text, which would hide a call to any of them.
     */
    private static final Pattern FORBIDDEN_FUNCTIONS = Pattern.compile("\\b(lo_\\w+|loread|lowrite|pg_read_file"
            + "|pg_read_binary_file|pg_stat_file|pg_ls_\\w+|pg_file_\\w+|pg_logdir_ls|pg_terminate_backend"
            + "|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_promote|pg_switch_wal"
            + "|pg_log_backend_memory_contexts|query_to_xml\\w*|cursor_to_xml\\w*|dblink\\w*)\\s*\\(");

    /** Quoted text and identifiers in a deparsed plan: a function's name inside them is no call. */
    private static final Pattern QUOTED = Pattern.compile("'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"");

    /**
     * A user's statement in a transaction of its own that is read-only and always rolled back, so that nothing it
     * does persists, not even a large object, which a read-only transaction still lets a function create. The server
     * ends it at the timeout ({@code statement_timeout}), also when this process is gone, and ends a transaction
     * left idle ({@code idle_in_transaction_session_timeout}); from PostgreSQL 14 it also notices a client that has
     * gone within a second ({@code client_connection_check_interval}). Before it runs, the login is checked
     * ({@link #refusePrivilegedLogin}) and the statement's plan is searched for {@link #FORBIDDEN_FUNCTIONS}:
     * <pre>
     * SET TRANSACTION READ ONLY
     * SET LOCAL statement_timeout = 60000
     * SET LOCAL idle_in_transaction_session_timeout = 60000
     * SET LOCAL client_connection_check_interval = 1000
     * EXPLAIN (VERBOSE, COSTS OFF) &lt;statement&gt;
     * &lt;statement&gt;
     * ROLLBACK
     * </pre>
     */
    @Override
    protected void runUserQuery(String sql, Map<String, ?> parameters, UserQuery query, QueryVisitor visitor)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            long millis = query.timeout().toMillis();
            try (Statement settings = connection.createStatement()) {
                settings.execute("SET TRANSACTION READ ONLY");
                settings.execute("SET LOCAL statement_timeout = " + millis);
                settings.execute("SET LOCAL idle_in_transaction_session_timeout = " + millis);
                if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
                    settings.execute("SET LOCAL client_connection_check_interval = 1000");
                }
            }
            if (!query.allowPrivilegedRole()) {
                refusePrivilegedLogin();
            }
            refuseForbiddenFunctions(sql, parameters);
            run(sql, parameters, visitor, statement -> query.cancellation().onCancel(statement::cancel));
        } finally {
            query.cancellation().clear();
            try {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            } catch (SQLException e) {
                // The connection is gone; the server rolls the transaction back itself.
            }
        }
    }

    /**
     * Refuses a login that could read the server's files, run programs on it or stop other sessions, or that owns the
     * tables (and so could change them outside {@code query}):
     * <pre>
     * SELECT 'a member of the superuser role ' || rolname FROM pg_roles WHERE rolsuper AND pg_has_role(session_user, oid, 'MEMBER')
     * UNION ALL SELECT 'a member of ' || rolname FROM pg_roles WHERE rolname = ANY(?) AND pg_has_role(session_user, oid, 'MEMBER')
     * UNION ALL SELECT 'the owner of ' || relname FROM pg_class WHERE relname = ANY(?) AND pg_table_is_visible(oid)
     *     AND pg_has_role(session_user, relowner, 'MEMBER')
     * </pre>
     */
    private void refusePrivilegedLogin() throws SQLException {
        List<String> reasons = new ArrayList<>();
        try (PreparedStatement check = connection.prepareStatement("SELECT 'a member of the superuser role ' || rolname"
                + " FROM pg_roles WHERE rolsuper AND pg_has_role(session_user, oid, 'MEMBER')"
                + " UNION ALL SELECT 'a member of ' || rolname FROM pg_roles WHERE rolname = ANY(?)"
                + " AND pg_has_role(session_user, oid, 'MEMBER')"
                + " UNION ALL SELECT 'the owner of ' || relname FROM pg_class WHERE relname = ANY(?)"
                + " AND pg_table_is_visible(oid) AND pg_has_role(session_user, relowner, 'MEMBER')")) {
            check.setArray(1, connection.createArrayOf("text", PRIVILEGED_ROLES.toArray()));
            check.setArray(2, connection.createArrayOf("text", Tables.all().stream().map(Table::name).toArray()));
            try (ResultSet rows = check.executeQuery()) {
                while (rows.next()) {
                    reasons.add(rows.getString(1));
                }
            }
        }
        if (!reasons.isEmpty() && reasons.get(0).startsWith("a member of the superuser")) {
            // A superuser is a member of every role: that it is one says it all.
            reasons = List.of("a superuser");
        }
        if (!reasons.isEmpty()) {
            throw new StatementRefusedException("query refuses to run as " + connection.getMetaData().getUserName()
                    + ", which is " + String.join(", ", reasons.subList(0, Math.min(3, reasons.size())))
                    + (reasons.size() > 3 ? " and more" : "") + ": a statement could read the server's files, stop"
                    + " other sessions or change the tables. Connect as a read-only role (docs/configuration.md,"
                    + " 'A read-only role for query': CREATE ROLE analyst LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA"
                    + " public TO analyst), or pass --allow-privileged-role");
        }
    }

    /** Plans the statement without running it, and refuses it when the plan calls a forbidden function. */
    private void refuseForbiddenFunctions(String sql, Map<String, ?> parameters) throws SQLException {
        StringBuilder plan = new StringBuilder();
        String explain = "EXPLAIN (VERBOSE, COSTS OFF) ";
        try {
            run(explain + sql, parameters, new QueryVisitor() {
                @Override
                public void columns(List<String> names) {
                }

                @Override
                public void row(List<Object> values) {
                    plan.append(values.get(0)).append('\n');
                }
            });
        } catch (PSQLException e) {
            // The server's error as the statement alone would have it: its position without the EXPLAIN before it.
            ServerErrorMessage error = e.getServerErrorMessage();
            if (error == null || error.getMessage() == null) {
                throw e;
            }
            int position = error.getPosition() - explain.length();
            throw new SQLException("ERROR: " + error.getMessage() + (position > 0 ? " (at character " + position + ")"
                    : ""), e.getSQLState(), e);
        }
        Matcher call = FORBIDDEN_FUNCTIONS.matcher(QUOTED.matcher(plan).replaceAll("''"));
        if (call.find()) {
            throw new StatementRefusedException("query refuses statements that call " + call.group(1) + ": large"
                    + " objects, the server's files, signalling the server and running SQL from text are refused"
                    + " whatever the role");
        }
    }

    /** {@code 57014} with the server's own timeout, or {@code 25P03} for an idle transaction. */
    @Override
    protected boolean isTimeout(SQLException e) {
        return "25P03".equals(e.getSQLState())
                || "57014".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("statement timeout");
    }

    @Override
    protected String sqlType(ColumnType type) {
        return switch (type) {
            case STRING -> "text";
            case JSON -> "jsonb";
            case INT64 -> "bigint";
            case BOOL -> "boolean";
            case DATE -> "date";
            case TIMESTAMP -> "timestamptz";
            case CENTS, USD -> "numeric";
        };
    }

    /** Indexes for replacing and reading by organization and day, and the ledger's keys. */
    @Override
    public SqlDialect dialect() {
        return new PostgresDialect();
    }

    @Override
    protected List<String> afterCreate(Table table) {
        List<String> statements = new ArrayList<>();
        if (table == Tables.RUNS) {
            statements.add("CREATE UNIQUE INDEX IF NOT EXISTS ingestion_runs_key ON ingestion_runs (run_id)");
        } else if (table == Tables.COVERAGE) {
            statements.add("CREATE UNIQUE INDEX IF NOT EXISTS ingestion_coverage_key ON ingestion_coverage"
                    + " (organization_id, report, activity_date)");
        } else if (Tables.telemetry().contains(table)) {
            // CREATE UNIQUE INDEX IF NOT EXISTS t_key ON t (k): a guard behind insertNew's lock
            statements.add("CREATE UNIQUE INDEX IF NOT EXISTS " + table.name() + "_key ON " + table.name() + " ("
                    + Tables.telemetryKey(table) + ")");
            statements.add("CREATE INDEX IF NOT EXISTS " + table.name() + "_day ON " + table.name()
                    + " (organization_id, activity_date)");
        } else {
            // CREATE INDEX IF NOT EXISTS t_key ON t (key columns…), and t_day ON t (organization_id, activity_date)
            statements.add("CREATE INDEX IF NOT EXISTS " + table.name() + "_key ON " + table.name() + " ("
                    + String.join(", ", table.key()) + ")");
            if (table.columnNames().contains("activity_date")) {
                statements.add("CREATE INDEX IF NOT EXISTS " + table.name() + "_day ON " + table.name()
                        + " (organization_id, activity_date)");
            }
        }
        return statements;
    }

    @Override
    protected Object timestampParameter(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    @Override
    protected Instant readTimestamp(ResultSet rows, int column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** {@code COPY t (c1, c2, …) FROM STDIN (FORMAT csv)}: columns by name, so upgraded tables load correctly. */
    /**
     * COPY into a temporary table, then {@code INSERT … ON CONFLICT DO NOTHING}: the unique index on the key decides,
     * whatever the planner thinks of a new table whose statistics lag behind its growth. A probe of the keys read
     * the whole table then: 32 exporters into a new database got 1,627 events a second, and 23,804 this way.
     */
    @Override
    protected long addNew(Table table, String key, Collection<Row> rows) throws SQLException {
        Table batch = new Table(table.name() + "_batch", table.columns(), table.key());
        try (Statement statement = connection.createStatement()) {
            // CREATE TEMPORARY TABLE t_batch (LIKE t) ON COMMIT DROP
            statement.execute("CREATE TEMPORARY TABLE " + batch.name() + " (LIKE " + table.name() + ") ON COMMIT DROP");
        }
        try (BulkLoad load = openBulkLoad(batch)) {
            for (Row row : rows) {
                load.writer().row(row);
            }
            load.finish();
        }
        String columns = String.join(", ", table.columnNames());
        try (Statement statement = connection.createStatement()) {
            // INSERT INTO t (c1, …) SELECT c1, … FROM t_batch ON CONFLICT (k) DO NOTHING
            return statement.executeUpdate("INSERT INTO " + table.name() + " (" + columns + ") SELECT " + columns
                    + " FROM " + batch.name() + " ON CONFLICT (" + key + ") DO NOTHING");
        }
    }

    @Override
    protected BulkLoad openBulkLoad(Table table) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table.name() + " ("
                + String.join(", ", table.columnNames()) + ") FROM STDIN (FORMAT csv)");
        CsvWriter writer = new CsvWriter(copy);
        return new BulkLoad(writer, () -> {
            writer.flush();
            copy.endCopy();
        }, () -> {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        });
    }

    /**
     * Rows as CSV for COPY: an unquoted empty field is NULL, so every non-null text is quoted and an empty string
     * stays an empty string.
     */
    private static final class CsvWriter implements RowWriter {
        private static final int FLUSH_AT = 1 << 16;
        private final CopyIn copy;
        private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 1024);
        private boolean rowStarted;

        CsvWriter(CopyIn copy) {
            this.copy = copy;
        }

        private StringBuilder field() {
            if (rowStarted) {
                buffer.append(',');
            }
            rowStarted = true;
            return buffer;
        }

        @Override
        public void string(String value) {
            StringBuilder out = field();
            if (value != null) {
                out.append('"').append(value.replace("\"", "\"\"")).append('"');
            }
        }

        @Override
        public void int64(Long value) {
            StringBuilder out = field();
            if (value != null) {
                out.append(value.longValue());
            }
        }

        @Override
        public void bool(Boolean value) {
            StringBuilder out = field();
            if (value != null) {
                out.append(value ? "true" : "false");
            }
        }

        @Override
        public void date(LocalDate value) {
            StringBuilder out = field();
            if (value != null) {
                out.append(value);
            }
        }

        @Override
        public void timestamp(Instant value) {
            StringBuilder out = field();
            if (value != null) {
                out.append(value);
            }
        }

        @Override
        public void decimal(BigDecimal value) {
            StringBuilder out = field();
            if (value != null) {
                out.append(value.toPlainString());
            }
        }

        @Override
        public void endRow() {
            buffer.append('\n');
            rowStarted = false;
            if (buffer.length() >= FLUSH_AT) {
                flush();
            }
        }

        void flush() {
            if (buffer.length() == 0) {
                return;
            }
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            buffer.setLength(0);
            try {
                copy.writeToCopy(bytes, 0, bytes.length);
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }
    }
}
