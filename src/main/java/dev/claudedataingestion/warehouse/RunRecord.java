package dev.claudedataingestion.warehouse;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.model.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One row of {@code ingestion_runs}. {@code finishedAt} and {@code error} are null while the run is going.
 *
 * @param trigger       what started the run: {@code cloud_run}, {@code manual}, or {@code INGEST_TRIGGER}
 * @param executionId   the Cloud Run execution ({@code CLOUD_RUN_EXECUTION}), when there is one
 * @param reportCounts  days and rows written per report, as JSON ({@code {"usage":{"days":3,"rows":120},…}})
 * @param requestsMade  HTTP requests sent to the Admin API, retries included
 * @param retries       requests sent again after a retryable failure
 * @param process       {@code pid@host} of the process that ran it, so that a later run can tell one that died
 */
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
        String version,
        String trigger,
        String executionId,
        String reportCounts,
        long requestsMade,
        long retries,
        String process) {

    /**
     * The run's state, stored as its lower-case name. {@code INTERRUPTED}: stopped by SIGINT or SIGTERM, having
     * kept the windows it had written; {@code ABANDONED}: found {@code RUNNING} by a later run after its process had
     * gone (killed, out of memory, timed out).
     */
    public enum Status {
        RUNNING, SUCCEEDED, PARTIAL, FAILED, INTERRUPTED, ABANDONED;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status fromId(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }

    public RunRecord {
        requireNonNull(runId, "runId is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(status, "status is null");
    }

    /** How long the run took, once it has finished. */
    public Duration duration() {
        return finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }

    /** The record of a run that has just started in {@code process} ({@code pid@host}). */
    public static RunRecord started(String runId, String organizationId, Instant startedAt, String reports,
            String version, String trigger, String executionId, String process) {
        return new RunRecord(runId, organizationId, startedAt, null, Status.RUNNING, reports, 0, 0, null, version,
                trigger, executionId, null, 0, 0, process);
    }

    /** This run, finished. */
    public RunRecord finish(String finalOrganizationId, Instant at, Status finalStatus, long days, long rows,
            String failure, String counts, long requests, long retried) {
        return new RunRecord(runId, finalOrganizationId, startedAt, at, finalStatus, reports, days, rows, failure,
                version, trigger, executionId, counts, requests, retried, process);
    }

    /**
     * This run, found running after its process had gone, with what the coverage ledger holds of it: its
     * organization, the days and rows it wrote, and those per report as {@code report_counts}.
     */
    public RunRecord abandoned(Instant noticedAt, String ledgerOrganizationId, long days, long rows, String counts) {
        return new RunRecord(runId, ledgerOrganizationId, startedAt, noticedAt, Status.ABANDONED, reports, days,
                rows, "the process ended without recording how (killed, out of memory, or timed out); what it"
                + " had written is whole, and later runs fetch the rest", version, trigger, executionId, counts,
                requestsMade, retries, process);
    }

    /** The run as a row of {@link Tables#RUNS}. */
    public Row toRow() {
        Duration duration = duration();
        return new Row(Tables.RUNS)
                .set("run_id", runId)
                .set("organization_id", organizationId)
                .set("started_at", startedAt)
                .set("finished_at", finishedAt)
                .set("status", status.id())
                .set("reports", reports)
                .set("days_written", daysWritten)
                .set("rows_written", rowsWritten)
                .set("error", error)
                .set("version", version)
                .set("trigger", trigger)
                .set("cloud_run_execution", executionId)
                .set("report_counts", reportCounts)
                .set("requests_made", requestsMade)
                .set("retries", retries)
                .set("duration_ms", duration == null ? null : duration.toMillis())
                .set("process", process);
    }

    /** Reads a row of {@link Tables#RUNS}. */
    public static RunRecord fromRow(Row row) {
        return new RunRecord(row.string("run_id"), row.string("organization_id"), row.timestamp("started_at"),
                row.timestamp("finished_at"), Status.fromId(row.string("status")), row.string("reports"),
                row.int64("days_written"), row.int64("rows_written"), row.string("error"), row.string("version"),
                row.string("trigger"), row.string("cloud_run_execution"), row.string("report_counts"),
                row.int64("requests_made"), row.int64("retries"), row.string("process"));
    }
}
