package dev.claudedataingestion.ingest;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.model.Workspace;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.source.AdminApiException;
import dev.claudedataingestion.source.Organization;
import dev.claudedataingestion.warehouse.DayTotal;
import dev.claudedataingestion.warehouse.Restatement;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.ViewCatalog;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WriteResult;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * One {@code ingest} run: plans the days of each report, fetches each window completely into a local spool, then
 * replaces those days in the warehouse in one atomic write. Records the run in {@code ingestion_runs}.
 * A report whose API calls fail, or whose waits the deadline cannot afford, does not stop the others; a warehouse
 * failure stops the run.
 */
public final class IngestionJob {

    private static final Logger log = LoggerFactory.getLogger(IngestionJob.class);

    private final AdminApiClient client;
    private final Warehouse warehouse;
    private final IngestConfig config;
    private final Clock clock;
    private final String version;
    private final IngestListener listener;
    private final Path spoolDirectory;
    private final Optional<String> expectedOrganizationId;
    private final RunOrigin origin;
    private final ViewCatalog views;

    /**
     * @param expectedOrganizationId the organization the key must belong to ({@code ANTHROPIC_ORGANIZATION_ID}),
     *                               when set
     * @param views                  the views the warehouse's schema is given at the start of the run
     */
    public IngestionJob(AdminApiClient client, Optional<String> expectedOrganizationId, Warehouse warehouse,
            IngestConfig config, Clock clock, String version, IngestListener listener, Path spoolDirectory,
            RunOrigin origin, ViewCatalog views) {
        this.origin = requireNonNull(origin, "origin is null");
        this.views = requireNonNull(views, "views is null");
        this.client = requireNonNull(client, "client is null");
        this.expectedOrganizationId = requireNonNull(expectedOrganizationId, "expectedOrganizationId is null");
        this.warehouse = requireNonNull(warehouse, "warehouse is null");
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.version = requireNonNull(version, "version is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.spoolDirectory = requireNonNull(spoolDirectory, "spoolDirectory is null");
    }

    private volatile boolean stopRequested;
    /** The thread windows are fetched on while the one before is written; made with the first. */
    private ExecutorService fetcher;
    /** The organization's name as the API gave it this run, or null. */
    private String organizationName;

    /**
     * Asks the run to stop (SIGINT, SIGTERM): the window being fetched is dropped, nothing more is started, and the
     * run records itself {@code interrupted}. The caller interrupts the running thread too, so that waits end.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** How a run ended: its record, and the first failure when it did not succeed for a reason other than time. */
    public record Outcome(RunRecord run, RuntimeException failure) {
    }

    /** Runs until done or until {@code deadline}, which the warehouse was opened with too. */
    public Outcome run(Deadline deadline) {
        Instant startedAt = clock.instant();
        String runId = UUID.randomUUID().toString();
        String reports = java.util.stream.Stream.concat(config.reports().stream().sorted().map(ReportKind::id),
                config.dimensions() ? java.util.stream.Stream.of("dimensions") : java.util.stream.Stream.empty())
                .collect(Collectors.joining(","));
        Spool.removeAbandoned(spoolDirectory);
        MDC.put("run_id", runId);
        try {
            return run(runId, startedAt, deadline, reports);
        } finally {
            MDC.remove("run_id");
        }
    }

    private Outcome run(String runId, Instant startedAt, Deadline deadline, String reports) {
        Progress progress = new Progress();
        RunRecord started = RunRecord.started(runId, expectedOrganizationId.orElse(null), startedAt, reports, version,
                origin.trigger(), origin.executionId(), AbandonedRuns.THIS_PROCESS);
        warehouse.together(() -> {
            warehouse.ensureSchema(views);
            warehouse.recordRun(started);
            markAbandoned(runId, startedAt);
            return null;
        });
        log.info("Run {} started: reports {}, {}", runId, reports, config.explicitDays()
                .map(days -> "days " + days)
                .orElse("incremental from " + config.startDate() + " with " + config.lookbackDays() + " days of lookback"));
        String organizationId = null;
        RuntimeException failure = null;
        // The reports (and "dimensions") the deadline stopped, each with why: the run's summary names them, and
        // any makes the run partial.
        Map<String, String> stopped = new LinkedHashMap<>();
        // The days of the attributed reports written: their actors go into claude_actors.
        Map<ReportKind, DayRange> attributed = new EnumMap<>(ReportKind.class);
        try {
            organizationId = organization();
            String organization = organizationId; // for the lambdas below
            // Every report's plan from one opening of the warehouse.
            Map<ReportKind, Set<LocalDate>> toFetch = warehouse.together(() -> {
                Map<ReportKind, Set<LocalDate>> days = new EnumMap<>(ReportKind.class);
                config.reports().forEach(report -> days.put(report,
                        Planner.daysToFetch(report, organization, config, startedAt, warehouse)));
                return days;
            });
            Map<ReportKind, List<DayRange>> plan = new LinkedHashMap<>();
            for (ReportKind report : config.reports().stream().sorted().toList()) {
                Set<LocalDate> days = toFetch.get(report);
                List<DayRange> windows = Planner.windows(report, days);
                plan.put(report, windows);
                listener.planned(report, windows);
                log.info("{}: {} days to fetch in {} window{}{}", report, days.size(), windows.size(),
                        windows.size() == 1 ? "" : "s",
                        windows.isEmpty() ? "" : " (" + windows.get(0).first() + " to " + windows.get(windows.size() - 1).last() + ")");
            }
            // One window after another, report after report; each window's successor (of this report or the next)
            // is fetched while it is written.
            List<Planned> windows = new ArrayList<>();
            plan.forEach((report, reportWindows) -> reportWindows.forEach(window -> windows.add(new Planned(report,
                    window))));
            // The reports that stopped before their last window: their remaining windows are skipped.
            Set<ReportKind> ended = EnumSet.noneOf(ReportKind.class);
            Fetching next = null;
            try {
                for (int i = 0; i < windows.size() && !stopRequested; i++) {
                    Planned planned = windows.get(i);
                    ReportKind report = planned.report();
                    Fetching current = next;
                    next = null;
                    if (ended.contains(report)) {
                        if (current != null) {
                            current.cancel();
                        }
                        continue;
                    }
                    if (current == null && !progress.mayStart(clock.instant(), deadline.at())) {
                        long left = windows.stream().skip(i).filter(w -> w.report() == report).count();
                        String reason = "deadline reached; " + left + " window" + (left == 1 ? "" : "s")
                                + " left for the next run, from " + planned.window().first();
                        stopped.put(report.id(), reason);
                        log.warn("{}: {}", report, reason);
                        ended.add(report);
                        continue;
                    }
                    try {
                        Fetched fetched = (current != null ? current : startFetch(planned)).await();
                        // The next window is fetched while this one is written, if the deadline allows starting it.
                        if (i + 1 < windows.size() && !stopRequested && !ended.contains(windows.get(i + 1).report())
                                && progress.mayStart(clock.instant(), deadline.at())) {
                            next = startFetch(windows.get(i + 1));
                        }
                        long writeStart = System.nanoTime();
                        WriteResult written = writeWindow(report, organizationId, fetched, runId);
                        // A window takes its fetch and its write, whether or not they overlapped others.
                        progress.add(written, Duration.ofNanos(fetched.fetchNanos() + System.nanoTime()
                                - writeStart));
                        if (Reports.of(report).namesActors()) {
                            attributed.merge(report, planned.window(), DayRange::span);
                        }
                    } catch (AdminApiException e) {
                        if (stopRequested || e.isInterrupted()) {
                            stopRequested = true;
                            break;
                        }
                        if (e.isDeadline()) {
                            // A wait this report's window cannot afford (a long 429, say): nothing of it was
                            // written, and the report stops here; the other reports still run in the time left.
                            stopped.put(report.id(), e.apiMessage() + "; " + planned.window().first() + " onwards left"
                                    + " for the next run");
                            // The exception's message names the report and window already.
                            log.warn("{}; this window and the rest of the report are left for the next run, the other"
                                    + " reports go on", e.getMessage());
                            ended.add(report);
                            continue;
                        }
                        Optional<String> unavailable = Reports.of(report).unavailable(e.status(), e.apiMessage());
                        if (unavailable.isPresent()) {
                            log.warn("{}: {}; the run goes on without it. Leave it out of --reports to stop this"
                                    + " warning", report, unavailable.get());
                            ended.add(report);
                            continue;
                        }
                        failure = failure == null ? e : failure;
                        if (e.isTooManyGroups()) {
                            // This window's days are more than the report can return; the next window may not be.
                            log.error("{}; this window is left out, and the report goes on with the next",
                                    e.getMessage());
                            continue;
                        }
                        log.error("{}; the report's remaining days are left for the next run", e.getMessage());
                        ended.add(report);
                    }
                }
            } finally {
                // A window fetched ahead of one that failed, or of a stop, is dropped unwritten.
                if (next != null) {
                    next.cancel();
                }
            }
            if (!attributed.isEmpty() && !stopRequested) {
                // Its reads and its write in one opening of the warehouse.
                warehouse.together(() -> {
                    refreshActors(organization, runId, attributed, clock.instant());
                    return null;
                });
            }
            if (config.dimensions() && !stopRequested) {
                try {
                    refreshDimensions(organizationId, clock.instant());
                } catch (AdminApiException e) {
                    if (e.isInterrupted()) {
                        stopRequested = true;
                    } else if (e.isDeadline()) {
                        stopped.put("dimensions", e.apiMessage());
                        log.warn("dimensions: {}; the names stay as they were", e.getMessage());
                    } else {
                        log.error("dimensions: {}; the names stay as they were", e.getMessage());
                        failure = failure == null ? e : failure;
                    }
                }
            }
        } catch (AdminApiException e) {
            if (e.isInterrupted()) {
                // Interrupted before the stop was asked for (a signal while the job was being made): a stop all the
                // same, in whatever phase.
                stopRequested = true;
            } else if (e.isDeadline()) {
                stopped.put("run", e.apiMessage());
                log.warn("Run {} stopped at its deadline: {}", runId, e.getMessage());
            } else {
                failure = failure == null ? e : failure;
            }
        } catch (RuntimeException e) {
            if (!stopRequested) {
                failure = failure == null ? e : failure;
                if (!(e instanceof ConfigException)) {
                    log.error("Run {} stopped: {}", runId, e.getMessage());
                }
            }
        } finally {
            if (fetcher != null) {
                fetcher.shutdownNow();
            }
            listener.finished();
        }
        if (stopRequested) {
            // Recording how the run ended must not be cut short by the interrupt that stopped it.
            Thread.interrupted();
            failure = null;
        }
        // Partial: some of the run was written and some not, for its deadline or a failure; never "succeeded".
        RunRecord.Status status = stopRequested ? RunRecord.Status.INTERRUPTED
                : failure != null ? (progress.counts.days() > 0 ? RunRecord.Status.PARTIAL : RunRecord.Status.FAILED)
                : !stopped.isEmpty() ? RunRecord.Status.PARTIAL : RunRecord.Status.SUCCEEDED;
        Instant finishedAt = clock.instant();
        String stoppedEarly = stopped.isEmpty() || stopRequested ? null : "stopped early: " + stopped.entrySet()
                .stream().map(report -> report.getKey() + " (" + report.getValue() + ")")
                .collect(Collectors.joining("; "));
        String error = failure == null ? stoppedEarly
                : stoppedEarly == null ? failure.getMessage() : failure.getMessage() + "; " + stoppedEarly;
        RunRecord finished = started.finish(organizationId, finishedAt, status, progress.counts.days(),
                progress.counts.rows(), error, progress.counts.json(), client.requestsMade(), client.retriesMade());
        try {
            warehouse.recordRun(finished);
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        // The run's one summary line, with its figures as fields for Cloud Logging.
        Map<String, String> summary = Map.of("status", status.id(), "days", Long.toString(progress.counts.days()),
                "rows", Long.toString(progress.counts.rows()), "requests", Long.toString(client.requestsMade()),
                "retries", Long.toString(client.retriesMade()),
                "seconds", Long.toString(Duration.between(startedAt, finishedAt).toSeconds()));
        summary.forEach(MDC::put);
        try {
            log.atLevel(status == RunRecord.Status.FAILED ? Level.ERROR : Level.INFO).log("Run {} {}: {} days and {} rows"
                    + " written in {} s, {} API requests ({} retries{}){}", runId, status.id(),
                    String.format("%,d", progress.counts.days()), String.format("%,d", progress.counts.rows()),
                    Duration.between(startedAt, finishedAt).toMillis() / 1000.0, client.requestsMade(),
                    client.retriesMade(), client.pagesShrunk() == 0 ? "" : ", " + client.pagesShrunk() + " page"
                            + (client.pagesShrunk() == 1 ? "" : "s") + " asked again smaller",
                    error == null ? "" : "; " + error);
        } finally {
            summary.keySet().forEach(MDC::remove);
        }
        return new Outcome(finished, failure);
    }

    /**
     * Earlier runs still {@code running} whose process has gone ({@link AbandonedRuns#isAbandoned}) are recorded
     * {@code abandoned}, with what the ledger holds of them, so that {@code status} and alerts see them for what
     * they are.
     */
    private void markAbandoned(String runId, Instant now) {
        List<RunRecord> recent;
        try {
            recent = warehouse.recentRuns(100);
        } catch (RuntimeException e) {
            // Housekeeping: a run is never stopped by it; the next run looks again.
            log.warn("Could not look for earlier runs left running ({}); the next run looks again", e.getMessage());
            return;
        }
        for (RunRecord earlier : recent) {
            if (!earlier.runId().equals(runId) && AbandonedRuns.isAbandoned(earlier, now)) {
                RunRecord abandoned = AbandonedRuns.completed(warehouse, earlier, now);
                warehouse.recordRun(abandoned);
                log.warn("Run {} (started {}, process {}) was still recorded as running, but its process has gone;"
                        + " it is now recorded as abandoned, having written {} days and {} rows", earlier.runId(),
                        earlier.startedAt(), earlier.process(), abandoned.daysWritten(), abandoned.rowsWritten());
            }
        }
    }

    /**
     * Reads the workspaces, API keys and users and folds them into the dimension tables' history, so that
     * dashboards show names, and old months the names they had then.
     */
    private void refreshDimensions(String organizationId, Instant now) {
        List<Row> workspaces = new ArrayList<>();
        workspaces.add(workspaceRow(organizationId, Workspace.DEFAULT));
        client.listWorkspaces(workspace -> workspaces.add(workspaceRow(organizationId, workspace)));
        List<Row> keys = new ArrayList<>();
        client.listApiKeys(key -> keys.add(new Row(Tables.API_KEYS)
                .set("organization_id", organizationId)
                .set("api_key_id", key.id())
                .set("name", key.name())
                .set("workspace_id", key.workspaceId())
                .set("status", key.status())
                .set("created_at", key.createdAt())
                .set("created_by_id", key.createdById())
                .set("partial_key_hint", key.partialKeyHint())
                .set("expires_at", key.expiresAt())));
        List<Row> users = new ArrayList<>();
        client.listUsers(user -> users.add(new Row(Tables.USERS)
                .set("organization_id", organizationId)
                .set("user_id", user.id())
                .set("email", user.email())
                .set("name", user.name())
                .set("role", user.role())
                .set("added_at", user.addedAt())));
        Map<Table, List<Row>> snapshots = new LinkedHashMap<>();
        if (organizationName != null) {
            snapshots.put(Tables.ORGANIZATIONS, List.of(new Row(Tables.ORGANIZATIONS)
                    .set("organization_id", organizationId)
                    .set("name", organizationName)));
        }
        snapshots.put(Tables.WORKSPACES, workspaces);
        snapshots.put(Tables.API_KEYS, keys);
        snapshots.put(Tables.USERS, users);
        warehouse.together(() -> {
            snapshots.forEach((table, snapshot) -> {
                List<Row> history = DimensionHistory.merge(table, warehouse.organizationRows(table, organizationId),
                        snapshot, now);
                warehouse.replaceOrganizationRows(table, organizationId, history);
            });
            return null;
        });
        log.info("dimensions: {} workspaces, {} API keys, {} users", workspaces.size() - 1, keys.size(), users.size());
    }

    /**
     * Folds the actors of the attributed rows this run wrote into {@code claude_actors}' history, each as the latest
     * day written named it: the API names every day's actor as it is now, so a name that changed since is current.
     */
    private void refreshActors(String organizationId, String runId, Map<ReportKind, DayRange> written, Instant now) {
        Map<String, Row> actors = new LinkedHashMap<>();
        Map<String, LocalDate> namedOn = new HashMap<>();
        written.forEach((report, days) -> {
            String sql = "SELECT actor_id, actor_type, actor_email, actor_name, actor_deleted, actor_provider,"
                    + " MAX(activity_date) AS named_on FROM "
                    + warehouse.dialect().table(Reports.of(report).tables().get(0).name())
                    + " WHERE organization_id = @organization AND activity_date BETWEEN @first AND @last"
                    + " AND run_id = @run AND actor_id IS NOT NULL"
                    + " GROUP BY actor_id, actor_type, actor_email, actor_name, actor_deleted, actor_provider";
            warehouse.forEach(sql, Map.of("organization", organizationId, "first", days.first(), "last", days.last(),
                    "run", runId), row -> {
                        String id = row.string("actor_id");
                        LocalDate day = row.date("named_on");
                        if (namedOn.containsKey(id) && !day.isAfter(namedOn.get(id))) {
                            return;
                        }
                        namedOn.put(id, day);
                        actors.put(id, new Row(Tables.ACTORS)
                                .set("organization_id", organizationId)
                                .set("actor_id", id)
                                .set("actor_type", row.string("actor_type"))
                                .set("email", row.string("actor_email"))
                                .set("name", row.string("actor_name"))
                                .set("deleted", row.bool("actor_deleted"))
                                .set("provider", row.string("actor_provider")));
                    });
        });
        List<Row> history = DimensionHistory.merge(Tables.ACTORS, warehouse.organizationRows(Tables.ACTORS,
                organizationId), new ArrayList<>(actors.values()), now);
        warehouse.replaceOrganizationRows(Tables.ACTORS, organizationId, history);
        log.info("actors: {} named by the attributed rows written", actors.size());
    }

    private static Row workspaceRow(String organizationId, Workspace workspace) {
        return new Row(Tables.WORKSPACES)
                .set("organization_id", organizationId)
                .set("workspace_id", workspace.id())
                .set("name", workspace.name())
                .set("display_color", workspace.displayColor())
                .set("created_at", workspace.createdAt())
                .set("archived_at", workspace.archivedAt())
                .set("is_default", workspace.isDefault());
    }

    private String organization() {
        Organization organization = client.organization();
        expectedOrganizationId.ifPresent(expected -> {
            if (!expected.equals(organization.id())) {
                throw new ConfigException("ANTHROPIC_ORGANIZATION_ID is " + expected + " but the key belongs to"
                        + " organization " + organization.id() + "; nothing was written. Fix the variable or use a"
                        + " key of that organization");
            }
        });
        if (expectedOrganizationId.isEmpty()) {
            java.util.Set<String> present = new java.util.TreeSet<>();
            warehouse.coverage().forEach(summary -> present.add(summary.organizationId()));
            if (!present.isEmpty() && !present.contains(organization.id())) {
                throw new ConfigException("the warehouse holds organization " + String.join(", ", present) + " and"
                        + " this key belongs to " + organization.id() + "; nothing was written. Point --warehouse at"
                        + " another warehouse, or set ANTHROPIC_ORGANIZATION_ID=" + organization.id() + " to add it"
                        + " to this one");
            }
        }
        log.info("Organization {}{}", organization.id(),
                organization.name() == null ? "" : " (" + organization.name() + ")");
        organizationName = organization.name();
        return organization.id();
    }

    /** A window of a report's plan. */
    private record Planned(ReportKind report, DayRange window) {
    }

    /** A window's rows, whole, and what fetching them took. */
    private record Fetched(DayRange window, Spool spool, long requests, Duration waiting, long fetchNanos) {
    }

    /**
     * A window being fetched on the job's fetching thread, while the one before it is written: one at a time, so
     * that the client's requests keep the rate limit and memory holds two windows at most.
     */
    private final class Fetching {
        private Future<Fetched> future;
        /** The window's spool once fetched, for a cancel to delete whether or not the future delivered it. */
        private volatile Spool made;
        private volatile boolean cancelled;

        /** The window's rows; a failure of the fetch is thrown here, as if it had been fetched here. */
        Fetched await() {
            try {
                return future.get();
            } catch (InterruptedException e) {
                stopRequested = true;
                cancel();
                Thread.currentThread().interrupt();
                throw new AdminApiException(0, AdminApiException.INTERRUPTED, "interrupted while a window was"
                        + " fetched", null, "", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException failure) {
                    throw failure;
                }
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Stops the fetch and deletes whatever it spooled (a fetch that fails deletes its own). */
        void cancel() {
            cancelled = true;
            future.cancel(true);
            Spool spool = made;
            if (spool != null) {
                spool.close();
            }
        }

        /** Keeps what the fetch made, unless it was cancelled meanwhile: then deletes it. */
        Spool keep(Spool spool) {
            made = spool;
            if (cancelled) {
                spool.close();
            }
            return spool;
        }
    }

    private Fetching startFetch(Planned planned) {
        ReportKind report = planned.report();
        DayRange window = planned.window();
        Map<String, String> context = MDC.getCopyOfContextMap();
        Fetching fetching = new Fetching();
        fetching.future = fetcher().submit(() -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            MDC.put("report", report.id());
            MDC.put("window", window.toString());
            try {
                long requestsBefore = client.requestsMade();
                Duration waitingBefore = client.timeWaiting();
                long start = System.nanoTime();
                Spool spool = fetching.keep(fetch(report, window));
                return new Fetched(window, spool, client.requestsMade() - requestsBefore,
                        client.timeWaiting().minus(waitingBefore), System.nanoTime() - start);
            } finally {
                MDC.clear();
            }
        });
        return fetching;
    }

    /** The thread windows are fetched on, started with the first. */
    private synchronized ExecutorService fetcher() {
        if (fetcher == null) {
            fetcher = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "claude-ingest-fetch");
                thread.setDaemon(true);
                return thread;
            });
        }
        return fetcher;
    }

    private WriteResult writeWindow(ReportKind report, String organizationId, Fetched fetched, String runId) {
        MDC.put("report", report.id());
        MDC.put("window", fetched.window().toString());
        try (Spool spool = fetched.spool()) {
            return writeWindowInContext(report, organizationId, fetched, spool, runId);
        } finally {
            MDC.remove("report");
            MDC.remove("window");
            MDC.remove("rows");
        }
    }

    private WriteResult writeWindowInContext(ReportKind report, String organizationId, Fetched fetched, Spool spool,
            String runId) {
        DayRange window = fetched.window();
        long writeStart = System.nanoTime();
        Instant fetchedAt = clock.instant();
        // The day totals of the restatement check and the write, in one opening of the warehouse.
        WriteResult result = warehouse.together(() -> warehouse.replaceDays(report, organizationId, window, spool,
                runId, fetchedAt, restatements(report, window, warehouse.dayTotals(report, organizationId, window),
                spool)));
        long written = System.nanoTime();
        long requests = fetched.requests();
        MDC.put("rows", Long.toString(result.rows()));
        log.info("{} {}: {} rows in {} request{}, fetched in {} s, replaced in {} s", report, window,
                String.format("%,d", result.rows()), requests, requests == 1 ? "" : "s",
                seconds(fetched.fetchNanos()), seconds(written - writeStart));
        if (!spool.negativeRows().isEmpty()) {
            log.warn("{} {}: {} rows below zero on {} (a credit or a correction at the source, or a fault);"
                    + " 'claude-ingest check' counts them under units", report, window, spool.negativeRows()
                            .values().stream().mapToLong(Long::longValue).sum(), spool.negativeRows().keySet());
        }
        listener.written(result);
        listener.timed(result, Duration.ofNanos(fetched.fetchNanos()), fetched.waiting(),
                Duration.ofNanos(written - writeStart));
        return result;
    }

    /**
     * The days of the window that were loaded before and now hold other numbers: Anthropic revised them. They are
     * recorded with the new rows and logged, so that a revision leaves a trail instead of silently changing totals.
     */
    private static List<Restatement> restatements(ReportKind report, DayRange window, Map<LocalDate, DayTotal> stored,
            Spool spool) {
        if (stored.isEmpty()) {
            return List.of();
        }
        String measure = Reports.of(report).headline().measure();
        Map<LocalDate, DayTotal> fetched = spool.dayTotals();
        List<Restatement> restatements = new ArrayList<>();
        stored.forEach((day, before) -> {
            DayTotal after = fetched.getOrDefault(day, new DayTotal(0, BigDecimal.ZERO));
            if (after.differsFrom(before)) {
                restatements.add(new Restatement(day, measure, before.rows(), after.rows(), before.total(),
                        after.total()));
                log.warn("{} {} was revised at the source: {} rows became {}, {} {} became {}", report, day,
                        before.rows(), after.rows(), measure, before.total().stripTrailingZeros().toPlainString(),
                        after.total().stripTrailingZeros().toPlainString());
            }
        });
        return restatements;
    }

    /**
     * Fetches the whole window into a spool; on failure the spool is deleted and nothing is written. An analytics
     * report whose day has more groups than the API can return is asked again without its last optional dimension
     * ({@link AnalyticsGrouping}), while it has one; its rows record the grouping they have.
     */
    private Spool fetch(ReportKind report, DayRange window) {
        AnalyticsGrouping grouping = config.analyticsGrouping();
        while (true) {
            Spool spool = new Spool(spoolDirectory, Reports.of(report), report + " " + window, config.spoolLimit());
            try {
                client.fetch(Reports.of(report, grouping), window, spool, day -> listener.fetched(report, day));
                return spool;
            } catch (AdminApiException e) {
                spool.close();
                Optional<AnalyticsGrouping> fewer = Reports.of(report).isAnalytics() && e.isTooManyGroups()
                        ? grouping.withoutLastOptional() : Optional.empty();
                if (fewer.isEmpty()) {
                    throw e;
                }
                log.warn("{} {}: {}; asking again grouped by {} (ANALYTICS_GROUP_BY marks the rest optional)", report,
                        window, e.apiMessage(), fewer.get());
                grouping = fewer.get();
            } catch (RuntimeException e) {
                spool.close();
                throw e;
            }
        }
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", nanos / 1e9);
    }

    /** Totals of the windows written so far, and the longest window, to judge whether another fits the deadline. */
    private static final class Progress {
        private final List<Duration> durations = new ArrayList<>();
        private final ReportCounts counts = new ReportCounts();

        boolean mayStart(Instant now, Instant deadline) {
            Duration longest = durations.stream().max(Duration::compareTo).orElse(Duration.ZERO);
            return now.plus(longest).isBefore(deadline);
        }

        void add(WriteResult result, Duration took) {
            counts.add(result.report().id(), result.days().size(), result.rows());
            durations.add(took);
        }
    }
}
