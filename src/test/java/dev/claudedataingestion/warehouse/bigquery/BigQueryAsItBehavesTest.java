package dev.claudedataingestion.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.model.Backoff;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.TestRows;
import dev.claudedataingestion.reports.UsageReport;
import dev.claudedataingestion.warehouse.Restatement;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What BigQuery refuses or does that a forgiving fake would hide: microsecond timestamps, the dataset's location,
 * jobs that run long, lost answers, aborted transactions, duplicate job ids, the retryable errors, the staging
 * dataset, labels, the query byte cap and unpartitioned tables. Each test fails on a writer that ignores it.
 */
class BigQueryAsItBehavesTest {

    private static final String PROJECT = BigQueryWarehouseTest.PROJECT;
    private static final String DATASET = BigQueryWarehouseTest.DATASET;
    private static final LocalDate DAY = LocalDate.of(2025, 3, 1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private BigQueryFake fake;
    private BigQuery client;

    @BeforeEach
    void start() throws Exception {
        fake = new BigQueryFake();
        client = BigQueryWarehouseTest.client(fake);
    }

    @AfterEach
    void stop() throws Exception {
        fake.close();
    }

    private BigQueryWarehouse warehouse(Optional<String> location, Deadline deadline) {
        return new BigQueryWarehouse(client, PROJECT, DATASET, new BigQueryWarehouse.Options(location, deadline,
                new Backoff(5, Duration.ofMillis(1), Duration.ofMillis(16)), Duration.ofMillis(5), 1_000_000_000L));
    }

    private BigQueryWarehouse warehouse() {
        BigQueryWarehouse warehouse = warehouse(Optional.of("EU"), Deadline.none(Clock.systemUTC()));
        warehouse.ensureSchema(AnalysisViews.catalog());
        return warehouse;
    }

    private static Row cost(String description, String cents) {
        return TestRows.cost(DAY, description, cents);
    }

    private static void replace(BigQueryWarehouse warehouse, List<Row> rows) {
        warehouse.replaceDays(ReportKind.COST, "org", DayRange.single(DAY), rows::forEach, "run", Instant.now(), List.of());
    }

    private List<JsonNode> jobRequests() {
        List<JsonNode> bodies = new ArrayList<>();
        for (BigQueryFake.Recorded request : fake.requests()) {
            if ("POST".equals(request.method()) && request.path().endsWith("/jobs") && !request.body().isEmpty()) {
                bodies.add(read(request.body()));
            }
        }
        return bodies;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long transactionsSubmitted() {
        return fake.statements().stream().filter(sql -> sql.startsWith("BEGIN TRANSACTION")).count();
    }

    @Test
    void timestampsAreWrittenWithMicrosecondsWhateverTheClockGives() {
        BigQueryWarehouse warehouse = warehouse();
        Instant withNanos = Instant.parse("2026-11-29T10:15:59.547686153Z");
        Row workspace = new Row(Tables.WORKSPACES).set("organization_id", "org").set("workspace_id", "wrkspc_1")
                .set("name", "Research").set("created_at", withNanos).set("valid_from", DAY)
                .set("first_seen_at", withNanos).set("last_seen_at", withNanos);

        warehouse.replaceOrganizationRows(Tables.WORKSPACES, "org", List.of(workspace));

        Row stored = warehouse.organizationRows(Tables.WORKSPACES, "org").get(0);
        assertThat(stored.get("created_at")).isEqualTo(Instant.parse("2026-11-29T10:15:59.547686Z"));
        assertThat(stored.get("last_seen_at")).isEqualTo(Instant.parse("2026-11-29T10:15:59.547686Z"));
    }

    @Test
    void theFakeRefusesTimestampsWithMoreThanSixFractionalDigitsAsBigQueryDoes() {
        warehouse();
        TableId table = TableId.of(PROJECT, DATASET, "t");
        client.create(TableInfo.of(table, StandardTableDefinition.of(Schema.of(
                Field.of("at", StandardSQLTypeName.TIMESTAMP)))));
        var configuration = com.google.cloud.bigquery.WriteChannelConfiguration.newBuilder(table)
                .setFormatOptions(com.google.cloud.bigquery.FormatOptions.json()).build();
        var channel = client.writer(JobId.newBuilder().setLocation("EU").setJob("nanos").build(), configuration);
        try (channel) {
            channel.write(java.nio.ByteBuffer.wrap("{\"at\":\"2026-11-29T10:15:59.547686153Z\"}\n".getBytes()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        JsonNode job = fake.job("nanos");
        assertThat(job.at("/status/errorResult/reason").asText()).isEqualTo("invalid");
        assertThat(job.at("/status/errorResult/message").asText()).contains("Couldn't convert value to timestamp");
    }

    @Test
    void jobsRunInTheDatasetsOwnLocationWhateverBigqueryLocationSays() {
        replace(warehouse(), List.of(cost("a", "1")));

        for (Optional<String> configured : List.of(Optional.<String>empty(), Optional.of("US"))) {
            BigQueryWarehouse elsewhere = warehouse(configured, Deadline.none(Clock.systemUTC()));
            elsewhere.ensureSchema(AnalysisViews.catalog());
            replace(elsewhere, List.of(cost("b", "2")));
            assertThat(Rows.select(elsewhere, "SELECT description FROM claude_costs")).containsExactly(List.of("b"));
        }
        assertThat(jobRequests()).isNotEmpty().allSatisfy(job ->
                assertThat(job.at("/jobReference/location").asText()).isEqualTo("EU"));
    }

    @Test
    void theFakeDoesNotFindADatasetFromAJobInAnotherLocation() {
        warehouse();
        QueryJobConfiguration select = QueryJobConfiguration.newBuilder(
                "SELECT COUNT(*) FROM `" + PROJECT + "." + DATASET + ".claude_costs`").build();
        assertThatThrownBy(() -> client.create(JobInfo.of(JobId.newBuilder().setLocation("US").setJob("j").build(),
                select))).isInstanceOfSatisfying(BigQueryException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getReason()).isEqualTo("notFound");
                    assertThat(e.getMessage()).contains("was not found in location US");
                });
    }

    @Test
    void aJobStillRunningAtTheDeadlineIsCancelledAndChangesNothing() {
        replace(warehouse(), List.of(cost("old", "1")));
        fake.holdJobs(Duration.ofHours(1));
        BigQueryWarehouse late = warehouse(Optional.empty(), Deadline.after(Duration.ofSeconds(3), Clock.systemUTC()));

        assertThatThrownBy(() -> replace(late, List.of(cost("new", "2"))))
                .isInstanceOf(WarehouseException.class)
                .hasMessageContaining("nothing was changed").hasMessageContaining("still running at the run's deadline")
                .hasMessageContaining("cancelled");

        JsonNode cancelled = fake.requests().stream().filter(r -> r.path().endsWith("/cancel"))
                .map(r -> fake.job(r.path().split("/")[6])).findFirst().orElseThrow();
        assertThat(cancelled.at("/status/state").asText()).isEqualTo("DONE");
        assertThat(cancelled.at("/status/errorResult/reason").asText()).isEqualTo("stopped");
        fake.holdJobs(Duration.ZERO);
        assertThat(Rows.select(warehouse(), "SELECT description FROM claude_costs")).containsExactly(List.of("old"));
    }

    @Test
    void everyQueryJobOfARunWithADeadlineCarriesItAsItsTimeout() {
        warehouse();
        BigQueryWarehouse bounded = warehouse(Optional.empty(), Deadline.after(Duration.ofMinutes(10), Clock.systemUTC()));
        replace(bounded, List.of(cost("a", "1")));

        List<JsonNode> queries = jobRequests().stream().filter(job -> job.at("/configuration/query").isObject()).toList();
        assertThat(queries).isNotEmpty().allSatisfy(job ->
                assertThat(job.at("/configuration/jobTimeoutMs").asLong()).isBetween(590_000L, 600_000L));
    }

    @Test
    void aJobWhoseAnswerWasLostIsLookedUpAndNeverRunTwice() {
        BigQueryWarehouse warehouse = warehouse();
        replace(warehouse, List.of(cost("old", "1")));
        long before = transactionsSubmitted();
        fake.loseNextJobAnswers(1);

        warehouse.replaceDays(ReportKind.COST, "org", DayRange.single(DAY), List.of(cost("new", "2"))::forEach,
                "run-2", Instant.now(), List.of(new Restatement(DAY, "amount_cents", 1, 1, BigDecimal.ONE, BigDecimal.valueOf(2))));

        assertThat(transactionsSubmitted()).isEqualTo(before + 1);
        assertThat(Rows.select(warehouse, "SELECT description FROM claude_costs")).containsExactly(List.of("new"));
        assertThat(Rows.select(warehouse, "SELECT run_id FROM ingestion_restatements")).containsExactly(List.of("run-2"));
    }

    @Test
    void aTransactionAbortedByAConcurrentOneIsRunAgain() {
        BigQueryWarehouse warehouse = warehouse();
        fake.abortNextTransactions(1);
        long before = transactionsSubmitted();

        replace(warehouse, List.of(cost("a", "1")));

        assertThat(transactionsSubmitted()).isEqualTo(before + 2);
        assertThat(Rows.select(warehouse, "SELECT description FROM claude_costs")).containsExactly(List.of("a"));
    }

    @Test
    void theFakeRefusesAJobIdUsedBefore() throws Exception {
        warehouse();
        // Over plain HTTP: the client itself turns a 409 for a job it named into a look-up of that job.
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest insert = HttpRequest.newBuilder(fake.url().resolve("/bigquery/v2/projects/" + PROJECT + "/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jobReference\":{\"jobId\":\"once\",\"location\":\"EU\"},"
                        + "\"configuration\":{\"query\":{\"query\":\"SELECT 1\",\"useLegacySql\":false}}}"))
                .build();
        assertThat(http.send(insert, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        HttpResponse<String> again = http.send(insert, HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(read(again.body()).at("/error/errors/0/reason").asText()).isEqualTo("duplicate");
    }

    @Test
    void retriesEveryErrorBigQueryDocumentsAsRetryable() {
        BigQueryWarehouse warehouse = warehouse();
        fake.failNextJobs("jobBackendError", "The job encountered an internal error during execution", 1);
        fake.failNextJobs("jobInternalError", "The job encountered an internal error during execution", 1);
        fake.failNextJobs("invalid", "Job exceeded rate limits: Your table exceeded quota for table update operations", 1);
        fake.refuseNextJobRequests(1);

        replace(warehouse, List.of(cost("a", "1")));

        assertThat(Rows.select(warehouse, "SELECT description FROM claude_costs")).containsExactly(List.of("a"));
    }

    @Test
    void noRetryPauseOutlastsTheDeadline() {
        warehouse();
        BigQueryWarehouse bounded = new BigQueryWarehouse(client, PROJECT, DATASET, new BigQueryWarehouse.Options(
                Optional.empty(), Deadline.after(Duration.ofSeconds(5), Clock.systemUTC()),
                new Backoff(5, Duration.ofSeconds(30), Duration.ofSeconds(60)), Duration.ofMillis(5), 1L));
        fake.failNextJobs("backendError", "Backend error", 1);

        long start = System.nanoTime();
        assertThatThrownBy(() -> replace(bounded, List.of(cost("a", "1")))).isInstanceOf(WarehouseException.class)
                .hasMessageContaining("deadline leaves no time").hasMessageContaining("backendError");
        // The 15-second pause it would otherwise take is not taken.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void stagingTablesLiveInACompanionDatasetWhoseTablesExpire() {
        replace(warehouse(), List.of(cost("a", "1")));

        JsonNode staging = fake.requests().stream().filter(r -> "POST".equals(r.method()) && r.path().endsWith("/datasets")
                && r.body().contains(DATASET + "_staging")).map(r -> read(r.body())).findFirst().orElseThrow();
        assertThat(staging.get("location").asText()).isEqualTo("EU");
        assertThat(staging.get("defaultTableExpirationMs").asLong()).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(fake.requests()).noneMatch(r -> "POST".equals(r.method())
                && r.path().endsWith("/datasets/" + DATASET + "/tables") && r.body().contains("claude_costs_"));
    }

    @Test
    void everyJobOfAWriteIsLabelledWithTheRunReportAndWindow() {
        replace(warehouse(), List.of(cost("a", "1")));

        List<JsonNode> writes = new ArrayList<>(jobRequests());
        fake.requests().stream().filter(r -> r.path().startsWith("/upload/") && "POST".equals(r.method()))
                .map(r -> read(r.body())).forEach(writes::add);
        assertThat(writes).hasSizeGreaterThanOrEqualTo(2).allSatisfy(job -> {
            JsonNode labels = job.at("/configuration/labels");
            assertThat(labels.get("app").asText()).isEqualTo("claude-ingest");
            assertThat(labels.get("run_id").asText()).isEqualTo("run");
            assertThat(labels.get("report").asText()).isEqualTo("cost");
            assertThat(labels.get("window").asText()).isEqualTo("2025-03-01_2025-03-01");
            assertThat(job.at("/jobReference/jobId").asText()).startsWith("claude_ingest_run_cost_2025-03-01_2025-03-01_");
        });
    }

    /**
     * The fake has BigQuery's analyzer check every statement: one in another dialect is answered as BigQuery answers
     * it, 400 {@code invalidQuery} with the analyzer's message and position, and query says so (exit 2).
     */
    @Test
    void sqlBigQueryWouldRefuseIsRefusedAsInvalidQueryWithItsMessage() {
        BigQueryWarehouse warehouse = warehouse();
        String dialect = "SELECT date_trunc('month', activity_date) FROM `" + PROJECT + "." + DATASET + ".claude_costs`";
        assertThatThrownBy(() -> client.query(com.google.cloud.bigquery.QueryJobConfiguration.newBuilder(dialect)
                .setUseLegacySql(false).build(), JobId.newBuilder().setLocation("EU").build()))
                .isInstanceOfSatisfying(com.google.cloud.bigquery.BigQueryException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(400);
                    assertThat(e.getReason()).isEqualTo("invalidQuery");
                })
                .hasMessageContaining("A valid date part name is required").hasMessageContaining("[at 1:");
        assertThatThrownBy(() -> Rows.query(warehouse, "SELECT date_trunc('month', activity_date) FROM claude_costs"))
                .isInstanceOf(dev.claudedataingestion.warehouse.StatementRefusedException.class)
                .hasMessageContaining("A valid date part name is required");
        // BigQuery's own spelling passes.
        assertThat(Rows.query(warehouse, "SELECT DATE_TRUNC(activity_date, MONTH) AS month FROM claude_costs")).isEmpty();
    }

    @Test
    void aQueryThatWouldBillMoreThanTheCapIsRefusedBeforeItRuns() {
        BigQueryWarehouse warehouse = warehouse();
        fake.dryRunProcesses(2_000_000_000L);
        assertThatThrownBy(() -> Rows.query(warehouse, "SELECT * FROM claude_costs"))
                .isInstanceOf(WarehouseException.class).hasMessageContaining("2,000,000,000 bytes")
                .hasMessageContaining("--maximum-bytes-billed");

        fake.dryRunProcesses(1_000);
        assertThat(Rows.query(warehouse, "SELECT COUNT(*) FROM claude_costs")).hasSize(1);
        assertThat(fake.requests()).anyMatch(r -> r.body().contains("\"maximumBytesBilled\":\"1000000000\""));
    }

    @Test
    void anUnpartitionedFactTableIsRefusedWithWhatToDo() {
        BigQueryWarehouse warehouse = warehouse();
        TableId usage = TableId.of(PROJECT, DATASET, "claude_usage");
        client.delete(usage);
        client.create(TableInfo.of(usage, StandardTableDefinition.of(BigQuerySchema.of(UsageReport.TABLE))));

        assertThatThrownBy(() -> warehouse.ensureSchema(AnalysisViews.catalog())).isInstanceOf(WarehouseException.class)
                .hasMessageContaining("claude_usage exists but is not partitioned by activity_date")
                .hasMessageContaining("docs/bigquery.md");
    }
}
