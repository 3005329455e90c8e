package dev.claudedataingestion.sink.postgres;

import dev.claudedataingestion.model.ColumnType;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.sink.RowWriter;
import dev.claudedataingestion.sink.Tables;
import dev.claudedataingestion.sink.WarehouseException;
import dev.claudedataingestion.sink.jdbc.JdbcWarehouse;
import dev.claudedataingestion.sink.jdbc.UncheckedSqlException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

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
    /** A timestamptz read in the session's time zone would give a local day; the UTC one is asked for. */
    @Override
    protected String utcDate(String timestamp) {
        return "CAST((" + timestamp + " AT TIME ZONE 'UTC') AS DATE)";
    }

    @Override
    protected String dayStart(String date) {
        return "(CAST(" + date + " AS timestamp) AT TIME ZONE 'UTC')";
    }

    @Override
    protected String jsonObject(String arguments) {
        return "CAST(json_build_object(" + arguments + ") AS text)";
    }

    @Override
    protected List<String> afterCreate(Table table) {
        List<String> statements = new ArrayList<>();
        if (table == Tables.RUNS) {
            statements.add("CREATE UNIQUE INDEX IF NOT EXISTS ingestion_runs_key ON ingestion_runs (run_id)");
        } else if (table == Tables.COVERAGE) {
            statements.add("CREATE UNIQUE INDEX IF NOT EXISTS ingestion_coverage_key ON ingestion_coverage"
                    + " (organization_id, report, activity_date)");
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
        public void int64(long value) {
            field().append(value);
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
