package dev.claudedataingestion.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.TestRows;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is particular to BigQuery: partitions, staging, load jobs, retries and the guide's queries. */
class BigQueryWarehouseBehaviourTest {

    private static final LocalDate DAY = LocalDate.of(2025, 3, 1);
    private static final String DATASET = BigQueryWarehouseTest.DATASET;

    private BigQueryFake fake;
    private BigQueryWarehouse warehouse;

    @BeforeEach
    void start() throws Exception {
        fake = new BigQueryFake();
        warehouse = new BigQueryWarehouse(BigQueryWarehouseTest.client(fake), BigQueryWarehouseTest.PROJECT, DATASET,
                BigQueryWarehouseTest.options("EU"));
        warehouse.ensureSchema(AnalysisViews.catalog());
    }

    @AfterEach
    void stop() throws Exception {
        fake.close();
    }

    private static Row cost(String description, String cents) {
        return TestRows.cost(DAY, description, cents);
    }

    private void replace(List<Row> rows) {
        warehouse.replaceDays(ReportKind.COST, "org", DayRange.single(DAY), rows::forEach, "run", Instant.now(), List.of());
    }

    private long count(String sql) {
        return ((Number) Rows.select(warehouse, sql).get(0).get(0)).longValue();
    }

    @Test
    void createsTheDatasetInItsLocationAndPartitionedClusteredTables() {
        JsonNode dataset = fake.requests().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/datasets"))
                .map(r -> readTree(r.body())).findFirst().orElseThrow();
        assertThat(dataset.get("location").asText()).isEqualTo("EU");
        JsonNode usage = fake.table(DATASET, "claude_usage");
        assertThat(usage.at("/timePartitioning/field").asText()).isEqualTo("activity_date");
        assertThat(usage.at("/timePartitioning/type").asText()).isEqualTo("DAY");
        assertThat(usage.at("/clustering/fields").toString()).isEqualTo("[\"organization_id\",\"workspace_id\",\"model\",\"api_key_id\"]");
        assertThat(fake.table(DATASET, "claude_costs").at("/schema/fields").findValuesAsText("type")).contains("BIGNUMERIC");
        assertThat(fake.table(DATASET, "ingestion_coverage").at("/timePartitioning/field").asText()).isEqualTo("activity_date");
        assertThat(fake.table(DATASET, "ingestion_runs").has("timePartitioning")).isFalse();

        long creates = fake.requests().stream().filter(r -> r.method().equals("POST")).count();
        warehouse.ensureSchema(AnalysisViews.catalog());
        assertThat(fake.requests().stream().filter(r -> r.method().equals("POST")).count()).isEqualTo(creates);
    }

    private static JsonNode readTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void loadsThroughAnExpiringStagingTableNeverByStreaming() {
        replace(List.of(cost("a", "1.5"), cost("b", "2")));

        List<BigQueryFake.Recorded> requests = fake.requests();
        assertThat(requests).noneMatch(r -> r.path().contains("insertAll"));
        assertThat(requests).anyMatch(r -> r.path().startsWith("/upload/") && r.query().contains("uploadType=resumable"));
        JsonNode staging = requests.stream().filter(r -> r.method().equals("POST")
                && r.path().endsWith("/datasets/" + DATASET + "_staging/tables")
                && r.body().contains("claude_costs_")).map(r -> readTree(r.body())).findFirst().orElseThrow();
        long expires = staging.get("expirationTime").asLong();
        assertThat(Instant.ofEpochMilli(expires)).isBetween(Instant.now().plus(Duration.ofHours(23)),
                Instant.now().plus(Duration.ofHours(25)));
        assertThat(fake.tableNames(DATASET + "_staging")).isEmpty();
        assertThat(count("SELECT count(*) FROM claude_costs")).isEqualTo(2);
        assertThat(warehouse.bytesBilled()).isPositive();
    }

    @Test
    void retriesRateLimitsBackendErrorsAndConcurrentUpdates() {
        fake.failNextJobs("rateLimitExceeded", "Exceeded rate limits: too many table update operations", 1);
        fake.failNextJobs("backendError", "Backend error", 1);
        fake.failNextJobs("invalidQuery", "Transaction is aborted due to concurrent update against table claude_costs", 1);
        replace(List.of(cost("a", "1")));
        assertThat(count("SELECT count(*) FROM claude_costs")).isEqualTo(1);
    }

    @Test
    void aQuotaFailureIsReportedAtOnceWithTheJobAndChangesNothing() {
        replace(List.of(cost("old", "1")));
        fake.failNextJobs("quotaExceeded", "Quota exceeded: Your project exceeded quota for imports per project", 1);

        assertThatThrownBy(() -> replace(List.of(cost("new", "2"))))
                .isInstanceOf(WarehouseException.class)
                .hasMessageContaining("nothing was changed").hasMessageContaining("after 1 attempt")
                .hasMessageContaining("quotaExceeded").hasMessageContaining("_load_claude_costs_1");
        assertThat(Rows.select(warehouse, "SELECT description FROM claude_costs")).containsExactly(List.of("old"));
        assertThat(fake.tableNames(DATASET + "_staging")).isEmpty();
    }

    @Test
    void givesUpOnBackendErrorsAfterFiveAttempts() {
        fake.failNextJobs("backendError", "Backend error", 10);
        assertThatThrownBy(() -> replace(List.of(cost("new", "2")))).isInstanceOf(WarehouseException.class)
                .hasMessageContaining("after 5 attempts").hasMessageContaining("backendError");
    }

    @Test
    void aStatementThatFailsHalfWayRollsTheTransactionBack() {
        replace(List.of(cost("old", "1")));
        // The coverage table disappears, so the script's third statement fails after the facts were replaced.
        BigQueryWarehouseTest.client(fake).delete(com.google.cloud.bigquery.TableId.of(BigQueryWarehouseTest.PROJECT,
                DATASET, "ingestion_coverage"));
        assertThatThrownBy(() -> replace(List.of(cost("new", "2")))).isInstanceOf(WarehouseException.class);
        assertThat(Rows.select(warehouse, "SELECT description FROM claude_costs")).containsExactly(List.of("old"));
    }

    @Test
    void queryRunsOnlySelects() {
        replace(List.of(cost("a", "1")));
        assertThatThrownBy(() -> Rows.query(warehouse, "DELETE FROM claude_costs WHERE TRUE"))
                .isInstanceOf(WarehouseException.class).hasMessageContaining("SELECT").hasMessageContaining("DELETE");
        assertThat(count("SELECT count(*) FROM claude_costs")).isEqualTo(1);
    }

    @Test
    void theGuidesValidationQueriesRunAgainstTheTablesAsTheyAre() throws Exception {
        replace(List.of(cost("a", "1")));
        String file = Files.readString(Path.of("docs/validation-queries.sql"))
                .replace("PROJECT_ID", BigQueryWarehouseTest.PROJECT);
        String withoutComments = String.join("\n", file.lines().filter(line -> !line.startsWith("--")).toList());
        List<String> queries = java.util.Arrays.stream(withoutComments.split(";")).map(String::strip)
                .filter(query -> !query.isEmpty()).toList();
        assertThat(queries).hasSize(2);

        List<List<Object>> latest = Rows.select(warehouse, queries.get(0));
        assertThat(latest.get(0).get(1)).isEqualTo(DAY);
        assertThat(((Number) latest.get(0).get(2)).longValue()).isEqualTo(1);
        List<List<Object>> missing = Rows.select(warehouse, queries.get(1));
        assertThat(missing).hasSizeGreaterThan(300).doesNotContain(List.of(DAY)).contains(List.of(DAY.minusDays(1)));
    }
}
