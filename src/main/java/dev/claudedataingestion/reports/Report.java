package dev.claudedataingestion.reports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything about one Admin API report, in one place: where it is read from, how its answers become rows, and
 * the tables they go to. The ingest, the spool, every warehouse, the restatement totals and the checks are derived
 * from these declarations; {@link Reports} lists them.
 */
public interface Report {

    /** The name used in {@code --reports}, in {@code ingestion_coverage.report} and in logs. */
    String id();

    /** When a report is copied, and when an organization is expected to hold it. */
    enum Policy {
        /** Copied by a plain {@code ingest}; expected of every organization that loads more than the analytics API. */
        EVERY_ORGANIZATION(true),
        /**
         * Copied by a plain {@code ingest}; expected once loaded (an organization with HIPAA readiness never can load
         * the Usage and Cost Analytics API).
         */
        ONCE_LOADED(true),
        /** Copied only when asked for; expected once loaded. */
        ON_REQUEST(false);

        private final boolean onByDefault;

        Policy(boolean onByDefault) {
            this.onByDefault = onByDefault;
        }

        /** Whether a plain {@code ingest} copies the report. */
        public boolean onByDefault() {
            return onByDefault;
        }
    }

    /** When the report is copied and expected. */
    Policy policy();

    /** Whether the report is one of the Usage and Cost Analytics API's. */
    default boolean isAnalytics() {
        return false;
    }

    /** The report's name in sentences: "no Claude Code data since …". */
    String label();

    /** Where the report is read from, and in which requests. */
    Endpoint endpoint();

    /** The tables the report writes; the first one's rows are the ones counted in coverage and checked for repeats. */
    List<Table> tables();

    /** The most days one window (one spool, one replace) may hold. */
    int maxWindowDays();

    /** How long after a UTC day ends the report has all of it. */
    default Duration settleDelay() {
        return Duration.ZERO;
    }

    /** The latest UTC day whose report is complete at {@code now}. */
    default LocalDate lastCompleteDay(Instant now) {
        return LocalDate.ofInstant(now.minus(settleDelay()), ZoneOffset.UTC).minusDays(1);
    }

    /** The first day the source serves, seen from {@code today} (UTC); days before it are never requested. */
    default LocalDate firstDayOffered(LocalDate today) {
        return LocalDate.MIN;
    }

    /**
     * Why the source refused this organization or key the report for good, when an error answer ({@code status},
     * the API's {@code message}) says so: the run then goes on without the report, with a warning, instead of
     * failing. Empty for an error that may pass.
     */
    default Optional<String> unavailable(int status, String message) {
        return Optional.empty();
    }

    /** The measure that tells whether a re-pulled day changed. */
    Headline headline();

    /**
     * Whether {@code row} of the report's first table may share its key with another row of the same answer: the
     * Usage and Cost Analytics API gives each identity it cannot name a row of its own, all with a null actor. No
     * other row may come twice.
     */
    default boolean mayRepeat(Row row) {
        return false;
    }

    /** The same rule as SQL over the first table's columns, for a check of stored rows; empty where none may. */
    default Optional<String> repeatable() {
        return Optional.empty();
    }

    /** Whether the report's rows name actors ({@code actor_id} and the rest), which {@code claude_actors} keeps. */
    default boolean namesActors() {
        return false;
    }

    /**
     * Turns one element of an answer into rows of {@link #tables()}: a bucket's result, whose bucket starts at
     * {@code periodStart}, or a record of the day that starts at {@code periodStart}. Values the report does not
     * know are kept; values that would change a total fail with a {@link Json.InvalidResponse}. The organization,
     * ingestion time and run are left for the writer.
     */
    void parse(JsonNode element, Instant periodStart, Consumer<Row> rows);

    /**
     * A report's headline measure: the sum of {@code columns} of its first table, summed per day to tell whether a
     * re-pulled day changed (all tokens for usage, cents for cost, estimated dollars for Claude Code).
     */
    record Headline(String measure, List<String> columns) {

        public Headline {
            columns = List.copyOf(columns);
        }

        /** The measure in SQL over the first table. */
        public String expression() {
            return String.join(" + ", columns);
        }

        /** The measure of one row of the first table. */
        public BigDecimal of(Row row) {
            BigDecimal total = BigDecimal.ZERO;
            for (String column : columns) {
                Object value = row.get(column);
                if (value != null) {
                    total = total.add(value instanceof BigDecimal decimal ? decimal : BigDecimal.valueOf((Long) value));
                }
            }
            return total;
        }

        /** Whether any of the measure's columns is below zero in {@code row}: a credit, or a fault at the source. */
        public boolean isNegative(Row row) {
            for (String column : columns) {
                Object value = row.get(column);
                if (value instanceof BigDecimal decimal ? decimal.signum() < 0 : value instanceof Long n && n < 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
