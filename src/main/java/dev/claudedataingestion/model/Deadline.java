package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The moment a run must be done by, read on the run's clock. Every wait inside a run (a backoff, a
 * {@code retry-after}, a warehouse job) asks it how much time is left, so that a run stops near its deadline
 * whatever its dependencies do.
 */
public record Deadline(Instant at, Clock clock) {

    public Deadline {
        requireNonNull(at, "at is null");
        requireNonNull(clock, "clock is null");
    }

    /** No deadline: a command a person runs and can stop. */
    public static Deadline none(Clock clock) {
        return new Deadline(Instant.MAX, clock);
    }

    /** {@code duration} from now on {@code clock}. */
    public static Deadline after(Duration duration, Clock clock) {
        return new Deadline(clock.instant().plus(duration), clock);
    }

    public boolean isBounded() {
        return !at.equals(Instant.MAX);
    }

    /** The time left, zero once the deadline has passed; about 292 years when there is none. */
    public Duration remaining() {
        if (!isBounded()) {
            return Duration.ofMillis(Long.MAX_VALUE);
        }
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean hasPassed() {
        return remaining().isZero();
    }

    /**
     * The later of this deadline and {@code grace} from now: for the little that must still happen when time is
     * up, such as recording how the run ended.
     */
    public Deadline withGrace(Duration grace) {
        Instant graced = clock.instant().plus(grace);
        return graced.isAfter(at) ? new Deadline(graced, clock) : this;
    }

    /** {@code wanted}, or less when less time is left. */
    public Duration cap(Duration wanted) {
        Duration left = remaining();
        return wanted.compareTo(left) > 0 ? left : wanted;
    }
}
