package dev.claudedataingestion.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closes a response body that stops delivering bytes for longer than {@code idle}. The HTTP client's own timeout
 * ends when the headers arrive; a body that stalls after them would otherwise hang the run until Cloud Run
 * kills it. A closed body reads as broken off, which the client retries. Time blocked in reads is added to
 * {@code waitingNanos}.
 */
final class IdleTimeoutInputStream extends FilterInputStream {

    private final long idleNanos;
    private final ScheduledFuture<?> watchdog;
    private final LongAdder waitingNanos;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean timedOut;

    IdleTimeoutInputStream(InputStream body, Duration idle, ScheduledExecutorService scheduler,
            LongAdder waitingNanos) {
        super(body);
        this.waitingNanos = waitingNanos;
        this.idleNanos = idle.toNanos();
        long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
        this.watchdog = scheduler.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (System.nanoTime() - lastProgress > idleNanos) {
            timedOut = true;
            try {
                in.close();
            } catch (IOException e) {
                // Closing is all that can be done; the reader sees the stream end.
            }
            watchdog.cancel(false);
        }
    }

    private IOException stalled() {
        return new IOException("no bytes for " + Duration.ofNanos(idleNanos).toMillis() + " ms; the answer stalled");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        long started = System.nanoTime();
        try {
            int result = super.read(buffer, offset, length);
            if (timedOut) {
                throw stalled();
            }
            lastProgress = System.nanoTime();
            waitingNanos.add(lastProgress - started);
            return result;
        } catch (IOException e) {
            throw timedOut ? stalled() : e;
        }
    }

    @Override
    public void close() throws IOException {
        watchdog.cancel(false);
        super.close();
    }
}
