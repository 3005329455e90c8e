package dev.claudedataingestion.telemetry;

import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.Warehouse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what requests received, in batches, on one thread: a batch is {@link OtlpReceiver.Batching#rows} rows (a
 * request is never split), or what came within {@link OtlpReceiver.Batching#linger} of its first request. A
 * request's future completes once its rows are committed (or fails when the write did). At most {@code bufferRows}
 * rows wait: a request beyond them is refused at once, so memory does not grow with load.
 */
final class TelemetryWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TelemetryWriter.class);

    private record Pending(Table table, List<Row> rows, CompletableFuture<Long> written) {
    }

    private final Warehouse warehouse;
    private final OtlpReceiver.Batching batching;
    private final int bufferRows;
    private final Semaphore room;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;

    TelemetryWriter(Warehouse warehouse, OtlpReceiver.Batching batching, int bufferRows) {
        this.warehouse = warehouse;
        this.batching = batching;
        this.bufferRows = bufferRows;
        this.room = new Semaphore(bufferRows);
        this.thread = new Thread(this::run, "telemetry-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** The largest request taken: one that could never fit the buffer is refused as too large, not as busy. */
    int bufferRows() {
        return bufferRows;
    }

    /**
     * Queues {@code rows} of {@code table}; the future gives how many were new once they are committed. Empty when the
     * buffer has no room for them now, or the writer is closing.
     */
    Optional<CompletableFuture<Long>> submit(Table table, List<Row> rows) {
        if (rows.isEmpty()) {
            return Optional.of(CompletableFuture.completedFuture(0L));
        }
        if (closing || !room.tryAcquire(rows.size())) {
            return Optional.empty();
        }
        Pending pending = new Pending(table, rows, new CompletableFuture<>());
        queue.add(pending);
        return Optional.of(pending.written());
    }

    private void run() {
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    write(gather(first));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private List<Pending> gather(Pending first) throws InterruptedException {
        List<Pending> batch = new ArrayList<>(List.of(first));
        int rows = first.rows().size();
        long until = System.nanoTime() + batching.linger().toNanos();
        while (rows < batching.rows()) {
            Pending next = queue.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            rows += next.rows().size();
        }
        return batch;
    }

    /** One transaction per table; a request's rows are all of one table. */
    private void write(List<Pending> batch) {
        Map<Table, List<Pending>> byTable = new LinkedHashMap<>();
        batch.forEach(pending -> byTable.computeIfAbsent(pending.table(), table -> new ArrayList<>()).add(pending));
        byTable.forEach((table, pendings) -> {
            List<Row> rows = new ArrayList<>();
            pendings.forEach(pending -> rows.addAll(pending.rows()));
            try {
                long added = warehouse.insertNew(table, rows);
                log.debug("Wrote {} new rows of {} received to {}", added, rows.size(), table);
                pendings.forEach(pending -> pending.written().complete(added));
            } catch (RuntimeException e) {
                log.warn("Could not write {} rows to {}; the exporters will send them again: {}", rows.size(), table,
                        e.getMessage());
                pendings.forEach(pending -> pending.written().completeExceptionally(e));
            } finally {
                room.release(rows.size());
            }
        });
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
