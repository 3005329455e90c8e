package dev.claudedataingestion.warehouse;

/**
 * How a running statement is stopped from another thread. The warehouse registers, just before it sends the
 * statement, what stops it on the server (a PostgreSQL cancel request, DuckDB's interrupt, BigQuery's
 * {@code jobs.cancel}); a {@link #cancel()} that comes first stops the statement as soon as it is registered.
 */
public final class Cancellation {

    /** Stops a statement; may fail, as any request to a server may. */
    @FunctionalInterface
    public interface Stop {
        void stop() throws Exception;
    }

    private Stop stop;
    private boolean cancelled;

    /** Registers how to stop the statement about to run; runs it at once when cancelled already. */
    public synchronized void onCancel(Stop newStop) {
        stop = newStop;
        if (cancelled) {
            stopQuietly();
        }
    }

    /** The statement has ended: nothing is left to stop. */
    public synchronized void clear() {
        stop = null;
    }

    /** Stops the registered statement, or the next one registered. */
    public synchronized void cancel() {
        cancelled = true;
        stopQuietly();
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    private void stopQuietly() {
        if (stop == null) {
            return;
        }
        try {
            stop.stop();
        } catch (Exception e) {
            // The statement may have ended meanwhile; the server's own timeout stops it otherwise.
        }
        stop = null;
    }
}
