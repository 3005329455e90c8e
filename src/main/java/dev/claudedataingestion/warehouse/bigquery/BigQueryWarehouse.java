package dev.claudedataingestion.warehouse.bigquery;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.Clustering;
import com.google.cloud.bigquery.Dataset;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics.QueryStatistics.StatementType;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableDefinition;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.TableResult;
import com.google.cloud.bigquery.TimePartitioning;
import com.google.cloud.bigquery.ViewDefinition;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import dev.claudedataingestion.model.Backoff;
import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Erasure;
import dev.claudedataingestion.warehouse.FactRows;
import dev.claudedataingestion.warehouse.OrganizationScope;
import dev.claudedataingestion.warehouse.Restatement;
import dev.claudedataingestion.warehouse.RowStream;
import dev.claudedataingestion.warehouse.RowWriter;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.StatementRefusedException;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.UserQuery;
import dev.claudedataingestion.warehouse.View;
import dev.claudedataingestion.warehouse.ViewCatalog;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseException;
import dev.claudedataingestion.warehouse.WriteResult;
import dev.claudedataingestion.warehouse.bigquery.BigQueryJobs.JobContext;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BigQuery dataset. Rows are never streamed: a window's rows go to a staging table in the companion dataset
 * {@code <dataset>_staging} by a load job (free, and changeable by DML at once, unlike the streaming buffer), then
 * one multi-statement transaction replaces the window's days and coverage from it, then the staging table is
 * dropped (it also expires after a day, in case the process dies first). Tables are partitioned by
 * {@code activity_date} and clustered on what dashboards filter by, so a daily run reads and writes only the
 * partitions it replaces.
 *
 * <p>Every job runs in the dataset's own location, carries labels ({@code app}, {@code run_id}, {@code report},
 * {@code window}) and an id that names it ({@code claude_ingest_<run>_<report>_<window>_<write>_<step>_<attempt>}), and
 * is waited for no longer than the run's deadline: one still running then is cancelled. A job whose submission
 * failed ambiguously is looked up by its id before anything is submitted again, so that a job that did run is never
 * run twice. Retries follow one policy: BigQuery's retryable errors, jittered exponential pauses, each capped by the
 * time left.
 */
public final class BigQueryWarehouse implements Warehouse {

    private static final Logger log = LoggerFactory.getLogger(BigQueryWarehouse.class);
    private static final String DEFAULT_LOCATION = "US";
    private static final Duration STAGING_LIFETIME = Duration.ofDays(1);
    /** Recording how a run ended may take this long past its deadline. */
    private static final Duration RECORD_GRACE = Duration.ofSeconds(30);
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * How this warehouse behaves in one command.
     *
     * @param location           {@code BIGQUERY_LOCATION}: where the dataset is created when it is missing; an existing
     *                           dataset's own location always wins
     * @param deadline           when the run must be done: jobs get that as their timeout, and are cancelled then
     * @param backoff            attempts and pauses for BigQuery's retryable errors
     * @param firstPoll          the first pause while a job runs; it doubles up to two seconds
     * @param maximumBytesBilled the most a {@code query} statement may bill
     */
    public record Options(Optional<String> location, Deadline deadline, Backoff backoff, Duration firstPoll,
            long maximumBytesBilled) {

        public Options {
            requireNonNull(location, "location is null");
            requireNonNull(deadline, "deadline is null");
            requireNonNull(backoff, "backoff is null");
            requireNonNull(firstPoll, "firstPoll is null");
        }

        /** Production settings: five attempts from one second on, polls from a quarter second. */
        public static Options of(Optional<String> location, Deadline deadline, long maximumBytesBilled) {
            return new Options(location, deadline, new Backoff(5, Duration.ofSeconds(1), Duration.ofSeconds(16)),
                    Duration.ofMillis(250), maximumBytesBilled);
        }
    }

    private BigQuery bigquery;
    private final BigQueryJobs jobs;
    private final String project;
    private final String dataset;
    private final BigQuerySql sql;
    private final Options options;
    private String location;
    private long bytesBilled;

    BigQueryWarehouse(BigQuery bigquery, String project, String dataset, Options options) {
        this.bigquery = requireNonNull(bigquery, "bigquery is null");
        this.project = project;
        this.dataset = dataset;
        this.sql = new BigQuerySql(project, dataset);
        this.options = requireNonNull(options, "options is null");
        this.jobs = new BigQueryJobs(() -> this.bigquery, project, options, this::location);
    }

    /**
     * Connects with Application Default Credentials; with {@code apiUrl} (a local fake, in tests), without any.
     * The client does not retry by itself: this class's policy is the only one, so that it can keep to the deadline.
     */
    public static BigQueryWarehouse open(String project, String dataset, Optional<URI> apiUrl, Options options) {
        BigQueryOptions.Builder client = BigQueryOptions.newBuilder().setProjectId(project)
                .setRetrySettings(ServiceOptions.getNoRetrySettings());
        options.location().ifPresent(client::setLocation);
        if (apiUrl.isPresent()) {
            client.setHost(apiUrl.get().toString()).setCredentials(NoCredentials.getInstance());
        } else {
            try {
                client.setCredentials(GoogleCredentials.getApplicationDefault());
            } catch (IOException e) {
                throw new WarehouseException("no Google credentials for BigQuery project " + project + ": run 'gcloud"
                        + " auth application-default login' (or set GOOGLE_APPLICATION_CREDENTIALS to a key file);"
                        + " on Cloud Run the job's service account is used", e);
            }
        }
        try {
            return new BigQueryWarehouse(client.build().getService(), project, dataset, options);
        } catch (RuntimeException e) {
            throw new WarehouseException("could not set up the BigQuery client for project " + project + " ("
                    + e.getMessage() + "); on Cloud Run the job's service account is used, elsewhere run"
                    + " 'gcloud auth application-default login'", e);
        }
    }

    /** Bytes billed by this warehouse's queries so far: the cost of the run, as BigQuery counts it. */
    public long bytesBilled() {
        return bytesBilled;
    }

    /** The location every job runs in: the dataset's own, read once. */
    String location() {
        if (location == null) {
            Dataset existing = jobs.attempt("look up dataset " + dataset, options.deadline(),
                    () -> bigquery.getDataset(DatasetId.of(project, dataset)));
            useLocation(existing == null ? options.location().orElse(DEFAULT_LOCATION) : existing.getLocation());
        }
        return location;
    }

    private void useLocation(String datasetLocation) {
        options.location().filter(configured -> !configured.equalsIgnoreCase(datasetLocation)).ifPresent(configured ->
                log.warn("BIGQUERY_LOCATION is {} but dataset {}.{} is in {}; its jobs run in {}. Unset the variable or"
                        + " set it to {}", configured, project, dataset, datasetLocation, datasetLocation, datasetLocation));
        location = datasetLocation;
        if (!datasetLocation.equals(bigquery.getOptions().getLocation())) {
            // Queries take their location from the client; one client per location keeps every call in the same one.
            bigquery = bigquery.getOptions().toBuilder().setLocation(datasetLocation).build().getService();
        }
    }

    // ---- schema ------------------------------------------------------------------------------------------------

    @Override
    public void ensureSchema(ViewCatalog views) {
        Deadline deadline = options.deadline();
        Dataset existing = jobs.attempt("look up dataset " + dataset, deadline,
                () -> bigquery.getDataset(DatasetId.of(project, dataset)));
        if (existing == null) {
            String newLocation = options.location().orElse(DEFAULT_LOCATION);
            jobs.attempt("create dataset " + dataset, deadline, () -> bigquery.create(
                    DatasetInfo.newBuilder(DatasetId.of(project, dataset)).setLocation(newLocation).build()));
            log.info("Created dataset {}.{} in {}", project, dataset, newLocation);
            useLocation(newLocation);
        } else {
            useLocation(existing.getLocation());
        }
        ensureStagingDataset(deadline);
        for (Table table : Tables.all()) {
            jobs.attempt("create or upgrade table " + table.name(), deadline, () -> {
                ensureTable(table);
                return null;
            });
        }
        for (View view : views.views(sql.dialect())) {
            jobs.attempt("create or replace view " + view.name(), deadline, () -> {
                TableId id = TableId.of(project, dataset, view.name());
                com.google.cloud.bigquery.Table created = bigquery.getTable(id);
                ViewDefinition definition = ViewDefinition.newBuilder(view.select()).setUseLegacySql(false).build();
                if (created == null) {
                    bigquery.create(TableInfo.of(id, definition));
                } else if (!(created.getDefinition() instanceof ViewDefinition current)
                        || !view.select().equals(current.getQuery())) {
                    bigquery.update(created.toBuilder().setDefinition(definition).build());
                }
                return null;
            });
        }
    }

    /**
     * The companion dataset for staging tables, in the same location, whose tables expire after a day: they stay
     * out of the dataset people browse, and a run that dies leaves nothing behind for long.
     */
    private void ensureStagingDataset(Deadline deadline) {
        DatasetId id = DatasetId.of(project, sql.stagingDataset());
        jobs.attempt("look up dataset " + id.getDataset(), deadline, () -> {
            Dataset staging = bigquery.getDataset(id);
            if (staging == null) {
                bigquery.create(DatasetInfo.newBuilder(id).setLocation(location)
                        .setDefaultTableLifetime(STAGING_LIFETIME.toMillis())
                        .setDescription("Staging tables of claude-ingest; each expires after a day").build());
                log.info("Created dataset {}.{} in {} for staging tables", project, id.getDataset(), location);
            } else if (!staging.getLocation().equalsIgnoreCase(location)) {
                throw new WarehouseException("dataset " + project + "." + id.getDataset() + " is in "
                        + staging.getLocation() + " but " + dataset + " is in " + location + "; a job cannot read"
                        + " both. Delete " + id.getDataset() + " (it holds only staging tables) and run again");
            }
            return null;
        });
    }

    private void ensureTable(Table table) {
        TableId id = TableId.of(project, dataset, table.name());
        com.google.cloud.bigquery.Table existing = bigquery.getTable(id);
        boolean partitioned = table.columnNames().contains("activity_date");
        if (existing == null) {
            StandardTableDefinition.Builder definition = StandardTableDefinition.newBuilder()
                    .setSchema(BigQuerySchema.of(table));
            if (partitioned) {
                definition.setTimePartitioning(TimePartitioning.newBuilder(TimePartitioning.Type.DAY)
                        .setField("activity_date").build());
            }
            List<String> clustering = table.clustering();
            if (!clustering.isEmpty()) {
                definition.setClustering(Clustering.newBuilder().setFields(clustering).build());
            }
            bigquery.create(TableInfo.of(id, definition.build()));
            log.info("Created table {}", table.name());
            return;
        }
        TableDefinition definition = existing.getDefinition();
        if (partitioned && !BigQuerySchema.partitionedByActivityDate(definition)) {
            throw new WarehouseException("table " + project + "." + dataset + "." + table.name() + " exists but is not"
                    + " partitioned by activity_date, so every replace would read and bill the whole table. Copy it"
                    + " into a table partitioned by activity_date under the same name (docs/bigquery.md shows how),"
                    + " or point BIGQUERY_DATASET at a new dataset");
        }
        Schema current = definition.getSchema();
        Set<String> present = new HashSet<>();
        current.getFields().forEach(field -> present.add(field.getName()));
        List<Field> fields = new ArrayList<>(current.getFields());
        List<String> added = new ArrayList<>();
        for (Column column : table.columns()) {
            if (!present.contains(column.name())) {
                fields.add(BigQuerySchema.field(column));
                added.add(column.name());
            }
        }
        if (!added.isEmpty()) {
            bigquery.update(existing.toBuilder().setDefinition(definition.toBuilder().setSchema(Schema.of(fields))
                    .build()).build());
            log.info("Added columns {} to {}", added, table.name());
        }
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    @Override
    public WriteResult replaceDays(ReportKind report, String organizationId,
            DayRange days, RowStream<Row> rows, String runId, Instant fetchedAt, List<Restatement> restatements) {
        Instant loadedAt = fetchedAt;
        Report declaration = Reports.of(report);
        List<Table> tables = declaration.tables();
        List<String> staging = new ArrayList<>();
        String window = days.first() + "_" + days.last();
        String write = BigQueryJobs.nonce();
        JobContext context = new JobContext(runId + "_" + report.id() + "_" + window + "_" + write,
                Map.of("app", BigQueryJobs.APP, "run_id", runId, "report", report.id(), "window", window));
        long[] rowsPerDay = new long[days.size()];
        try {
            for (Table table : tables) {
                String stage = table.name() + "_" + write;
                staging.add(stage);
                createStaging(stage, table);
                FactRows factRows = new FactRows(organizationId, loadedAt, runId);
                boolean counted = table == tables.get(0);
                load(context, "load_" + table.name(), stage, table, writer -> {
                    if (counted) {
                        // A load that is tried again counts again from zero.
                        Arrays.fill(rowsPerDay, 0);
                    }
                    factRows.writeTable(rows, declaration, days, table, writer, counted ? rowsPerDay : null);
                });
            }
            Map<String, QueryParameterValue> parameters = new LinkedHashMap<>();
            parameters.put("organization_id", QueryParameterValue.string(organizationId));
            parameters.put("report", QueryParameterValue.string(report.id()));
            parameters.put("first_day", QueryParameterValue.date(days.first().toString()));
            parameters.put("last_day", QueryParameterValue.date(days.last().toString()));
            parameters.put("loaded_at", BigQueryTimestamps.parameter(loadedAt));
            parameters.put("run_id", QueryParameterValue.string(runId));
            for (int i = 0; i < restatements.size(); i++) {
                Restatement restatement = restatements.get(i);
                String prefix = "restated_" + i + "_";
                parameters.put(prefix + "day", QueryParameterValue.date(restatement.day().toString()));
                parameters.put(prefix + "measure", QueryParameterValue.string(restatement.measure()));
                parameters.put(prefix + "old_rows", QueryParameterValue.int64(restatement.oldRows()));
                parameters.put(prefix + "new_rows", QueryParameterValue.int64(restatement.newRows()));
                parameters.put(prefix + "old_total", QueryParameterValue.bigNumeric(restatement.oldTotal()));
                parameters.put(prefix + "new_total", QueryParameterValue.bigNumeric(restatement.newTotal()));
            }
            JobStatistics.QueryStatistics statistics = runDml(context, "replace", "replace " + report + " " + days,
                    sql.replaceDays(tables, staging, restatements.size()), parameters, options.deadline());
            log.info("{} {}: replaced in one transaction, {} bytes billed", report, days,
                    statistics.getTotalBytesBilled());
        } catch (WarehouseException e) {
            throw new WarehouseException("could not replace " + report + " " + days + "; nothing was changed: "
                    + e.getMessage(), e.getCause());
        } catch (RuntimeException e) {
            throw new WarehouseException("could not replace " + report + " " + days + "; nothing was changed: "
                    + e.getMessage(), e);
        } finally {
            for (String stage : staging) {
                dropQuietly(stage);
            }
        }
        long total = 0;
        for (long count : rowsPerDay) {
            total += count;
        }
        return new WriteResult(report, days, total);
    }

    private void createStaging(String stage, Table table) {
        jobs.attempt("create staging table " + stage, options.deadline(), () -> bigquery.create(TableInfo.newBuilder(
                        TableId.of(project, sql.stagingDataset(), stage),
                        StandardTableDefinition.of(BigQuerySchema.of(table)))
                .setExpirationTime(Instant.now().plus(STAGING_LIFETIME).toEpochMilli())
                .build()));
    }

    /**
     * Streams the rows {@code writeRows} writes, as newline-delimited JSON, into a load job on {@code stage}; only
     * the client's upload buffer is held in memory. Tried again, {@code writeRows} runs again.
     */
    private void load(JobContext context, String step, String stage, Table table, Consumer<RowWriter> writeRows) {
        jobs.runJob(context, step, "load " + stage, options.deadline(), jobId -> {
            WriteChannelConfiguration configuration = WriteChannelConfiguration
                    .newBuilder(TableId.of(project, sql.stagingDataset(), stage))
                    .setFormatOptions(FormatOptions.json())
                    .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                    .setCreateDisposition(JobInfo.CreateDisposition.CREATE_NEVER)
                    .setLabels(context.labels())
                    .build();
            LazyUpload upload = new LazyUpload(() -> bigquery.writer(jobId, configuration));
            try (OutputStream out = new BufferedOutputStream(upload, 1 << 16);
                    JsonGenerator json = JSON.createGenerator(out)) {
                json.setRootValueSeparator(null);
                writeRows.accept(new JsonRowWriter(json, table));
            } catch (IOException e) {
                throw new BigQueryException(e);
            }
            return upload.channel == null ? null : upload.channel.getJob();
        });
    }

    private void dropQuietly(String stage) {
        try {
            bigquery.delete(TableId.of(project, sql.stagingDataset(), stage));
        } catch (BigQueryException e) {
            log.warn("Could not drop staging table {} ({}); it expires by itself within a day", stage, e.getMessage());
        }
    }

    /** Runs a statement that changes data and returns its statistics; retried while BigQuery says it may work. */
    private JobStatistics.QueryStatistics runDml(JobContext context, String step, String what, String statement,
            Map<String, QueryParameterValue> parameters, Deadline deadline) {
        Job job = jobs.runJob(context, step, what, deadline, jobId -> {
            QueryJobConfiguration.Builder configuration = QueryJobConfiguration.newBuilder(statement)
                    .setNamedParameters(parameters).setUseLegacySql(false).setLabels(context.labels());
            if (deadline.isBounded()) {
                // BigQuery stops the job by itself if this process is gone before it could cancel it.
                configuration.setJobTimeoutMs(BigQueryJobs.jobTimeoutMs(deadline));
            }
            return bigquery.create(JobInfo.of(jobId, configuration.build()));
        });
        JobStatistics.QueryStatistics statistics = job.getStatistics();
        if (statistics.getTotalBytesBilled() != null) {
            bytesBilled += statistics.getTotalBytesBilled();
        }
        return statistics;
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    /** Runs a read, bounded by the deadline when there is one. */
    private TableResult select(String what, String statement, Map<String, QueryParameterValue> parameters) {
        Deadline deadline = options.deadline();
        location();
        return jobs.attempt(what, deadline, () -> {
            QueryJobConfiguration.Builder configuration = QueryJobConfiguration.newBuilder(statement)
                    .setNamedParameters(parameters).setUseLegacySql(false)
                    .setDefaultDataset(DatasetId.of(project, dataset)).setLabels(Map.of("app", BigQueryJobs.APP));
            if (deadline.isBounded()) {
                if (deadline.hasPassed()) {
                    throw new BigQueryJobs.DeadlinePassed("the run's deadline passed before BigQuery could " + what);
                }
                configuration.setJobTimeoutMs(BigQueryJobs.jobTimeoutMs(deadline));
            }
            return runQuery(configuration.build(), "reading " + what);
        });
    }

    /** Runs a query and waits for its result; {@code doing} says what for, if the wait is interrupted. */
    private TableResult runQuery(QueryJobConfiguration configuration, String doing) {
        try {
            return bigquery.query(configuration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WarehouseException("interrupted while " + doing, e);
        }
    }

    @Override
    public void replaceOrganizationRows(Table table, String organizationId, List<Row> rows) {
        JobContext context = JobContext.unnamed(table.name());
        String stage = context.stem();
        try {
            createStaging(stage, table);
            load(context, "load", stage, table, writer -> rows.forEach(writer::row));
            runDml(context, "replace", "replace " + table.name(), sql.replaceOrganizationRows(table, stage),
                    Map.of("organization_id", QueryParameterValue.string(organizationId)), options.deadline());
        } catch (RuntimeException e) {
            throw new WarehouseException("could not replace " + table.name() + "; nothing was changed: "
                    + e.getMessage(), e);
        } finally {
            dropQuietly(stage);
        }
    }

    /**
     * One load job into a staging table of its own (load jobs are limited per table, not per project) and one DML
     * statement. BigQuery runs INSERTs into one table side by side, so two writers at once could each add a key the
     * other adds: the Cloud Run service runs one instance for this reason.
     */
    @Override
    public long insertNew(Table table, List<Row> rows) {
        if (rows.isEmpty()) {
            return 0;
        }
        JobContext context = JobContext.unnamed(table.name());
        String stage = context.stem();
        DayRange days = Tables.telemetryDays(rows);
        try {
            createStaging(stage, table);
            load(context, "load", stage, table, writer -> rows.forEach(writer::row));
            Long added = runDml(context, "insert", "add to " + table.name(), sql.insertNew(table, stage),
                    Map.of("first_day", QueryParameterValue.date(days.first().toString()),
                            "last_day", QueryParameterValue.date(days.last().toString())),
                    options.deadline()).getNumDmlAffectedRows();
            return added == null ? 0 : added;
        } catch (RuntimeException e) {
            throw new WarehouseException("could not add rows to " + table.name() + "; nothing was added: "
                    + e.getMessage(), e);
        } finally {
            dropQuietly(stage);
        }
    }

    @Override
    public long erasePersonalData(String organizationId, LocalDate firstKept, Erasure erasure) {
        JobContext context = JobContext.unnamed("personal_data");
        Map<String, QueryParameterValue> parameters = Map.of(Erasure.ORGANIZATION,
                QueryParameterValue.string(organizationId), Erasure.BEFORE,
                QueryParameterValue.date(firstKept.toString()));
        long changed = 0;
        List<String> statements = erasure.statements(sql.dialect());
        for (int i = 0; i < statements.size(); i++) {
            // One job each: a run stopped in between finishes the same way next time (PersonalData).
            Long rows = runDml(context, "erase" + i, "erase personal data before " + firstKept, statements.get(i),
                    parameters,
                    options.deadline()).getNumDmlAffectedRows();
            changed += rows == null ? 0 : rows;
        }
        return changed;
    }

    @Override
    public void recordRun(RunRecord run) {
        Map<String, QueryParameterValue> parameters = new LinkedHashMap<>();
        Row row = run.toRow();
        for (Column column : Tables.RUNS.columns()) {
            Object value = row.get(column.name());
            parameters.put(column.name(), switch (column.type()) {
                case TIMESTAMP -> BigQueryTimestamps.parameter((Instant) value);
                case INT64 -> QueryParameterValue.int64((Long) value);
                default -> QueryParameterValue.string((String) value);
            });
        }
        // How a run ended is recorded even when its deadline has just passed.
        runDml(new JobContext(run.runId() + "_record_" + BigQueryJobs.nonce(), Map.of("app", BigQueryJobs.APP,
                "run_id", run.runId())),
                run.status().id(),
                "record run " + run.runId(), sql.mergeRun(), parameters, options.deadline().withGrace(RECORD_GRACE));
    }

    /**
     * Checks with a dry run that the statement only reads and bills no more than the cap, then runs it, capped
     * again by BigQuery itself, and hands its rows on, page by page. Table names without a dataset refer to this
     * warehouse's dataset.
     */
    @Override
    public void query(String statement, UserQuery query, QueryVisitor visitor) {
        try {
            queryChecked(statement, query, visitor);
        } catch (WarehouseException e) {
            if (e instanceof StatementRefusedException) {
                throw e;
            }
            if (query.cancellation().isCancelled()) {
                throw new StatementRefusedException("query was cancelled; BigQuery was asked to stop the job", e);
            }
            BigQueryError error = e.getCause() instanceof BigQueryException cause ? BigQueryErrors.of(cause)
                    : e.getCause() instanceof BigQueryJobs.JobFailed failed ? failed.error : null;
            if (error != null && BigQueryErrors.isTimeout(error)) {
                throw new StatementRefusedException("the statement ran longer than its timeout of " + query.timeoutText()
                        + " and BigQuery stopped it; read fewer days (filter on activity_date), or give query a"
                        + " longer --timeout", e);
            }
            if (error != null && BigQueryErrors.isInvalidQuery(error)) {
                throw new StatementRefusedException(e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * The dry run refuses what does not only read or bills more than the cap; the job itself is capped again by
     * BigQuery, bounded by {@code jobTimeoutMs}, and cancelled ({@code jobs.cancel}) when the query is.
     */
    private void queryChecked(String statement, UserQuery query, QueryVisitor visitor) {
        location();
        Optional<String> organization = query.organization();
        String text = organization.isPresent() ? OrganizationScope.apply(statement, sql.dialect(), query.views())
                : statement;
        Map<String, QueryParameterValue> parameters = organization.isPresent()
                ? Map.of(OrganizationScope.PARAMETER, QueryParameterValue.string(organization.get())) : Map.of();
        QueryJobConfiguration dryRun = QueryJobConfiguration.newBuilder(text).setDryRun(true)
                .setNamedParameters(parameters)
                .setUseLegacySql(false).setDefaultDataset(DatasetId.of(project, dataset)).build();
        Job checked = jobs.attempt("check the statement", options.deadline(), () -> bigquery.create(JobInfo.of(
                JobId.newBuilder().setRandomJob().setLocation(location()).build(), dryRun)));
        JobStatistics.QueryStatistics statistics = checked.getStatistics();
        StatementType type = statistics == null ? null : statistics.getStatementType();
        if (!StatementType.SELECT.equals(type)) {
            throw new StatementRefusedException("query only runs SELECT statements; this one is " + type);
        }
        Long bytes = statistics.getTotalBytesProcessed();
        if (bytes != null && bytes > options.maximumBytesBilled()) {
            throw new StatementRefusedException(String.format("the query would process %,d bytes, more than the cap of"
                    + " %,d; filter on activity_date (the partition column) to read fewer days, or raise"
                    + " --maximum-bytes-billed", bytes, options.maximumBytesBilled()));
        }
        QueryJobConfiguration configuration = QueryJobConfiguration.newBuilder(text).setNamedParameters(parameters)
                .setUseLegacySql(false).setDefaultDataset(DatasetId.of(project, dataset))
                .setMaximumBytesBilled(options.maximumBytesBilled()).setJobTimeoutMs(query.timeout().toMillis())
                .setLabels(Map.of("app", BigQueryJobs.APP)).build();
        try {
            BigQueryValues.visit(jobs.attempt("run the query", options.deadline(), () -> {
                JobId job = JobId.newBuilder().setRandomJob().setLocation(location()).build();
                query.cancellation().onCancel(() -> bigquery.cancel(job));
                try {
                    return bigquery.query(configuration, job);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    bigquery.cancel(job);
                    throw new WarehouseException("interrupted while running the query; BigQuery was asked to stop it",
                            e);
                }
            }), visitor);
        } finally {
            query.cancellation().clear();
        }
    }

    @Override
    public void read(String statement, Map<String, ?> bound, QueryVisitor visitor) {
        Map<String, QueryParameterValue> parameters = new HashMap<>();
        bound.forEach((name, value) -> parameters.put(name, BigQueryValues.parameter(name, value)));
        BigQueryValues.visit(select("read the warehouse", statement, parameters), visitor);
    }

    @Override
    public SqlDialect dialect() {
        return sql.dialect();
    }

    @Override
    public void close() {
        if (bytesBilled > 0) {
            log.info("BigQuery: {} bytes billed by this run's queries", bytesBilled);
        }
    }
}
