package dev.claudedataingestion.sink;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One row of {@code ingestion_runs}. {@code finishedAt} and {@code error} are null while the run is going. */
public record RunRecord(
        String runId,
        String organizationId,
        Instant startedAt,
        Instant finishedAt,
        Status status,
        String reports,
        long daysWritten,
        long rowsWritten,
        String error,
        String version) {

    /** The run's state, stored as its lower-case name. */
    public enum Status {
        RUNNING, SUCCEEDED, PARTIAL, FAILED;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Status fromId(String id) {
            return valueOf(id.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public RunRecord {
        requireNonNull(runId, "runId is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(status, "status is null");
    }
}
