package dev.claudedataingestion.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * A misbehaviour the simulator applies to the next {@code times} matching requests, after letting {@code skip}
 * of them through. Faults match the report endpoints ({@link Route#isReport}) unless {@code pathContains} names
 * another path.
 */
public record Fault(Kind kind, int status, Duration delay, int times, String pathContains, int skip) {

    public enum Kind {
        /** Answer with an error status and the documented error body ({@code status}; 429 and 529 carry retry-after). */
        STATUS,
        /** Close the connection without answering. */
        DROP_CONNECTION,
        /** Send a Content-Length, then half the body, then close. */
        TRUNCATE_BODY,
        /** Send a complete answer whose JSON is cut short. */
        MALFORMED_JSON,
        /** Wait {@code delay} before answering. */
        SLOW,
        /** Send the headers and half the body, then wait {@code delay} before the rest. */
        STALL_BODY,
        /** Say has_more: true without a next_page. */
        HAS_MORE_WITHOUT_NEXT_PAGE,
        /** Send the first bucket of the page twice. */
        DUPLICATE_BUCKET,
        /** Add a bucket after the requested window. */
        OUT_OF_WINDOW_BUCKET,
        /** Serve every amount of the answer below zero, as a credit or a correction at the source would. */
        NEGATIVE_AMOUNTS
    }

    public static Fault status(int status, int times) {
        return new Fault(Kind.STATUS, status, Duration.ZERO, times, null, 0);
    }

    public static Fault of(Kind kind, int times) {
        return new Fault(kind, 0, Duration.ZERO, times, null, 0);
    }

    public static Fault slow(Duration delay, int times) {
        return new Fault(Kind.SLOW, 0, delay, times, null, 0);
    }

    /** The same fault, applied only to requests whose path contains {@code fragment}. */
    public Fault on(String fragment) {
        return new Fault(kind, status, delay, times, fragment, skip);
    }

    /** The same fault, starting after {@code requests} matching requests have been answered normally. */
    public Fault after(int requests) {
        return new Fault(kind, status, delay, times, pathContains, requests);
    }

    /** A status fault whose answer carries {@code retry-after} with this many whole seconds. */
    public Fault withRetryAfter(Duration retryAfter) {
        return new Fault(kind, status, retryAfter, times, pathContains, skip);
    }

    /** Reads {@code KIND[:COUNT]}, for example {@code 429:3}, {@code drop:1}, {@code slow-2000:5}, as the CLI takes it. */
    public static Fault parse(String spec) {
        String[] parts = spec.strip().toLowerCase(Locale.ROOT).split(":");
        int times = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
        String kind = parts[0];
        if (kind.chars().allMatch(Character::isDigit)) {
            return status(Integer.parseInt(kind), times);
        }
        if (kind.startsWith("slow-")) {
            return slow(Duration.ofMillis(Long.parseLong(kind.substring(5))), times);
        }
        if (kind.startsWith("stall-")) {
            return new Fault(Kind.STALL_BODY, 0, Duration.ofMillis(Long.parseLong(kind.substring(6))), times, null, 0);
        }
        return switch (kind) {
            case "drop" -> of(Kind.DROP_CONNECTION, times);
            case "truncate" -> of(Kind.TRUNCATE_BODY, times);
            case "malformed" -> of(Kind.MALFORMED_JSON, times);
            case "has-more" -> of(Kind.HAS_MORE_WITHOUT_NEXT_PAGE, times);
            case "duplicate-bucket" -> of(Kind.DUPLICATE_BUCKET, times);
            case "out-of-window" -> of(Kind.OUT_OF_WINDOW_BUCKET, times);
            case "negative" -> of(Kind.NEGATIVE_AMOUNTS, times);
            default -> throw new IllegalArgumentException("unknown fault '" + spec + "'; use a status (429:3), drop,"
                    + " truncate, malformed, slow-MILLIS, stall-MILLIS, has-more, duplicate-bucket, out-of-window or"
                    + " negative");
        };
    }
}
