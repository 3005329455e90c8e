package dev.claudedataingestion.ingest;

import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.source.AdminApiException;
import dev.claudedataingestion.source.PageSink;
import dev.claudedataingestion.warehouse.DayTotal;
import dev.claudedataingestion.warehouse.RowStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A window's rows between the fetch and the write: in memory while they fit {@link #IN_MEMORY_BYTES}, which most
 * windows do, and on local disk once they outgrow it. It lets a whole window be fetched before anything in the
 * warehouse is replaced without holding a large window in memory, and it drops the rows of a page that broke off
 * part way (truncating the list, or the file, back to the last complete page). A row whose key came before in
 * the window (a record repeated in a page, or a page repeated under a new cursor) fails the window: only a 64-bit
 * hash of each key is held, about 50 bytes a row. Only rows of the report's first table are checked: the rows of its
 * other tables (Claude Code's models) are parts of one. Deleted on close.
 */
final class Spool implements PageSink<Row>, RowStream<Row>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    private static final String PREFIX = "claude-ingest-";
    private static final String SUFFIX = ".spool";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*" + Pattern.quote(SUFFIX));
    /**
     * The rows a window may keep in memory, by their encoded size: 16 MiB, about 60 MiB of heap. The largest window
     * of the largest organization the bench models (2,000 keys, 200 workspaces, 10 models, 31 days) spills to disk.
     */
    static final long IN_MEMORY_BYTES = 16L << 20;

    private final Path file;
    private final RowCodec codec;
    private final Report report;
    private final Table counted;
    private final String context;
    private final long limit;
    private final Set<Long> keys = new HashSet<>();
    private final List<Long> pageKeys = new ArrayList<>();
    private final Report.Headline headline;
    /** Days with rows whose measure is below zero, and how many, of complete pages and of the current one. */
    private final Map<LocalDate, Long> negativeRows = new TreeMap<>();
    private final List<LocalDate> pageNegativeDays = new ArrayList<>();
    private final FileChannel channel;
    private final DataOutputStream out;
    private final long inMemoryBytes;
    /** The rows while they fit in memory, complete pages' first; null once they are on disk. */
    private List<Row> memory = new ArrayList<>();
    private long memoryBytes;
    private long committedRows;
    private long committedBytes;
    private long pageRows;

    /**
     * @param context the report and window, for messages
     * @param limit   the most bytes the spool may take; an answer that grows past it fails the window
     */
    Spool(Path directory, Report report, String context, long limit) {
        this(directory, report, context, limit, IN_MEMORY_BYTES);
    }

    /** @param inMemoryBytes the encoded size of the rows kept in memory before they go to disk */
    Spool(Path directory, Report report, String context, long limit, long inMemoryBytes) {
        this.inMemoryBytes = Math.min(inMemoryBytes, limit);
        this.report = report;
        this.codec = new RowCodec(report.tables());
        this.counted = report.tables().get(0);
        this.headline = report.headline();
        this.context = context;
        this.limit = limit;
        try {
            // The process id in the name lets a later run remove the spools of a process that was killed.
            this.file = Files.createTempFile(directory, PREFIX + ProcessHandle.current().pid() + "-", SUFFIX);
            file.toFile().deleteOnExit();
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SpoolException("create", directory, e);
        }
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    /** Rows of complete pages, of every table. */
    long rows() {
        return committedRows;
    }

    @Override
    public void accept(Row row) {
        if (row.table().equals(counted)) {
            List<Object> identity = row.key();
            long key = hash(identity);
            if (keys.add(key)) {
                pageKeys.add(key);
            } else if (!report.mayRepeat(row)) {
                throw AdminApiException.invalidResponse("the same record came twice (" + describe(identity)
                        + "); nothing of this window is written", null, context);
            }
            if (headline.isNegative(row)) {
                pageNegativeDays.add(row.date("activity_date"));
            }
        }
        if (memory != null) {
            memory.add(row);
            pageRows++;
            memoryBytes += RowCodec.estimatedSize(row);
            if (memoryBytes > inMemoryBytes) {
                spill();
            }
            return;
        }
        try {
            codec.write(row, out);
            pageRows++;
            // The file grows by the output buffer; its size is cheap to ask every thousand rows.
            if (pageRows % 1024 == 0 && channel.position() > limit) {
                throw AdminApiException.invalidResponse(String.format("the answer passed the spool limit of %,d"
                        + " bytes (INGEST_SPOOL_LIMIT) before it ended; nothing of this window is written", limit),
                        null, context);
            }
        } catch (IOException e) {
            throw new SpoolException("write", file.getParent(), e);
        }
    }

    /** Writes the rows held in memory to the file, complete pages first, and goes on there. */
    private void spill() {
        List<Row> rows = memory;
        memory = null;
        try {
            for (Row row : rows.subList(0, (int) committedRows)) {
                codec.write(row, out);
            }
            out.flush();
            committedBytes = channel.position();
            for (Row row : rows.subList((int) committedRows, rows.size())) {
                codec.write(row, out);
            }
        } catch (IOException e) {
            throw new SpoolException("write", file.getParent(), e);
        }
    }

    /** Whether the rows went to disk: they outgrew what a window keeps in memory. */
    boolean spilled() {
        return memory == null;
    }

    @Override
    public void pageCompleted() {
        if (memory == null) {
            try {
                out.flush();
                committedBytes = channel.position();
            } catch (IOException e) {
                throw new SpoolException("write", file.getParent(), e);
            }
        }
        committedRows += pageRows;
        pageRows = 0;
        pageKeys.clear();
        pageNegativeDays.forEach(day -> negativeRows.merge(day, 1L, Long::sum));
        pageNegativeDays.clear();
    }

    @Override
    public void discardPartialPage() {
        if (memory != null) {
            memory.subList((int) committedRows, memory.size()).clear();
        } else {
            try {
                out.flush();
                channel.truncate(committedBytes);
                channel.position(committedBytes);
            } catch (IOException e) {
                throw new SpoolException("truncate", file.getParent(), e);
            }
        }
        pageRows = 0;
        pageKeys.forEach(keys::remove);
        pageKeys.clear();
        pageNegativeDays.clear();
    }


    @Override
    public void forEach(Consumer<? super Row> action) {
        if (memory != null) {
            memory.subList(0, (int) committedRows).forEach(action);
            return;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long i = 0; i < committedRows; i++) {
                action.accept(codec.read(in));
            }
        } catch (IOException e) {
            throw new SpoolException("read", file.getParent(), e);
        }
    }

    /** The days of complete pages with rows whose measure is below zero, and how many on each. */
    Map<LocalDate, Long> negativeRows() {
        return Collections.unmodifiableMap(negativeRows);
    }

    /** Rows and headline total per day, read back from the spool. */
    Map<LocalDate, DayTotal> dayTotals() {
        Map<LocalDate, DayTotal> totals = new TreeMap<>();
        Report.Headline headline = report.headline();
        forEach(row -> {
            if (row.table().equals(counted)) {
                totals.merge(row.date("activity_date"), new DayTotal(1, headline.of(row)),
                        (a, b) -> new DayTotal(a.rows() + b.rows(), a.total().add(b.total())));
            }
        });
        return totals;
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SpoolException("delete", file.getParent(), e);
        }
    }

    /**
     * Removes what runs that ended without cleaning up (SIGKILL, the out-of-memory killer, a Cloud Run timeout) left
     * in {@code directory}, where on Cloud Run it takes memory: spools of processes no longer running, and copies of
     * DuckDB's native library (72 MB each; the driver extracts one per process and deletes it only at a normal
     * exit) older than ten minutes. A process that still uses such a copy has it mapped: on Linux and macOS,
     * deleting the name takes nothing from it.
     */
    static void removeAbandoned(Path directory) {
        Instant stale = Instant.now().minus(Duration.ofMinutes(10));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "{" + PREFIX + "*" + SUFFIX
                + ",libduckdb_java*.so}")) {
            for (Path file : files) {
                Matcher spool = NAME.matcher(file.getFileName().toString());
                boolean abandoned = spool.matches() ? ProcessHandle.of(Long.parseLong(spool.group(1))).isEmpty()
                        : Files.getLastModifiedTime(file).toInstant().isBefore(stale);
                if (abandoned && Files.deleteIfExists(file)) {
                    log.info("Removed {}, left by a run that ended without cleaning up", file);
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("Could not look for files left by earlier runs in {} ({})", directory, e.toString());
        }
    }

    /** 64 bits of FNV-1a over the key's fields, each marked off, then mixed (MurmurHash3's finaliser). */
    static long hash(List<Object> key) {
        long hash = 0xcbf29ce484222325L;
        for (Object field : key) {
            String text = field == null ? "\u0000null" : field.toString();
            for (int i = 0; i < text.length(); i++) {
                hash = (hash ^ text.charAt(i)) * 0x100000001b3L;
            }
            hash = (hash ^ 0x1f) * 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        return hash ^ (hash >>> 33);
    }

    private static String describe(List<Object> key) {
        return AdminApiException.excerpt(key.subList(1, key.size()).toString(), 200);
    }
}
