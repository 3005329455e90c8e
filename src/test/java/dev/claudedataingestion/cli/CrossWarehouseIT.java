package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.Warehouses;
import dev.claudedataingestion.warehouse.bigquery.BigQueryFake;
import dev.claudedataingestion.warehouse.postgres.PostgresProvider;
import dev.claudedataingestion.warehouse.postgres.PostgresServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code claude-ingest ingest} against the simulator gives the same per-day totals in every warehouse. */
class CrossWarehouseIT {

    /** Per-day totals of every measure of every table, as text so that numeric types of backends compare. */
    private static final List<String> TOTALS = List.of(
            "SELECT activity_date, count(*), sum(uncached_input_tokens), sum(cache_creation_5m_input_tokens),"
                    + " sum(cache_creation_1h_input_tokens), sum(cache_read_input_tokens), sum(output_tokens),"
                    + " sum(web_search_requests) FROM claude_usage GROUP BY activity_date ORDER BY activity_date",
            "SELECT activity_date, count(*), sum(amount_cents), sum(amount_usd) FROM claude_costs"
                    + " GROUP BY activity_date ORDER BY activity_date",
            "SELECT activity_date, count(*), sum(num_sessions), sum(lines_added), sum(lines_removed), sum(commits),"
                    + " sum(pull_requests), sum(edit_tool_accepted), sum(input_tokens), sum(estimated_cost_usd)"
                    + " FROM claude_code_usage GROUP BY activity_date ORDER BY activity_date",
            "SELECT activity_date, count(*), sum(output_tokens), sum(estimated_cost_usd) FROM claude_code_model_usage"
                    + " GROUP BY activity_date ORDER BY activity_date",
            "SELECT report, activity_date, row_count FROM ingestion_coverage ORDER BY report, activity_date");

    /** The analysis views, by name. */
    private static final java.util.Set<String> VIEWS = dev.claudedataingestion.analysis.AnalysisViews.all(
            new dev.claudedataingestion.warehouse.SqlDialect() {
                @Override
                public String table(String name) {
                    return name;
                }

                @Override
                public String divide(String a, String b) {
                    return a;
                }

                @Override
                public String monthStart(String date) {
                    return date;
                }

                @Override
                public String text(String expression) {
                    return expression;
                }

                @Override
                public String utcDate(String timestamp) {
                    return timestamp;
                }

                @Override
                public String plusDays(String date, int days) {
                    return date;
                }

                @Override
                public String dayStart(String date) {
                    return date;
                }

                @Override
                public String jsonObject(Map<String, String> fields) {
                    return "NULL";
                }
            }).keySet();

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    /** What {@code check --all --format json}, {@code status} and {@code notify --dry-run} print per warehouse, for comparison. */
    private final Map<String, List<String>> reports = new HashMap<>();

    /** {@code command}, on {@code warehouseUrl} where one is given, else on the one the environment names. */
    private static String[] on(String warehouseUrl, String... command) {
        return warehouseUrl == null ? command : java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                java.util.stream.Stream.of("--warehouse", warehouseUrl)).toArray(String[]::new);
    }

    private List<List<String>> ingestAndTotal(String warehouseUrl, Map<String, String> extraEnvironment)
            throws java.io.IOException {
        Map<String, String> environment = new HashMap<>(extraEnvironment);
        environment.put("ANTHROPIC_BASE_URL", simulator.baseUrl().toString());
        environment.put("ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY);
        environment.put("ANTHROPIC_REQUESTS_PER_SECOND", "1000");
        environment.put("INGEST_START_DATE", "2026-02-01");
        assertThat(TestApi.run(environment, TestApi.CLOCK, on(warehouseUrl, "ingest")).code()).isZero();
        List<String> printed = new ArrayList<>();
        for (String[] command : List.of(new String[] {"check", "--all", "--format", "json"}, new String[] {"status"},
                new String[] {"notify", "--dry-run", "--digest", "weekly"})) {
            TestApi.Ran ran = TestApi.run(environment, TestApi.CLOCK, on(warehouseUrl, command));
            assertThat(ran.code()).as(String.join(" ", command)).isZero();
            // Status names the warehouse and lists runs with their times: keep the per-report lines, less run times.
            ran.out().lines().filter(line -> !command[0].equals("status") || line.startsWith("  ") && !line.startsWith("  20"))
                    .map(line -> line.replaceAll("; last run .*", "")).forEach(printed::add);
        }
        // The FOCUS export, line by line, in a fixed order.
        Path focus = directory.resolve("focus-" + reports.size() + ".csv");
        assertThat(TestApi.run(environment, TestApi.CLOCK, on(warehouseUrl, "export", "--out", focus.toString(), "--from", "2026-02-01", "--to", "2026-03-08")).code()).isZero();
        java.nio.file.Files.readAllLines(focus).stream().sorted().map(line -> "focus: " + line).forEach(printed::add);
        // The report's figures, all computed from the views: the same, but for when and from where it was made.
        Path report = directory.resolve("report-" + reports.size() + ".html");
        TestApi.Ran reported = TestApi.run(environment, TestApi.CLOCK, on(warehouseUrl, "report", "--out", report.toString(), "--monthly-budget", "1000"));
        assertThat(reported.code()).as(reported.err()).isZero();
        java.util.regex.Matcher data = java.util.regex.Pattern.compile(
                "(?s)<script id=\"report-data\" type=\"application/json\">(.*?)</script>")
                .matcher(java.nio.file.Files.readString(report));
        assertThat(data.find()).isTrue();
        com.fasterxml.jackson.databind.node.ObjectNode figures = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(data.group(1));
        figures.remove(List.of("generated_at", "warehouse"));
        printed.add("report: " + figures);
        reports.put(warehouseUrl == null ? "environment" : warehouseUrl, printed);
        List<List<String>> totals = new ArrayList<>();
        WarehouseLocation config = Warehouses.locate(Optional.ofNullable(warehouseUrl), environment);
        try (Warehouse warehouse = config.open(true)) {
            for (String sql : TOTALS) {
                for (List<Object> row : Rows.select(warehouse, sql)) {
                    totals.add(row.stream().map(CrossWarehouseIT::text).toList());
                }
            }
            // Every analysis view, whole, in a fixed order.
            for (String view : VIEWS) {
                List<List<String>> rows = new ArrayList<>();
                for (List<Object> row : Rows.select(warehouse, "SELECT * FROM " + view)) {
                    List<String> values = new ArrayList<>(List.of(view));
                    row.stream().map(CrossWarehouseIT::text).forEach(values::add);
                    rows.add(values);
                }
                rows.sort(java.util.Comparator.comparing(Object::toString));
                assertThat(rows).as(view + " on " + config.displayUrl()).isNotEmpty();
                totals.addAll(rows);
            }
        }
        return totals;
    }

    /**
     * The rows equal, else the first that differs, which says more than two whole lists. Numbers are equal within
     * a billionth: a ratio is a double on one warehouse and an exact decimal on another.
     */
    private static void assertSame(String warehouse, List<List<String>> actual, List<List<String>> expected) {
        assertThat(actual).as(warehouse).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            List<String> a = actual.get(i);
            List<String> e = expected.get(i);
            // Totals are exact everywhere; only the views compute ratios.
            boolean ratios = !e.isEmpty() && VIEWS.contains(e.get(0));
            boolean same = a.size() == e.size();
            for (int j = 0; same && j < a.size(); j++) {
                same = a.get(j).equals(e.get(j)) || ratios && closeNumbers(a.get(j), e.get(j));
            }
            if (!same) {
                assertThat(a).as(warehouse + " row " + i).isEqualTo(e);
            }
        }
    }

    private static boolean closeNumbers(String a, String b) {
        try {
            BigDecimal x = new BigDecimal(a);
            BigDecimal y = new BigDecimal(b);
            BigDecimal scale = x.abs().max(y.abs()).max(BigDecimal.ONE.movePointLeft(6));
            return x.subtract(y).abs().compareTo(scale.movePointLeft(9)) <= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Numbers as plain decimals, so that the types of backends compare; everything else as text. */
    private static String text(Object value) {
        BigDecimal number = value instanceof BigDecimal decimal ? decimal
                : value instanceof Double || value instanceof Float ? BigDecimal.valueOf(((Number) value).doubleValue())
                : value instanceof Number whole ? new BigDecimal(whole.toString()) : null;
        if (number != null) {
            return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
        }
        if (value instanceof String text && text.startsWith("{")) {
            // A JSON object each warehouse writes in its own way: its keys sorted, without spaces.
            try {
                com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                        .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
                return json.writeValueAsString(json.readValue(text, java.util.Map.class));
            } catch (java.io.IOException e) {
                return text;
            }
        }
        return String.valueOf(value);
    }

    @Test
    void postgresAndBigQueryHoldTheSameTotalsAsDuckDb() throws Exception {
        List<List<String>> duckDb = ingestAndTotal("duckdb:" + directory.resolve("w.duckdb"), Map.of());
        PostgresProvider.Location database = PostgresServer.newDatabase();
        List<List<String>> postgres = ingestAndTotal(database.displayUrl(), Map.of());
        List<List<String>> bigQuery;
        try (BigQueryFake fake = new BigQueryFake()) {
            bigQuery = ingestAndTotal("bigquery://test-project/ai_usage_analytics",
                    Map.of("BIGQUERY_API_URL", fake.url().toString()));
        }

        assertThat(duckDb).hasSizeGreaterThan(5 * 70);
        assertSame("PostgreSQL", postgres, duckDb);
        assertSame("BigQuery", bigQuery, duckDb);
        // check and status say the same of the same data, wherever it is.
        List<String> duckDbReports = reports.get("duckdb:" + directory.resolve("w.duckdb"));
        assertThat(String.join("\n", duckDbReports)).contains("\"status\" : \"ok\"").contains("reconciliation")
                .contains("usage           2026-02-01 to 2026-03-08");
        assertThat(duckDbReports.stream().filter(line -> line.startsWith("focus: "))).hasSizeGreaterThan(1000);
        assertThat(duckDbReports.stream().filter(line -> line.startsWith("report: "))).singleElement().asString()
                .contains("\"cube\"").contains("\"people\"");
        assertThat(reports.get(database.displayUrl())).isEqualTo(duckDbReports);
        assertThat(reports.get("bigquery://test-project/ai_usage_analytics")).isEqualTo(duckDbReports);
    }

    @Test
    void onCloudRunTheSeedVariablesSelectBigQuery() throws Exception {
        try (BigQueryFake fake = new BigQueryFake()) {
            List<List<String>> totals = ingestAndTotal(null, Map.of("BIGQUERY_PROJECT_ID", "test-project",
                    "BIGQUERY_DATASET", "usage_data", "BIGQUERY_API_URL", fake.url().toString(),
                    "CLOUD_RUN_JOB", "claude-data-ingestion"));
            assertThat(totals).isNotEmpty();
            assertThat(fake.tableNames("usage_data")).contains("claude_usage", "claude_costs", "ingestion_coverage");
        }
    }
}
