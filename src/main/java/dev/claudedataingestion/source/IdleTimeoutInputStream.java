package dev.claudedataingestion.source;

import dev.claudedataingestion.model.Deadline;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closes a response body that stops delivering bytes for longer than {@code idle}, that arrives slower than
 * {@code minimumRate} bytes a second once {@code rateGrace} has passed, or that is still arriving at the run's
 * deadline. The HTTP client's own timeout ends when the headers arrive; a body that stalls or trickles after them
 * would otherwise hang the run until Cloud Run kills it. A closed body reads as broken off, which the client
 * retries if the deadline allows. Time blocked in reads is added to {@code waitingNanos}.
 */
final class IdleTimeoutInputStream extends FilterInputStream {

    private final long idleNanos;
    private final long minimumRate;
    private final long rateGraceNanos;
    private final Deadline deadline;
    private final ScheduledFuture<?> watchdog;
    private final LongAdder waitingNanos;
    private final long opened = System.nanoTime();
    private volatile long lastProgress = opened;
    private volatile long bytes;
    private volatile String abandoned;

    IdleTimeoutInputStream(InputStream body, Duration idle, long minimumRate, Duration rateGrace, Deadline deadline,
            ScheduledExecutorService scheduler, LongAdder waitingNanos) {
        super(body);
        this.waitingNanos = waitingNanos;
        this.idleNanos = idle.toNanos();
        this.minimumRate = minimumRate;
        this.rateGraceNanos = rateGrace.toNanos();
        this.deadline = deadline;
        long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
        this.watchdog = scheduler.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void check() {
        long now = System.nanoTime();
        long elapsed = now - opened;
        if (now - lastProgress > idleNanos) {
            abandon("no bytes for " + Duration.ofNanos(idleNanos).toMillis() + " ms; the answer stalled");
        } else if (elapsed > rateGraceNanos && bytes * 1_000_000_000L / elapsed < minimumRate) {
            abandon("the answer arrived at " + bytes * 1_000_000_000L / elapsed + " bytes a second, slower than "
                    + minimumRate);
        } else if (deadline.hasPassed()) {
            abandon("the run's deadline passed while the answer arrived");
        }
    }

    private void abandon(String why) {
        abandoned = why;
        try {
            in.close();
        } catch (IOException e) {
            // Closing is all that can be done; the reader sees the stream end.
        }
        watchdog.cancel(false);
    }

    private IOException stalled() {
        return new IOException(abandoned);
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
            if (abandoned != null) {
                throw stalled();
            }
            if (result > 0) {
                bytes += result;
            }
            lastProgress = System.nanoTime();
            waitingNanos.add(lastProgress - started);
            return result;
        } catch (IOException e) {
            throw abandoned != null ? stalled() : e;
        }
    }

    @Override
    public void close() throws IOException {
        watchdog.cancel(false);
        super.close();
    }
}
