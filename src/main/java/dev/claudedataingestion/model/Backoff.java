package dev.claudedataingestion.model;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before attempt {@code n + 1}: exponential from {@code base}, capped at {@code cap}, with full
 * jitter (a random wait between half and all of it), so that clients failing together do not retry together.
 *
 * @param attempts the most attempts, the first included
 */
public record Backoff(int attempts, Duration base, Duration cap) {

    public Backoff {
        if (attempts < 1 || base.isNegative() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("attempts must be at least 1 and 0 <= base <= cap");
        }
    }

    /** The pause after failed attempt {@code attempt} (1 for the first). */
    public Duration delay(int attempt) {
        long exponential = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt - 1, 30));
        long half = exponential / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(exponential - half + 1));
    }

    public boolean mayRetryAfter(int attempt) {
        return attempt < attempts;
    }
}
