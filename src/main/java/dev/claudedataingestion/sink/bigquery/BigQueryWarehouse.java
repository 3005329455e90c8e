package dev.claudedataingestion.sink.bigquery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.cloud.NoCredentials;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.BigQueryOptions;
import com.google.cloud.bigquery.Clustering;
import com.google.cloud.bigquery.DatasetId;
import com.google.cloud.bigquery.DatasetInfo;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FieldValue;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import com.google.cloud.bigquery.JobStatistics.QueryStatistics.StatementType;
import com.google.cloud.bigquery.LegacySQLTypeName;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.QueryParameterValue;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableDataWriteChannel;
import com.google.cloud.bigquery.TableDefinition;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.TableResult;
import com.google.cloud.bigquery.TimePartitioning;
import com.google.cloud.bigquery.ViewDefinition;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.FactRow;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.sink.Column;
import dev.claudedataingestion.sink.CoverageCollector;
import dev.claudedataingestion.sink.DayTotal;
import dev.claudedataingestion.sink.FactRows;
import dev.claudedataingestion.sink.RowStream;
import dev.claudedataingestion.sink.Restatement;
import dev.claudedataingestion.sink.RowWriter;
import dev.claudedataingestion.sink.RunRecord;
import dev.claudedataingestion.sink.Table;
import dev.claudedataingestion.sink.Tables;
import dev.claudedataingestion.sink.Views;
import dev.claudedataingestion.sink.Warehouse;
import dev.claudedataingestion.sink.WarehouseException;
import dev.claudedataingestion.sink.WriteResult;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.channels.Channels;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BigQuery dataset. Rows are never streamed: a window's rows go to a staging table by a load job (free, and
 * changeable by DML at once, unlike the streaming buffer), then one multi-statement transaction replaces the
 * window's days and coverage from it, then the staging table is dropped (it also expires after a day, in case
 * the process dies first). Tables are partitioned by {@code activity_date} and clustered on what dashboards filter
 * by, so a daily run reads and writes only the partitions it replaces.
 */
public final class BigQueryWarehouse implements Warehouse {

    private static final Logger log = LoggerFactory.getLogger(BigQueryWarehouse.class);
    private static final int ATTEMPTS = 5;
    private static final Duration STAGING_LIFETIME = Duration.ofDays(1);
    private static final JsonFactory JSON = new JsonFactory();

    private final BigQuery bigquery;
    private final String project;
    private final String dataset;
    private final String location;
    private final BigQuerySql sql;
    private final Duration retryDelay;
    private long bytesBilled;

    BigQueryWarehouse(BigQuery bigquery, String project, String dataset, String location, Duration retryDelay) {
        this.bigquery = bigquery;
        this.project = project;
        this.dataset = dataset;
        this.location = location;
        this.sql = new BigQuerySql(project, dataset);
        this.retryDelay = retryDelay;
    }

    /**
     * Connects with Application Default Credentials; with {@code apiUrl} (a local fake, in tests), without any.
     */
    public static BigQueryWarehouse open(String project, String dataset, String location, Optional<URI> apiUrl) {
        BigQueryOptions.Builder options = BigQueryOptions.newBuilder().setProjectId(project).setLocation(location);
        apiUrl.ifPresent(url -> options.setHost(url.toString()).setCredentials(NoCredentials.getInstance()));
        try {
            return new BigQueryWarehouse(options.build().getService(), project, dataset, location,
                    apiUrl.isPresent() ? Duration.ofMillis(10) : Duration.ofSeconds(1));
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

    // ---- schema ------------------------------------------------------------------------------------------------

    @Override
    public void ensureSchema() {
        DatasetId datasetId = DatasetId.of(project, dataset);
        attempt("look up dataset " + dataset, () -> {
            if (bigquery.getDataset(datasetId) == null) {
                bigquery.create(DatasetInfo.newBuilder(datasetId).setLocation(location).build());
                log.info("Created dataset {}.{} in {}", project, dataset, location);
            }
            return null;
        });
        for (Table table : Tables.all()) {
            attempt("create or upgrade table " + table.name(), () -> {
                ensureTable(table);
                return null;
            });
        }
        Views.all(sql.dialect()).forEach((name, query) -> attempt("create or replace view " + name, () -> {
            TableId id = TableId.of(project, dataset, name);
            com.google.cloud.bigquery.Table existing = bigquery.getTable(id);
            ViewDefinition definition = ViewDefinition.newBuilder(query).setUseLegacySql(false).build();
            if (existing == null) {
                bigquery.create(TableInfo.of(id, definition));
            } else if (!(existing.getDefinition() instanceof ViewDefinition view) || !query.equals(view.getQuery())) {
                bigquery.update(existing.toBuilder().setDefinition(definition).build());
            }
            return null;
        }));
    }

    private void ensureTable(Table table) {
        TableId id = TableId.of(project, dataset, table.name());
        com.google.cloud.bigquery.Table existing = bigquery.getTable(id);
        if (existing == null) {
            StandardTableDefinition.Builder definition = StandardTableDefinition.newBuilder().setSchema(schema(table));
            if (table.columnNames().contains("activity_date")) {
                definition.setTimePartitioning(TimePartitioning.newBuilder(TimePartitioning.Type.DAY)
                        .setField("activity_date").build());
            }
            List<String> clustering = clustering(table);
            if (!clustering.isEmpty()) {
                definition.setClustering(Clustering.newBuilder().setFields(clustering).build());
            }
            bigquery.create(TableInfo.of(id, definition.build()));
            log.info("Created table {}", table.name());
            return;
        }
        TableDefinition definition = existing.getDefinition();
        Schema current = definition.getSchema();
        Set<String> present = new HashSet<>();
        current.getFields().forEach(field -> present.add(field.getName()));
        List<Field> fields = new ArrayList<>(current.getFields());
        List<String> added = new ArrayList<>();
        for (Column column : table.columns()) {
            if (!present.contains(column.name())) {
                fields.add(field(column));
                added.add(column.name());
            }
        }
        if (!added.isEmpty()) {
            bigquery.update(existing.toBuilder().setDefinition(definition.toBuilder().setSchema(Schema.of(fields))
                    .build()).build());
            log.info("Added columns {} to {}", added, table.name());
        }
    }

    /** The columns dashboards and the replace filter by; BigQuery takes at most four. */
    private static List<String> clustering(Table table) {
        if (table == Tables.USAGE) {
            return List.of("organization_id", "workspace_id", "model", "api_key_id");
        }
        if (table == Tables.COSTS) {
            return List.of("organization_id", "workspace_id", "cost_type", "model");
        }
        if (table == Tables.CLAUDE_CODE) {
            return List.of("organization_id", "actor_email");
        }
        if (table == Tables.CLAUDE_CODE_MODELS) {
            return List.of("organization_id", "model");
        }
        if (table == Tables.COVERAGE) {
            return List.of("organization_id", "report");
        }
        return List.of();
    }

    static Schema schema(Table table) {
        return Schema.of(table.columns().stream().map(BigQueryWarehouse::field).toList());
    }

    private static Field field(Column column) {
        StandardSQLTypeName type = switch (column.type()) {
            case STRING, JSON -> StandardSQLTypeName.STRING;
            case INT64 -> StandardSQLTypeName.INT64;
            case BOOL -> StandardSQLTypeName.BOOL;
            case DATE -> StandardSQLTypeName.DATE;
            case TIMESTAMP -> StandardSQLTypeName.TIMESTAMP;
            // NUMERIC keeps 9 decimal places; cents arrive with more, and dollars have two more again.
            case CENTS, USD -> StandardSQLTypeName.BIGNUMERIC;
        };
        return Field.newBuilder(column.name(), type).setMode(Field.Mode.NULLABLE).build();
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    @Override
    public WriteResult replaceDays(ReportKind report, String organizationId,
            DayRange days, RowStream<? extends FactRow> rows, String runId, List<Restatement> restatements) {
        Instant loadedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<Table> tables = Tables.factTables(report);
        List<String> staging = new ArrayList<>();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        long[] rowsPerDay = new long[days.size()];
        try {
            for (Table table : tables) {
                String stage = "_stage_" + table.name() + "_" + suffix;
                staging.add(stage);
                createStaging(stage, table);
                FactRows factRows = new FactRows(organizationId, loadedAt, runId);
                boolean counted = table == tables.get(0);
                load(stage, table, writer -> {
                    if (counted) {
                        // A load that is tried again counts again from zero.
                        Arrays.fill(rowsPerDay, 0);
                    }
                    factRows.writeTable(rows, report, days, table, writer, new JsonRowWriter(null, table),
                            counted ? rowsPerDay : null);
                });
            }
            Map<String, QueryParameterValue> parameters = new LinkedHashMap<>();
            parameters.put("organization_id", QueryParameterValue.string(organizationId));
            parameters.put("report", QueryParameterValue.string(report.id()));
            parameters.put("first_day", QueryParameterValue.date(days.first().toString()));
            parameters.put("last_day", QueryParameterValue.date(days.last().toString()));
            parameters.put("loaded_at", timestamp(loadedAt));
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
            JobStatistics.QueryStatistics statistics = runDml("replace " + report + " " + days,
                    sql.replaceDays(tables, staging, restatements.size()), parameters);
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
        attempt("create staging table " + stage, () -> bigquery.create(TableInfo.newBuilder(
                        TableId.of(project, dataset, stage), StandardTableDefinition.of(schema(table)))
                .setExpirationTime(Instant.now().plus(STAGING_LIFETIME).toEpochMilli())
                .build()));
    }

    /**
     * Streams the rows {@code writeRows} writes, as newline-delimited JSON, into a load job on {@code stage}; only
     * the client's upload buffer is held in memory. Tried again, {@code writeRows} runs again.
     */
    private void load(String stage, Table table, Consumer<RowWriter> writeRows) {
        attempt("load " + stage, () -> {
            JobId jobId = JobId.newBuilder().setProject(project).setLocation(location)
                    .setJob("claude_ingest_load_" + UUID.randomUUID()).build();
            WriteChannelConfiguration configuration = WriteChannelConfiguration
                    .newBuilder(TableId.of(project, dataset, stage))
                    .setFormatOptions(FormatOptions.json())
                    .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                    .setCreateDisposition(JobInfo.CreateDisposition.CREATE_NEVER)
                    .build();
            LazyUpload upload = new LazyUpload(() -> {
                try {
                    return bigquery.writer(jobId, configuration);
                } catch (BigQueryException e) {
                    throw new JobFailed("load job " + jobId.getJob(), BigQueryErrors.of(e));
                }
            });
            try (OutputStream out = new BufferedOutputStream(upload, 1 << 16);
                    JsonGenerator json = JSON.createGenerator(out)) {
                json.setRootValueSeparator(null);
                writeRows.accept(new JsonRowWriter(json, table));
            } catch (IOException e) {
                throw new UncheckedIOException("upload to " + stage + " failed", e);
            } catch (BigQueryException e) {
                throw new JobFailed("load job " + jobId.getJob(), BigQueryErrors.of(e));
            }
            if (upload.channel == null) {
                return null;
            }
            Job job = upload.channel.getJob();
            try {
                job = job.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WarehouseException("interrupted while loading " + stage, e);
            } catch (BigQueryException e) {
                throw new JobFailed("load job " + jobId.getJob(), BigQueryErrors.of(e));
            }
            if (job == null) {
                throw new WarehouseException("load job " + jobId.getJob() + " disappeared");
            }
            failIfJobFailed(job, "load job");
            return null;
        });
    }

    /**
     * Opens the upload with the first byte. An upload of nothing is never sent by the client, so it would have no
     * job to wait for; a window without rows needs no load at all.
     */
    private static final class LazyUpload extends OutputStream {
        private final Supplier<TableDataWriteChannel> open;
        private TableDataWriteChannel channel;
        private OutputStream out;

        LazyUpload(Supplier<TableDataWriteChannel> open) {
            this.open = open;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (out == null) {
                channel = open.get();
                out = Channels.newOutputStream(channel);
            }
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }

    /** Writes one table row as a JSON object per line; a null generator writes nothing (rows of other tables). */
    private static final class JsonRowWriter implements RowWriter {
        private final JsonGenerator json;
        private final List<Column> columns;
        private int column;

        JsonRowWriter(JsonGenerator json, Table table) {
            this.json = json;
            this.columns = table.columns();
        }

        private void field(Object value) {
            if (json == null) {
                return;
            }
            try {
                if (column == 0) {
                    json.writeStartObject();
                }
                String name = columns.get(column++).name();
                if (value == null) {
                    return;
                }
                json.writeFieldName(name);
                if (value instanceof Long number) {
                    json.writeNumber(number);
                } else if (value instanceof Boolean bool) {
                    json.writeBoolean(bool);
                } else {
                    json.writeString(value.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void string(String value) {
            field(value);
        }

        @Override
        public void int64(long value) {
            field(value);
        }

        @Override
        public void bool(Boolean value) {
            field(value);
        }

        @Override
        public void date(LocalDate value) {
            field(value);
        }

        @Override
        public void timestamp(Instant value) {
            field(value);
        }

        @Override
        public void decimal(BigDecimal value) {
            field(value == null ? null : value.toPlainString());
        }

        @Override
        public void endRow() {
            if (json == null) {
                return;
            }
            try {
                json.writeEndObject();
                json.writeRaw('\n');
                column = 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void dropQuietly(String stage) {
        try {
            bigquery.delete(TableId.of(project, dataset, stage));
        } catch (BigQueryException e) {
            log.warn("Could not drop staging table {} ({}); it expires by itself within a day", stage, e.getMessage());
        }
    }

    private static QueryParameterValue timestamp(Instant instant) {
        return instant == null ? QueryParameterValue.timestamp((String) null)
                : QueryParameterValue.timestamp(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
    }

    /** Runs a statement that changes data and returns its statistics; retried while BigQuery says it may work. */
    private JobStatistics.QueryStatistics runDml(String what, String statement,
            Map<String, QueryParameterValue> parameters) {
        QueryJobConfiguration configuration = QueryJobConfiguration.newBuilder(statement)
                .setNamedParameters(parameters).setUseLegacySql(false).build();
        return attempt(what, () -> {
            JobId jobId = JobId.newBuilder().setProject(project).setLocation(location)
                    .setJob("claude_ingest_" + UUID.randomUUID()).build();
            Job job;
            try {
                job = bigquery.create(JobInfo.of(jobId, configuration)).waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WarehouseException("interrupted while waiting for job " + jobId.getJob(), e);
            } catch (BigQueryException e) {
                throw new JobFailed("job " + jobId.getJob(), BigQueryErrors.of(e));
            }
            if (job == null) {
                throw new WarehouseException("job " + jobId.getJob() + " disappeared");
            }
            failIfJobFailed(job, "job");
            JobStatistics.QueryStatistics statistics = job.getStatistics();
            if (statistics.getTotalBytesBilled() != null) {
                bytesBilled += statistics.getTotalBytesBilled();
            }
            return statistics;
        });
    }

    private static void failIfJobFailed(Job job, String kind) {
        BigQueryError error = job.getStatus() == null ? null : job.getStatus().getError();
        if (error != null) {
            throw new JobFailed(kind + " " + job.getJobId().getJob(), error);
        }
    }

    /** A job that ended with an {@code errorResult}. */
    private static final class JobFailed extends RuntimeException {
        final BigQueryError error;

        JobFailed(String job, BigQueryError error) {
            super(job + " failed: " + BigQueryErrors.describe(error));
            this.error = error;
        }
    }

    /**
     * Runs {@code action}, again after a pause while the failure is one that may pass (rate limits, backend
     * errors, concurrent updates); the final failure says how many attempts were made and keeps the cause.
     */
    private <T> T attempt(String what, Supplier<T> action) {
        for (int attempt = 1; ; attempt++) {
            BigQueryError error;
            RuntimeException failure;
            try {
                return action.get();
            } catch (JobFailed e) {
                error = e.error;
                failure = e;
            } catch (BigQueryException e) {
                error = BigQueryErrors.of(e);
                failure = e;
            }
            if (!BigQueryErrors.isRetryable(error) || attempt >= ATTEMPTS) {
                throw new WarehouseException("BigQuery: " + what + " failed after " + attempt + " attempt"
                        + (attempt == 1 ? "" : "s") + ": " + (failure instanceof JobFailed ? failure.getMessage()
                        : BigQueryErrors.describe(error)), failure);
            }
            long pause = retryDelay.toMillis() << (attempt - 1);
            log.warn("BigQuery: {} failed ({}); attempt {} of {} in {} ms", what, BigQueryErrors.describe(error),
                    attempt + 1, ATTEMPTS, pause);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WarehouseException("interrupted while waiting to retry " + what, e);
            }
        }
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    private TableResult select(String what, String statement, Map<String, QueryParameterValue> parameters) {
        QueryJobConfiguration configuration = QueryJobConfiguration.newBuilder(statement)
                .setNamedParameters(parameters).setUseLegacySql(false)
                .setDefaultDataset(DatasetId.of(project, dataset)).build();
        return attempt(what, () -> {
            try {
                return bigquery.query(configuration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WarehouseException("interrupted while reading " + what, e);
            }
        });
    }

    @Override
    public void replaceOrganizationRows(Table table, String organizationId, List<Object[]> rows) {
        String stage = "_stage_" + table.name() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            createStaging(stage, table);
            load(stage, table, writer -> rows.forEach(row -> writer.row(table.columns(), row)));
            runDml("replace " + table.name(), sql.replaceOrganizationRows(table, stage),
                    Map.of("organization_id", QueryParameterValue.string(organizationId)));
        } catch (RuntimeException e) {
            throw new WarehouseException("could not replace " + table.name() + "; nothing was changed: "
                    + e.getMessage(), e);
        } finally {
            dropQuietly(stage);
        }
    }

    @Override
    public List<Object[]> organizationRows(Table table, String organizationId) {
        List<Object[]> rows = new ArrayList<>();
        for (FieldValueList row : select("read " + table.name(), sql.organizationRows(table),
                Map.of("organization_id", QueryParameterValue.string(organizationId))).iterateAll()) {
            rows.add(readRow(row, table.columns()));
        }
        return rows;
    }

    /** A row's values, each as the Java type of its column's contract type. */
    private static Object[] readRow(FieldValueList row, List<Column> columns) {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            FieldValue value = row.get(columns.get(i).name());
            values[i] = value.isNull() ? null : switch (columns.get(i).type()) {
                case TIMESTAMP -> value.getTimestampInstant();
                case INT64 -> value.getLongValue();
                case DATE -> LocalDate.parse(value.getStringValue());
                case BOOL -> value.getBooleanValue();
                case CENTS, USD -> value.getNumericValue();
                case STRING, JSON -> value.getStringValue();
            };
        }
        return values;
    }

    @Override
    public Map<LocalDate, DayTotal> dayTotals(ReportKind report, String organizationId, DayRange days) {
        Map<LocalDate, DayTotal> totals = new TreeMap<>();
        coveredDays(report, organizationId, days).forEach(day -> totals.put(day, new DayTotal(0, BigDecimal.ZERO)));
        Map<String, QueryParameterValue> parameters = new HashMap<>();
        parameters.put("organization_id", QueryParameterValue.string(organizationId));
        parameters.put("first_day", QueryParameterValue.date(days.first().toString()));
        parameters.put("last_day", QueryParameterValue.date(days.last().toString()));
        String statement = sql.dayTotals(Tables.factTables(report).get(0), Tables.headline(report).expression());
        for (FieldValueList row : select("read stored totals", statement, parameters).iterateAll()) {
            LocalDate day = LocalDate.parse(row.get(0).getStringValue());
            if (totals.containsKey(day)) {
                totals.put(day, new DayTotal(row.get(1).getLongValue(),
                        row.get(2).isNull() ? BigDecimal.ZERO : row.get(2).getNumericValue()));
            }
        }
        return totals;
    }

    @Override
    public Set<LocalDate> coveredDays(ReportKind report, String organizationId, DayRange within) {
        Map<String, QueryParameterValue> parameters = new HashMap<>();
        parameters.put("organization_id", QueryParameterValue.string(organizationId));
        parameters.put("report", QueryParameterValue.string(report.id()));
        parameters.put("first_day", QueryParameterValue.date(within.first().toString()));
        parameters.put("last_day", QueryParameterValue.date(within.last().toString()));
        Set<LocalDate> days = new HashSet<>();
        for (FieldValueList row : select("read coverage", sql.coveredDays(), parameters).iterateAll()) {
            days.add(LocalDate.parse(row.get(0).getStringValue()));
        }
        return days;
    }

    @Override
    public List<CoverageSummary> coverage() {
        CoverageCollector coverage = new CoverageCollector();
        for (FieldValueList row : select("read coverage", sql.coverage(), Map.of()).iterateAll()) {
            coverage.add(row.get(0).getStringValue(), row.get(1).getStringValue(),
                    LocalDate.parse(row.get(2).getStringValue()), row.get(3).getLongValue());
        }
        return coverage.summaries();
    }

    @Override
    public void recordRun(RunRecord run) {
        Map<String, QueryParameterValue> parameters = new LinkedHashMap<>();
        Object[] values = run.columnValues();
        List<Column> columns = Tables.RUNS.columns();
        for (int i = 0; i < values.length; i++) {
            Object value = values[i];
            parameters.put(columns.get(i).name(), switch (columns.get(i).type()) {
                case TIMESTAMP -> timestamp((Instant) value);
                case INT64 -> QueryParameterValue.int64((Long) value);
                default -> QueryParameterValue.string((String) value);
            });
        }
        runDml("record run " + run.runId(), sql.mergeRun(), parameters);
    }

    @Override
    public List<RunRecord> recentRuns(int limit) {
        List<RunRecord> runs = new ArrayList<>();
        for (FieldValueList row : select("read runs", sql.recentRuns(),
                Map.of("limit", QueryParameterValue.int64(limit))).iterateAll()) {
            runs.add(RunRecord.fromColumnValues(readRow(row, Tables.RUNS.columns())));
        }
        return runs;
    }

    /**
     * Checks with a dry run that the statement only reads, then runs it and hands its rows on, page by page.
     * Table names without a dataset refer to this warehouse's dataset.
     */
    @Override
    public void query(String statement, QueryVisitor visitor) {
        QueryJobConfiguration dryRun = QueryJobConfiguration.newBuilder(statement).setDryRun(true)
                .setUseLegacySql(false).setDefaultDataset(DatasetId.of(project, dataset)).build();
        Job checked = attempt("check the statement", () -> bigquery.create(JobInfo.of(dryRun)));
        JobStatistics.QueryStatistics statistics = checked.getStatistics();
        StatementType type = statistics == null ? null : statistics.getStatementType();
        if (!StatementType.SELECT.equals(type)) {
            throw new WarehouseException("query only runs SELECT statements; this one is " + type);
        }
        TableResult result = select("run the query", statement, Map.of());
        Schema schema = result.getSchema();
        visitor.columns(schema.getFields().stream().map(Field::getName).toList());
        for (FieldValueList row : result.iterateAll()) {
            List<Object> values = new ArrayList<>(schema.getFields().size());
            for (int i = 0; i < schema.getFields().size(); i++) {
                values.add(value(schema.getFields().get(i), row.get(i)));
            }
            visitor.row(values);
        }
    }

    private static Object value(Field field, FieldValue value) {
        if (value.isNull()) {
            return null;
        }
        LegacySQLTypeName type = field.getType();
        if (LegacySQLTypeName.INTEGER.equals(type)) {
            return value.getLongValue();
        }
        if (LegacySQLTypeName.NUMERIC.equals(type) || LegacySQLTypeName.BIGNUMERIC.equals(type)) {
            return value.getNumericValue();
        }
        if (LegacySQLTypeName.FLOAT.equals(type)) {
            return value.getDoubleValue();
        }
        if (LegacySQLTypeName.BOOLEAN.equals(type)) {
            return value.getBooleanValue();
        }
        if (LegacySQLTypeName.DATE.equals(type)) {
            return LocalDate.parse(value.getStringValue());
        }
        if (LegacySQLTypeName.TIMESTAMP.equals(type)) {
            return value.getTimestampInstant();
        }
        return value.getValue() instanceof String text ? text : value.getValue().toString();
    }

    @Override
    public void close() {
        if (bytesBilled > 0) {
            log.info("BigQuery: {} bytes billed by this run's queries", bytesBilled);
        }
    }
}
