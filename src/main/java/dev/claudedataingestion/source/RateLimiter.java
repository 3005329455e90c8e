package dev.claudedataingestion.source;

/**
 * A token bucket: up to {@code burst} requests at once, then {@code perSecond} on average. Keeps a backfill
 * polite without slowing the few pages of a daily run.
 */
final class RateLimiter {

    private final double perSecond;
    private final double burst;
    private double tokens;
    private long lastRefillNanos;

    RateLimiter(double perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefillNanos = System.nanoTime();
    }

    /** Blocks until a request may be made. */
    synchronized void acquire() throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
            lastRefillNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return;
            }
            long waitNanos = (long) Math.ceil((1 - tokens) / perSecond * 1e9);
            wait(Math.max(1, waitNanos / 1_000_000), (int) (waitNanos % 1_000_000));
        }
    }
}
