package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

/**
 * What started a run, recorded with it in {@code ingestion_runs}.
 *
 * @param trigger     {@code cloud_run} on Cloud Run, {@code manual} elsewhere, or what {@code INGEST_TRIGGER} says
 * @param executionId the Cloud Run execution ({@code CLOUD_RUN_EXECUTION}), or null
 */
public record RunOrigin(String trigger, String executionId) {

    public static final RunOrigin MANUAL = new RunOrigin("manual", null);

    public RunOrigin {
        requireNonNull(trigger, "trigger is null");
    }
}
