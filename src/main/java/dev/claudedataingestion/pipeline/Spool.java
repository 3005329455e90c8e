package dev.claudedataingestion.pipeline;

import dev.claudedataingestion.model.FactRow;
import dev.claudedataingestion.sink.DayTotal;
import dev.claudedataingestion.sink.RowStream;
import dev.claudedataingestion.sink.WarehouseException;
import dev.claudedataingestion.source.PageSink;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A window's rows on local disk, between the fetch and the write. It lets a whole window be fetched before
 * anything in the warehouse is replaced without holding the window in memory, and it drops the rows of a page
 * that broke off part way by truncating the file back to the last complete page. Deleted on close.
 */
final class Spool<T extends FactRow> implements PageSink<T>, RowStream<T>, AutoCloseable {

    private final Path file;
    private final RowCodec<T> codec;
    private final FileChannel channel;
    private final DataOutputStream out;
    private long committedRows;
    private long committedBytes;
    private long pageRows;

    Spool(Path directory, RowCodec<T> codec) {
        this.codec = codec;
        try {
            this.file = Files.createTempFile(directory, "claude-ingest-", ".spool");
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw failure("create", directory, e);
        }
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    /** Rows of complete pages. */
    long rows() {
        return committedRows;
    }

    @Override
    public void accept(T row) {
        try {
            codec.write(row, out);
            pageRows++;
        } catch (IOException e) {
            throw failure("write", file, e);
        }
    }

    @Override
    public void pageCompleted() {
        try {
            out.flush();
            committedBytes = channel.position();
            committedRows += pageRows;
            pageRows = 0;
        } catch (IOException e) {
            throw failure("write", file, e);
        }
    }

    @Override
    public void discardPartialPage() {
        try {
            out.flush();
            channel.truncate(committedBytes);
            channel.position(committedBytes);
            pageRows = 0;
        } catch (IOException e) {
            throw failure("truncate", file, e);
        }
    }

    @Override
    public void forEach(Consumer<? super T> action) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long i = 0; i < committedRows; i++) {
                action.accept(codec.read(in));
            }
        } catch (IOException e) {
            throw failure("read", file, e);
        }
    }

    /** Rows and headline total per day, read back from the spool. */
    Map<LocalDate, DayTotal> dayTotals() {
        Map<LocalDate, DayTotal> totals = new TreeMap<>();
        forEach(row -> totals.merge(row.activityDate(), new DayTotal(1, row.headlineTotal()),
                (a, b) -> new DayTotal(a.rows() + b.rows(), a.total().add(b.total()))));
        return totals;
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw failure("delete", file, e);
        }
    }

    private static WarehouseException failure(String action, Path where, IOException e) {
        return new WarehouseException("could not " + action + " the local spool file " + where + " (" + e
                + "); free disk space in " + where.getParent() + " or point java.io.tmpdir elsewhere", e);
    }
}
