package dev.claudedataingestion.cli;

import ch.qos.logback.classic.Level;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.analysis.privacy.PersonalData;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.ingest.IngestListener;
import dev.claudedataingestion.ingest.IngestionJob;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an ingestion from checked configuration; shared by {@code ingest} and {@code demo}. */
final class Ingestion {

    private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

    private Ingestion() {
    }

    private static final int STOP_GRACE_SECONDS = 20;

    /** A run that stopped at its deadline without writing anything: it exits as an API failure would. */
    static final class DeadlineWithoutProgress extends RuntimeException {
        DeadlineWithoutProgress(String message) {
            super(message);
        }
    }

    /**
     * Runs the job; a failure is thrown for {@link Main} to map, a deadline stop is a success with a warning.
     * {@code quiet}: warnings and errors only, no progress bar.
     */
    static RunRecord run(Context context, ApiConfig api, WarehouseLocation warehouseConfig, IngestConfig ingest,
            boolean quiet) {
        return run(context, api, warehouseConfig, ingest, quiet, (warehouse, run) -> { });
    }

    /**
     * {@link #run(Context, ApiConfig, WarehouseLocation, IngestConfig, boolean)}, then {@code afterRun} on the
     * run's own warehouse, before it is closed, when the run was not interrupted: the checks after a run read what
     * it wrote without opening the warehouse again.
     */
    static RunRecord run(Context context, ApiConfig api, WarehouseLocation warehouseConfig, IngestConfig ingest,
            boolean quiet, BiConsumer<Warehouse, RunRecord> afterRun) {
        if (quiet) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(Level.WARN);
        }
        // Checked before anything is fetched.
        Optional<Integer> retention = context.settings().personalDataRetentionDays();
        log.info("Using warehouse {}; Admin API {}", warehouseConfig.displayUrl(), api.baseUrl());
        IngestListener listener = IngestListener.NONE;
        boolean bar = context.terminal() && !quiet;
        if (bar) {
            // On a terminal the bar replaces the per-window lines; warnings and errors still show.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(IngestionJob.class)).setLevel(Level.WARN);
            listener = new ProgressBar(context.err());
        }
        Deadline deadline = ingest.deadlineFrom(context.clock());
        AdminApiClient client = new AdminApiClient(api, deadline);
        IngestionJob.Outcome outcome;
        // SIGINT or SIGTERM (Ctrl-C, Cloud Run stopping the task) asks the job to stop; the JVM waits a little for
        // it to drop the window in hand, record itself interrupted, close the warehouse and say so.
        Thread runner = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        // Whichever comes second, the signal or the job, asks the job to stop: a signal while the warehouse opens
        // stops the run as surely as one while it fetches.
        AtomicReference<IngestionJob> job = new AtomicReference<>();
        AtomicBoolean signalled = new AtomicBoolean();
        Thread onSignal = new Thread(() -> {
            signalled.set(true);
            IngestionJob started = job.get();
            if (started != null) {
                started.requestStop();
            }
            runner.interrupt();
            try {
                finished.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "claude-ingest-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            try (Warehouse warehouse = warehouseConfig.open(false, deadline)) {
                job.set(new IngestionJob(client, api.organizationId(), warehouse, ingest, context.clock(),
                        Context.version(), listener, Path.of(System.getProperty("java.io.tmpdir")),
                        context.settings().origin(), AnalysisViews.catalog(ingest.prices())));
                if (signalled.get()) {
                    job.get().requestStop();
                }
                outcome = job.get().run(deadline);
                retention.ifPresent(days -> erasePersonalData(context, warehouse, outcome, days));
                if (outcome.failure() == null && outcome.run().status() != RunRecord.Status.INTERRUPTED) {
                    afterRun.accept(warehouse, outcome.run());
                }
            }
            if (outcome.run().status() == RunRecord.Status.INTERRUPTED) {
                context.err().printf("claude-ingest: interrupted; %,d days and %,d rows written before it are kept,"
                        + " and the next run fetches the rest%n", outcome.run().daysWritten(),
                        outcome.run().rowsWritten());
                context.err().flush();
                return outcome.run();
            }
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running, and now lets the JVM go.
            }
        }
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        RunRecord run = outcome.run();
        if (bar) {
            // The bar took the place of the per-window lines; the run's one summary line still belongs on screen.
            context.err().printf("Run %s %s: %,d days and %,d rows written in %.1f s%n", run.runId(),
                    run.status().id(), run.daysWritten(), run.rowsWritten(), run.duration().toMillis() / 1000.0);
        }
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

    /**
     * After a run that ended as it should, people's e-mail addresses and names older than
     * {@code PERSONAL_DATA_RETENTION_DAYS} are erased, also from days the run itself loaded again.
     */
    private static void erasePersonalData(Context context, Warehouse warehouse, IngestionJob.Outcome outcome,
            int retentionDays) {
        RunRecord run = outcome.run();
        if (outcome.failure() != null || run.status() == RunRecord.Status.INTERRUPTED || run.organizationId() == null) {
            return;
        }
        LocalDate firstKept = LocalDate.ofInstant(context.clock().instant(), ZoneOffset.UTC).minusDays(retentionDays);
        long rows = warehouse.erasePersonalData(run.organizationId(), firstKept, PersonalData.ERASURE);
        log.info("Erased e-mail addresses and names before {} from {} rows (PERSONAL_DATA_RETENTION_DAYS={})",
                firstKept, String.format("%,d", rows), retentionDays);
    }
}
