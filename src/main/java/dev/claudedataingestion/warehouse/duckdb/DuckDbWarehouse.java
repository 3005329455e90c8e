package dev.claudedataingestion.warehouse.duckdb;

import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.ColumnType;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Identifiers;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.DayTotal;
import dev.claudedataingestion.warehouse.Erasure;
import dev.claudedataingestion.warehouse.ParquetWriter;
import dev.claudedataingestion.warehouse.Restatement;
import dev.claudedataingestion.warehouse.RowStream;
import dev.claudedataingestion.warehouse.RowWriter;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.UserQuery;
import dev.claudedataingestion.warehouse.ViewCatalog;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.WriteResult;
import dev.claudedataingestion.warehouse.jdbc.JdbcWarehouse;
import dev.claudedataingestion.warehouse.jdbc.UncheckedSqlException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The embedded default: one DuckDB file. Facts are bulk-loaded with DuckDB's appender inside the same
 * transaction as the delete of the replaced days and the coverage rows, so a killed process leaves each day
 * wholly old or wholly new (DuckDB's write-ahead log replays or drops the transaction as a whole).
 * Timestamps are stored as {@code TIMESTAMP} holding UTC.
 */
public final class DuckDbWarehouse extends JdbcWarehouse {

    /** Less free space than this where the file lives is taken as the reason a write failed. */
    private static final long FULL_DISK_BYTES = 64L << 20;

    /** One lock per file, organization and scope, for the connections of this process. */
    private static final Map<String, ReentrantLock> REPLACE_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    /**
     * Whether each table's columns are stored in the contract's order, as far as known; shared by the openings of
     * one run, whose schema does not change after its start.
     */
    private Map<String, Boolean> layouts = new ConcurrentHashMap<>();

    private DuckDbWarehouse(Connection connection, Path file) {
        super(connection);
        this.file = file;
    }

    /**
     * Opens (and creates, unless read-only) the database file. A reader waits a few seconds for a write in progress;
     * a writer is told at once that another process holds the file.
     */
    public static DuckDbWarehouse open(Path file, boolean readOnly) {
        return open(file, readOnly, readOnly ? READER_PATIENCE : Duration.ZERO);
    }

    private static DuckDbWarehouse open(Path file, boolean readOnly, Duration patience) {
        try {
            if (readOnly && !Files.exists(file)) {
                throw new WarehouseException("there is no DuckDB warehouse at " + file
                        + " yet; run 'claude-ingest ingest' (or 'demo') first, or point --warehouse at it");
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                // A typo in the path would otherwise become a new, empty warehouse.
                throw new WarehouseException("the folder " + parent + " of the DuckDB file does not exist; create it,"
                        + " or correct --warehouse (or WAREHOUSE)");
            }
            requireDuckDbFile(file);
            Properties properties = new Properties();
            // Never from the network: a file that needs an extension (a SQLite file, say) fails instead.
            properties.setProperty("autoinstall_known_extensions", "false");
            properties.setProperty("autoload_known_extensions", "false");
            if (readOnly) {
                // Sealed for 'query', 'status', 'check' and 'report': no other file is read or written, nothing
                // attached, installed or exported, and no statement can lift these settings.
                properties.setProperty("duckdb.read_only", "true");
                properties.setProperty("enable_external_access", "false");
                properties.setProperty("lock_configuration", "true");
            }
            Connection connection = connect(file, properties, patience);
            return new DuckDbWarehouse(connection, file.toAbsolutePath());
        } catch (SQLException e) {
            String reason = e.getMessage();
            if (isLocked(e)) {
                throw new WarehouseException("the DuckDB file " + file + " is in use by another process (" + reason
                        + "); wait for the other run to finish and try again", e);
            }
            throw new WarehouseException("could not open the DuckDB file " + file + ": " + reason, e);
        } catch (IOException e) {
            throw new WarehouseException("could not create the folder for " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Another process cannot open the file while this one writes it; connections of this process take turns here.
     */
    @Override
    protected ReplaceLock lockForReplace(String organizationId, String scope) {
        ReentrantLock lock = REPLACE_LOCKS.computeIfAbsent(file + "\u0000" + organizationId + "\u0000" + scope,
                key -> new ReentrantLock());
        lock.lock();
        return lock::unlock;
    }

    /** Paths DuckDB is given are written into SQL: only plain ones, of files this program made. */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9/._-]+");

    /** {@link ParquetWriter#csvToParquet}, by an in-memory DuckDB that reaches nothing else. */
    public static void csvToParquet(Path csv, List<ParquetWriter.Column> columns, Path parquet) {
        for (Path path : List.of(csv, parquet)) {
            if (!PLAIN_PATH.matcher(path.toString()).matches()) {
                throw new IllegalArgumentException("not a plain path: " + path);
            }
        }
        String types = columns.stream().map(column -> "'" + Identifiers.requireCased(column.name()) + "': '"
                + switch (column.type()) {
                    case DECIMAL -> "DECIMAL(38," + (Cents.SCALE + 2) + ")";
                    case TIMESTAMP -> "TIMESTAMPTZ";
                    case BOOLEAN -> "BOOLEAN";
                    case STRING -> "VARCHAR";
                } + "'").collect(Collectors.joining(", "));
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        NativeLibrary.check();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
                Statement statement = connection.createStatement()) {
            // Instants are read and written at UTC, whatever the machine's time zone.
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute("COPY (SELECT * FROM read_csv('" + csv.toAbsolutePath() + "', header = true,"
                    + " auto_detect = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false,"
                    + " columns = {" + types + "})) TO '" + parquet.toAbsolutePath() + "' (FORMAT parquet)");
        } catch (SQLException e) {
            throw new WarehouseException("could not write the Parquet file: " + e.getMessage(), e);
        }
    }

    /** How long a reader waits for a write in progress, which holds the file for one window at most. */
    private static final int READER_PATIENCE_SECONDS = 15;
    private static final Duration READER_PATIENCE = Duration.ofSeconds(READER_PATIENCE_SECONDS);
    /** How long an ingest run waits for readers ({@code status}, {@code query}, …) to let go of the file. */
    private static final Duration WRITER_PATIENCE = Duration.ofSeconds(60);

    /** Connects, trying again while another process holds the file's lock, for up to {@code patience}. */
    private static Connection connect(Path file, Properties properties, Duration patience) throws SQLException {
        NativeLibrary.check();
        long giveUp = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), properties);
            } catch (SQLException e) {
                if (!isLocked(e) || System.nanoTime() > giveUp) {
                    throw e;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the DuckDB file " + file, e);
            }
        }
    }

    private static boolean isLocked(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("lock");
    }

    /** How long a run keeps the file open after an operation for the next one, which a backfill sends at once. */
    static final Duration IDLE_RELEASE = Duration.ofMillis(250);
    /**
     * The longest a run keeps the file open at a stretch, so that {@code status}, {@code query}, {@code check} and
     * {@code report}, which wait {@value #READER_PATIENCE_SECONDS} seconds for it, get in during a long backfill.
     */
    static final Duration MOST_HELD = Duration.ofSeconds(3);

    /**
     * The warehouse of one {@code ingest} run: the run holds {@code <file>.lock} from start to end, so that a
     * second run is told the file is busy. It opens the DuckDB file itself when an operation comes, keeps it open
     * while operations follow one another (a window's reads and write, the next window's), and closes it
     * {@link #IDLE_RELEASE} after the last one, or after {@link #MOST_HELD} at most, so that readers get in between:
     * an opening costs tens of milliseconds and a closing a checkpoint, which a run pays once a stretch, not once
     * an operation.
     */
    public static Warehouse openForRun(Path file) {
        return openForRun(file, IDLE_RELEASE, MOST_HELD);
    }

    static Warehouse openForRun(Path file, Duration idleRelease, Duration mostHeld) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            if (file.toAbsolutePath().getParent() != null && Files.isDirectory(file.toAbsolutePath().getParent())) {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    throw new WarehouseException("the DuckDB file " + file + " is in use by another process (another"
                            + " ingest run holds " + lockFile + "); wait for the other run to finish and try again");
                }
            }
            SqlDialect dialect;
            try (DuckDbWarehouse first = open(file, false, WRITER_PATIENCE)) {
                dialect = first.dialect();
            }
            return new OpenPerOperation(file, channel, dialect, idleRelease, mostHeld);
        } catch (IOException e) {
            throw new WarehouseException("could not lock " + lockFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // Closing releases the lock; there is nothing else to do.
        }
    }

    /**
     * The file opened when an operation comes and kept open for the next while they follow one another, closed
     * after a pause or a stretch ({@link #openForRun}); the operations {@link #together} runs, on one opening.
     */
    static final class OpenPerOperation implements Warehouse {
        private final Path file;
        private final FileChannel lock;
        /** The dialect does not depend on the file: known from the first opening. */
        private final SqlDialect dialect;
        private final Duration idleRelease;
        private final Duration mostHeld;
        /** Whether each table's columns are stored in the contract's order: read once a run, not once a window. */
        private final Map<String, Boolean> layouts = new ConcurrentHashMap<>();
        private final ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "duckdb-release");
            thread.setDaemon(true);
            return thread;
        });
        /** Guards {@link #held}: the operations and the release take turns. */
        private final ReentrantLock turn = new ReentrantLock();
        private DuckDbWarehouse held;
        private long heldSince;
        private ScheduledFuture<?> release;
        private int openings;
        /** The connection of the {@link #together} call in progress, if any. */
        private DuckDbWarehouse current;

        OpenPerOperation(Path file, FileChannel lock, SqlDialect dialect, Duration idleRelease, Duration mostHeld) {
            this.file = file;
            this.lock = lock;
            this.dialect = dialect;
            this.idleRelease = idleRelease;
            this.mostHeld = mostHeld;
        }

        private <T> T with(Function<DuckDbWarehouse, T> operation) {
            if (current != null) {
                return operation.apply(current);
            }
            turn.lock();
            try {
                if (release != null) {
                    release.cancel(false);
                }
                if (held != null && System.nanoTime() - heldSince > mostHeld.toNanos()) {
                    closeHeld();
                }
                if (held == null) {
                    held = open(file, false, WRITER_PATIENCE);
                    held.layouts = layouts;
                    heldSince = System.nanoTime();
                    openings++;
                }
                try {
                    return operation.apply(held);
                } catch (RuntimeException e) {
                    // What a failed operation left on its connection is not known: the next one opens afresh.
                    closeHeld();
                    throw e;
                }
            } finally {
                if (held != null) {
                    release = releaser.schedule(this::releaseIdle, idleRelease.toNanos(), TimeUnit.NANOSECONDS);
                }
                turn.unlock();
            }
        }

        private void releaseIdle() {
            turn.lock();
            try {
                closeHeld();
            } finally {
                turn.unlock();
            }
        }

        private void closeHeld() {
            if (held != null) {
                DuckDbWarehouse closing = held;
                held = null;
                closing.close();
            }
        }

        /** How many times the file was opened: once a stretch of operations. */
        int openings() {
            return openings;
        }

        @Override
        public <T> T together(Supplier<T> operations) {
            if (current != null) {
                return operations.get();
            }
            return with(warehouse -> {
                current = warehouse;
                try {
                    return operations.get();
                } finally {
                    current = null;
                }
            });
        }

        @Override
        public void ensureSchema(ViewCatalog views) {
            with(warehouse -> {
                warehouse.ensureSchema(views);
                // An upgrade may have added columns: the layouts are read again.
                layouts.clear();
                return null;
            });
        }

        @Override
        public WriteResult replaceDays(ReportKind report, String organizationId, DayRange days,
                RowStream<Row> rows, String runId, Instant fetchedAt, List<Restatement> restatements) {
            return with(warehouse -> warehouse.replaceDays(report, organizationId, days, rows, runId, fetchedAt,
                    restatements));
        }

        /** Its two reads (covered days, then their totals) in one opening of the file, not one each. */
        @Override
        public Map<LocalDate, DayTotal> dayTotals(ReportKind report, String organizationId, DayRange days) {
            return with(warehouse -> warehouse.dayTotals(report, organizationId, days));
        }

        @Override
        public void replaceOrganizationRows(Table table, String organizationId, List<Row> rows) {
            with(warehouse -> {
                warehouse.replaceOrganizationRows(table, organizationId, rows);
                return null;
            });
        }

        @Override
        public long insertNew(Table table, List<Row> rows) {
            return with(warehouse -> warehouse.insertNew(table, rows));
        }

        @Override
        public void recordRun(RunRecord run) {
            with(warehouse -> {
                warehouse.recordRun(run);
                return null;
            });
        }

        @Override
        public long erasePersonalData(String organizationId, LocalDate firstKept, Erasure erasure) {
            return with(warehouse -> warehouse.erasePersonalData(organizationId, firstKept, erasure));
        }

        @Override
        public void query(String sql, UserQuery query, QueryVisitor visitor) {
            with(warehouse -> {
                warehouse.query(sql, query, visitor);
                return null;
            });
        }

        @Override
        public void read(String sql, Map<String, ?> parameters, QueryVisitor visitor) {
            with(warehouse -> {
                warehouse.read(sql, parameters, visitor);
                return null;
            });
        }

        @Override
        public SqlDialect dialect() {
            return dialect;
        }

        @Override
        public void close() {
            turn.lock();
            try {
                if (release != null) {
                    release.cancel(false);
                }
                closeHeld();
            } finally {
                turn.unlock();
                releaser.shutdownNow();
                closeQuietly(lock);
            }
        }
    }

    /** An existing file must be DuckDB's: its header says so with "DUCK" at byte 8. */
    private static void requireDuckDbFile(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return;
        }
        byte[] header = new byte[16];
        int read;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(header, 0, header.length);
        }
        if (read < 12 || !"DUCK".equals(new String(header, 8, 4, java.nio.charset.StandardCharsets.US_ASCII))) {
            boolean sqlite = read >= 15 && new String(header, 0, 15, java.nio.charset.StandardCharsets.US_ASCII)
                    .equals("SQLite format 3");
            throw new WarehouseException(file + " is " + (sqlite ? "a SQLite database" : "not a DuckDB database")
                    + ", not a DuckDB file; point --warehouse at a DuckDB file, or at a new one to create it");
        }
    }

    /**
     * DuckDB names the kind of each error first ({@code Parser Error: …}, {@code Binder Error: …}); only its I/O,
     * memory, fatal and internal errors are the warehouse's, the rest are the statement's.
     */
    @Override
    protected boolean isStatementFault(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return Stream.of("IO Error", "Out of Memory Error", "FATAL Error", "INTERNAL Error")
                .noneMatch(message::contains);
    }

    /** DuckDB reports a full disk at commit as a lost transaction; the free space says what happened. */
    @Override
    protected String diagnose() {
        try {
            long free = Files.getFileStore(file.getParent()).getUsableSpace();
            return free < FULL_DISK_BYTES ? String.format(". The disk holding %s is full (%,d bytes free): free space"
                    + " there and run again", file, free) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    protected String sqlType(ColumnType type) {
        return switch (type) {
            case STRING, JSON -> "VARCHAR";
            case INT64 -> "BIGINT";
            case BOOL -> "BOOLEAN";
            case DATE -> "DATE";
            case TIMESTAMP -> "TIMESTAMP";
            case CENTS -> "DECIMAL(38," + Cents.SCALE + ")";
            case USD -> "DECIMAL(38," + (Cents.SCALE + 2) + ")";
        };
    }

    @Override
    protected Object timestampParameter(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    @Override
    protected Instant readTimestamp(ResultSet rows, int column) throws SQLException {
        LocalDateTime value = rows.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    /**
     * Appends straight into the table when its columns are stored in the contract's order; the appender takes part
     * in the connection's transaction, so a failure rolls its rows back with the delete. A table that an older
     * version created and this one upgraded has its added columns at the end, where the appender, which fills
     * columns by position, would put values in the wrong place: its rows go through a temporary table laid out as
     * the contract and are copied by column name.
     */
    @Override
    protected BulkLoad openBulkLoad(Table table) throws SQLException {
        Boolean inContractOrder = layouts.get(table.name());
        if (inContractOrder == null) {
            inContractOrder = existingColumns(table.name()).equals(table.columnNames());
            layouts.put(table.name(), inContractOrder);
        }
        if (inContractOrder) {
            return bulkLoad(table, duckDb().createAppender(DuckDBConnection.DEFAULT_SCHEMA, table.name()), () -> { });
        }
        String stage = "stage_" + table.name();
        String columns = String.join(", ", table.columnNames());
        try (Statement statement = connection.createStatement()) {
            // CREATE OR REPLACE TEMP TABLE stage_t (c1 type1, …)
            statement.execute("CREATE OR REPLACE TEMP TABLE " + stage + " (" + table.columns().stream()
                    .map(c -> c.name() + " " + sqlType(c.type())).collect(Collectors.joining(", ")) + ")");
        }
        // Created inside the replacing transaction: a rollback takes it away with the rest.
        return bulkLoad(table, duckDb().createAppender("temp", "main", stage), () -> {
            try (Statement statement = connection.createStatement()) {
                // INSERT INTO t (c1, c2, …) SELECT c1, c2, … FROM temp.main.stage_t
                statement.execute("INSERT INTO " + table.name() + " (" + columns + ") SELECT " + columns
                        + " FROM temp.main." + stage);
                statement.execute("DROP TABLE temp.main." + stage);
            }
        });
    }

    private DuckDBConnection duckDb() throws SQLException {
        return connection.unwrap(DuckDBConnection.class);
    }

    /** Loads {@code table}'s rows through {@code appender}; {@code afterFlush} runs once they are in. */
    private static BulkLoad bulkLoad(Table table, DuckDBAppender appender, SqlAction afterFlush) {
        AppenderWriter writer = new AppenderWriter(appender, table.columns().stream().map(Column::type).toList());
        return new BulkLoad(writer, () -> {
            appender.flush();
            afterFlush.run();
        }, appender::close);
    }

    /** Appends values in column order; decimals are given the column's scale, which is exact by construction. */
    private static final class AppenderWriter implements RowWriter {
        private final DuckDBAppender appender;
        private final List<ColumnType> types;
        private int column;

        AppenderWriter(DuckDBAppender appender, List<ColumnType> types) {
            this.appender = appender;
            this.types = types;
        }

        private DuckDBAppender next() throws SQLException {
            if (column == 0) {
                appender.beginRow();
            }
            column++;
            return appender;
        }

        @Override
        public void string(String value) {
            try {
                if (value == null) {
                    next().appendNull();
                } else {
                    next().append(value);
                }
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }

        @Override
        public void int64(Long value) {
            try {
                if (value == null) {
                    next().appendNull();
                    return;
                }
                next().append(value.longValue());
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }

        @Override
        public void bool(Boolean value) {
            try {
                if (value == null) {
                    next().appendNull();
                } else {
                    next().append(value.booleanValue());
                }
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }

        @Override
        public void date(LocalDate value) {
            try {
                if (value == null) {
                    next().appendNull();
                    return;
                }
                next().append(value);
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }

        @Override
        public void timestamp(Instant value) {
            try {
                if (value == null) {
                    next().appendNull();
                    return;
                }
                long micros = Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1000);
                next().appendEpochMicros(micros);
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }

        @Override
        public void decimal(BigDecimal value) {
            try {
                if (value == null) {
                    next().appendNull();
                    return;
                }
                int scale = types.get(column) == ColumnType.CENTS ? Cents.SCALE : Cents.SCALE + 2;
                next().append(value.setScale(scale));
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }

        @Override
        public void endRow() {
            try {
                appender.endRow();
                column = 0;
            } catch (SQLException e) {
                throw new UncheckedSqlException(e);
            }
        }
    }
}
