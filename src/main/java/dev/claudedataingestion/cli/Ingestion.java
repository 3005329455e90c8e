package dev.claudedataingestion.cli;

import ch.qos.logback.classic.Level;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.WarehouseConfig;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.pipeline.IngestListener;
import dev.claudedataingestion.pipeline.IngestionJob;
import dev.claudedataingestion.pipeline.Warehouses;
import dev.claudedataingestion.sink.RunRecord;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.source.AdminApiClient;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an ingestion from checked configuration; shared by {@code ingest} and {@code demo}. */
final class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

    private Ingestion() {
    }

    /** A run that stopped at its deadline without writing anything: it exits as an API failure would. */
    static final class DeadlineWithoutProgress extends RuntimeException {
        DeadlineWithoutProgress(String message) {
            super(message);
        }
    }

    /** Runs the job; a failure is thrown for {@link Main} to map, a deadline stop is a success with a warning. */
    static RunRecord run(Context context, ApiConfig api, WarehouseConfig warehouseConfig, IngestConfig ingest) {
        log.info("Using warehouse {}; Admin API {}", warehouseConfig.displayUrl(), api.baseUrl());
        IngestListener listener = IngestListener.NONE;
        if (context.terminal()) {
            // On a terminal the bar replaces the per-window lines; warnings and errors still show.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(IngestionJob.class)).setLevel(Level.WARN);
            listener = new ProgressBar(context.err());
        }
        Deadline deadline = ingest.deadlineFrom(context.clock());
        AdminApiClient client = new AdminApiClient(api, deadline);
        IngestionJob.Outcome outcome;
        try (Warehouse warehouse = Warehouses.open(warehouseConfig, false, deadline)) {
            outcome = new IngestionJob(client, api.organizationId(), warehouse, ingest, context.clock(),
                    Context.version(), listener, Path.of(System.getProperty("java.io.tmpdir")),
                    context.settings().origin()).run(deadline);
        }
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        RunRecord run = outcome.run();
        if (run.status() == RunRecord.Status.PARTIAL && run.daysWritten() == 0) {
            // A deadline stop is fine when it made progress; one that loaded nothing would repeat forever.
            throw new DeadlineWithoutProgress("the deadline passed before any window was written; nothing was loaded."
                    + " Give the run more time (--deadline) or check why the Admin API is slow");
        }
        if (run.status() == RunRecord.Status.PARTIAL) {
            log.warn("Run {} stopped at its deadline after {} days; the next run continues from the ledger",
                    run.runId(), run.daysWritten());
        }
        return run;
    }
}
