package dev.claudedataingestion.analysis.spend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.cli.Main;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.Warehouses;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code claude-ingest export --format focus}: FOCUS 1.2 files from the warehouse, checked column by column. */
class FocusExportIT {

    @TempDir
    static Path shared;

    @TempDir
    Path directory;

    private static AdminApiSimulator simulator;

    /** Both APIs' reports, and the older reports alone. */
    private static Path both;
    private static Path legacy;

    @BeforeAll
    static void loadOnce() {
        simulator = TestApi.simulator(TestApi.organization(SyntheticOrganization.Size.DEMO, LocalDate.of(2025, 10, 1)));
        both = shared.resolve("both.duckdb");
        legacy = shared.resolve("legacy.duckdb");
        assertThat(TestApi.run(environment(both), TestApi.CLOCK, new String[] {"ingest"}).code()).isZero();
        assertThat(TestApi.run(environment(legacy), TestApi.CLOCK, new String[] {"ingest", "--reports", "usage,cost,dimensions"}).code()).isZero();
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    private static Map<String, String> environment(Path warehouse) {
        return TestApi.simulatorEnvironment(simulator, "2026-01-01", "duckdb:" + warehouse);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run export(Path warehouse, String... args) {
        TestApi.Ran ran = TestApi.run(environment(warehouse), TestApi.CLOCK, Stream.concat(Stream.of("export"),
                Stream.of(args)).toArray(String[]::new));
        return new Run(ran.code(), ran.out(), ran.err());
    }

    private static BigDecimal total(Path warehouse, String sql) {
        try (Warehouse opened = Warehouses.locate(Optional.of("duckdb:" + warehouse), Map.of()).open(true)) {
            Object value = Rows.select(opened, sql).get(0).get(0);
            return new BigDecimal(value.toString());
        }
    }

    @Test
    void theLastCompleteMonthKeepsEveryRuleAndItsBilledCostIsTheCostTablesToTheCent() throws Exception {
        Path csv = directory.resolve("focus.csv");
        Run run = export(both, "--out", csv.toString());

        assertThat(run.code()).as(run.err()).isZero();
        // Today is 2026-03-09: February is the last complete month.
        assertThat(run.out()).contains("2026-02-01..2026-02-28");
        FocusRules.Table table = FocusRules.read(csv);
        FocusRules.check(table);
        String february = " WHERE activity_date BETWEEN DATE '2026-02-01' AND DATE '2026-02-28'";
        assertThat(FocusRules.sum(table, "BilledCost"))
                .isEqualByComparingTo(total(both, "SELECT SUM(amount_usd) FROM claude_cost_attributed" + february));
        assertThat(FocusRules.sum(table, "ListCost"))
                .isEqualByComparingTo(total(both, "SELECT SUM(list_amount_usd) FROM claude_cost_attributed" + february));
        assertThat(table.rows()).allSatisfy(row -> assertThat(row.get("x_CostSource")).isEqualTo("analytics_cost"));
        // The simulated organization has a discount on one model, and its list price shows it.
        assertThat(table.rows()).anySatisfy(row -> assertThat(new BigDecimal(row.get("ListCost")))
                .isGreaterThan(new BigDecimal(row.get("BilledCost"))));
        // Token lines carry the tokens the usage of the same line measured; people and keys are tags.
        assertThat(table.rows()).anySatisfy(row -> {
            assertThat(row.get("PricingUnit")).isEqualTo("Tokens");
            assertThat(row.get("Tags")).contains("\"actor_type\":\"user_actor\"").contains("\"product\"");
        });
        // The organization by the name the API gives it; the API key a line was spent with as its resource; where
        // it ran; and no person's e-mail address in a file for finance tools.
        assertThat(table.rows()).allSatisfy(row -> {
            assertThat(row.get("BillingAccountName")).isEqualTo(simulator.organization().name());
            assertThat(row.get("BillingAccountType")).isEqualTo("Organization");
            assertThat(row.get("PricingCategory")).isEqualTo("Standard");
            assertThat(String.valueOf(row.get("Tags"))).doesNotContain("@");
        });
        assertThat(table.rows()).anySatisfy(row -> {
            assertThat(row.get("ResourceId")).startsWith("apikey_");
            assertThat(row.get("ResourceType")).isEqualTo("API Key");
            assertThat(row.get("ResourceName")).doesNotStartWith("apikey_");
            assertThat(row.get("Tags")).contains("\"api_key_id\":\"" + row.get("ResourceId") + "\"");
        }).anySatisfy(row -> assertThat(row.get("SubAccountType")).isEqualTo("Workspace"));
        List<Map<String, String>> outputLines = table.rows().stream()
                .filter(row -> "output_tokens".equals(row.get("SkuMeter"))).limit(40).toList();
        assertThat(outputLines).hasSize(40).allSatisfy(row -> assertThat(new BigDecimal(row.get("PricingQuantity")))
                .as(row.toString()).isEqualByComparingTo(outputTokensOfTheSameLine(row)));
        // Days younger than 30 days on the day they were fetched may still change.
        assertThat(table.rows()).anySatisfy(row -> assertThat(row.get("x_IsFinal")).isEqualTo("false"))
                .anySatisfy(row -> assertThat(row.get("x_IsFinal")).isEqualTo("true"));
        assertThat(run.err()).contains("may still revise");
    }

    /** The output tokens the attributed usage holds for the line of a FOCUS row, looked up by its tags. */
    private static BigDecimal outputTokensOfTheSameLine(Map<String, String> row) throws Exception {
        JsonNode tags = new ObjectMapper().readTree(row.get("Tags"));
        Map<String, Object> parameters = new HashMap<>(Map.of("day",
                LocalDate.parse(row.get("ChargePeriodStart").substring(0, 10)), "model", row.get("SkuId")));
        StringBuilder sql = new StringBuilder("SELECT SUM(output_tokens) AS tokens FROM claude_usage_attributed WHERE"
                + " activity_date = @day AND model = @model");
        for (String tag : List.of("actor_id", "api_key_id", "product")) {
            sql.append(" AND ").append(tag).append(tags.has(tag) ? " = @" + tag : " IS NULL");
            if (tags.has(tag)) {
                parameters.put(tag, tags.get(tag).asText());
            }
        }
        String workspace = row.get("SubAccountId");
        sql.append(workspace.equals("default") ? " AND workspace_id IS NULL" : " AND workspace_id = @workspace");
        parameters.put("workspace", workspace);
        try (Warehouse opened = Warehouses.locate(Optional.of("duckdb:" + both), Map.of()).open(true)) {
            return opened.read(sql.toString(), parameters, result -> result.decimal("tokens"))
                    .get(0);
        }
    }

    @Test
    void daysTheAnalyticsApiDoesNotHoldComeFromTheCostReportWithListCostFromTheCatalog() throws Exception {
        Path csv = directory.resolve("legacy.csv");
        Run run = export(legacy, "--out", csv.toString(), "--from", "2026-01-10", "--to", "2026-02-20");

        assertThat(run.code()).as(run.err()).isZero();
        FocusRules.Table table = FocusRules.read(csv);
        FocusRules.check(table);
        assertThat(FocusRules.sum(table, "BilledCost")).isEqualByComparingTo(total(legacy, "SELECT SUM(amount_usd)"
                + " FROM claude_costs WHERE activity_date BETWEEN DATE '2026-01-10' AND DATE '2026-02-20'"));
        PriceTable catalog = PriceTable.builtIn();
        assertThat(table.rows()).allSatisfy(row -> {
            assertThat(row.get("x_CostSource")).isEqualTo("cost");
            assertThat(row.get("Tags")).isNull();
            BigDecimal list = new BigDecimal(row.get("ListCost"));
            Optional<PriceTable.Estimate> priced = "Tokens".equals(row.get("PricingUnit"))
                    ? catalog.estimate(row.get("SkuId"), row.get("x_ServiceTier"), row.get("x_ContextWindow"),
                            row.get("x_InferenceRegion"), tokens(row.get("SkuMeter"), row.get("PricingQuantity")))
                            .filter(estimate -> !estimate.isRange())
                    : Optional.empty();
            // The cost report publishes no list price: tokens at the catalog's, else what was billed.
            assertThat(list).as("ListCost of %s", row).isEqualByComparingTo(priced.map(PriceTable.Estimate::low)
                    .orElse(new BigDecimal(row.get("BilledCost"))));
        });
        assertThat(table.rows()).anySatisfy(row -> assertThat(row.get("PricingUnit")).isEqualTo("Tokens"));
        // The cost report says where it ran: US-only inference is a region.
        assertThat(table.rows()).anySatisfy(row -> {
            assertThat(row.get("RegionId")).isEqualTo("us");
            assertThat(row.get("RegionName")).isEqualTo("United States");
        }).anySatisfy(row -> assertThat(row.get("RegionId")).isEqualTo("global"));
        // The organization's discount on Opus shows as list above billed; every other model bills at list.
        assertThat(table.rows()).anySatisfy(row -> {
            assertThat(row.get("SkuId")).contains("opus");
            assertThat(new BigDecimal(row.get("ListCost"))).isGreaterThan(new BigDecimal(row.get("BilledCost")));
        });
        assertThat(table.rows()).filteredOn(row -> !row.get("SkuId").contains("opus")).allSatisfy(row -> assertThat(
                        new BigDecimal(row.get("ListCost"))).isEqualByComparingTo(new BigDecimal(row.get("BilledCost"))));
    }

    /** {@code quantity} tokens of the cost report's {@code tokenType}. */
    private static PriceTable.Tokens tokens(String tokenType, String quantity) {
        long n = new BigDecimal(quantity).longValueExact();
        return switch (tokenType) {
            case "uncached_input_tokens" -> new PriceTable.Tokens(n, 0, 0, 0, 0);
            case "cache_creation.ephemeral_5m_input_tokens" -> new PriceTable.Tokens(0, n, 0, 0, 0);
            case "cache_creation.ephemeral_1h_input_tokens" -> new PriceTable.Tokens(0, 0, n, 0, 0);
            case "cache_read_input_tokens" -> new PriceTable.Tokens(0, 0, 0, n, 0);
            case "output_tokens" -> new PriceTable.Tokens(0, 0, 0, 0, n);
            default -> throw new AssertionError("not a token type: " + tokenType);
        };
    }

    @Test
    void tagsNameAPersonOnlyWhenAskedTo() throws Exception {
        Path csv = directory.resolve("people.csv");
        assertThat(export(both, "--out", csv.toString(), "--tags-include-people").code()).isZero();
        assertThat(FocusRules.read(csv).rows()).anySatisfy(row -> assertThat(row.get("Tags"))
                .containsPattern("\"actor_email\":\"[^\"]+@"));
    }

    @Test
    void aParquetFileHoldsTheSameRowsTyped() throws Exception {
        Path csv = directory.resolve("focus.csv");
        Path parquet = directory.resolve("focus.parquet");
        assertThat(export(both, "--out", csv.toString()).code()).isZero();
        assertThat(export(both, "--out", parquet.toString()).code()).isZero();

        List<Map<String, String>> fromParquet = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duck.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            try (ResultSet rows = statement.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + parquet + "')")) {
                while (rows.next()) {
                    types.put(rows.getString(1), rows.getString(2));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT * FROM read_parquet('" + parquet + "')")) {
                while (rows.next()) {
                    Map<String, String> row = new HashMap<>();
                    for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                        Object value = rows.getObject(i);
                        row.put(rows.getMetaData().getColumnLabel(i), value instanceof BigDecimal decimal
                                ? (decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString())
                                : value instanceof java.time.OffsetDateTime time ? time.toInstant().toString()
                                : value == null ? null : value.toString());
                    }
                    fromParquet.add(row);
                }
            }
        }
        assertThat(types).containsEntry("BilledCost", "DECIMAL(38,22)")
                .containsEntry("ChargePeriodStart", "TIMESTAMP WITH TIME ZONE")
                .containsEntry("x_IsFinal", "BOOLEAN").containsEntry("Tags", "VARCHAR");
        assertThat(fromParquet).containsExactlyInAnyOrderElementsOf(FocusRules.read(csv).rows());
    }

    @Test
    void badArgumentsExitTwoNamingTheFixAndLeaveTheFileAsItWas() throws Exception {
        Path existing = directory.resolve("kept.csv");
        Files.writeString(existing, "as it was");

        Run noRange = export(both, "--out", existing.toString(), "--from", "2026-02-01");
        Run backwards = export(both, "--out", existing.toString(), "--from", "2026-02-10", "--to", "2026-02-01");
        Run unloaded = export(both, "--out", existing.toString(), "--from", "2025-06-01", "--to", "2025-06-30");
        Run text = export(both, "--out", directory.resolve("focus.txt").toString());
        Run folder = export(both, "--out", directory.toString());
        Run format = export(both, "--out", existing.toString(), "--format", "cur");

        assertThat(List.of(noRange, backwards, unloaded, text, folder, format))
                .allSatisfy(run -> assertThat(run.code()).as(run.err()).isEqualTo(Main.BAD_CONFIGURATION));
        assertThat(noRange.err()).contains("give both --from and --to");
        assertThat(backwards.err()).contains("--to 2026-02-01 is before --from 2026-02-10");
        assertThat(unloaded.err()).contains("no cost of organization").contains("claude-ingest status");
        assertThat(text.err()).contains(".csv nor a .parquet");
        assertThat(folder.err()).contains("is a folder");
        assertThat(format.err()).contains("focus");
        assertThat(Files.readString(existing)).isEqualTo("as it was");
        assertThat(directory.resolve("focus.txt")).doesNotExist();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).containsExactly("kept.csv");
        }
    }

    @Test
    void aWarehouseNoIngestOfThisVersionOpenedSaysToRunOne() throws Exception {
        Path older = directory.resolve("older.duckdb");
        Files.copy(legacy, older);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + older);
                Statement statement = duck.createStatement()) {
            statement.execute("DROP VIEW claude_focus_cost");
        }
        Run run = export(older, "--out", directory.resolve("focus.csv").toString());

        assertThat(run.code()).isEqualTo(Main.WAREHOUSE_FAILURE);
        assertThat(run.err()).contains("no view claude_focus_cost yet: run 'claude-ingest ingest' once");
        assertThat(directory.resolve("focus.csv")).doesNotExist();
    }

    @Test
    void daysNotLoadedAreNamedAndAnExportReplacesTheFileWhole() throws Exception {
        Path csv = directory.resolve("focus.csv");
        // The warehouse starts at 2026-01-01.
        Run run = export(both, "--out", csv.toString(), "--from", "2025-12-30", "--to", "2026-01-02");
        Run again = export(both, "--out", csv.toString(), "--from", "2026-01-02", "--to", "2026-01-02");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("2 days of the range have no cost loaded").contains("2025-12-30..2025-12-31");
        assertThat(again.code()).isZero();
        assertThat(FocusRules.read(csv).rows()).isNotEmpty().allSatisfy(row -> assertThat(row.get("ChargePeriodStart"))
                .isEqualTo("2026-01-02T00:00:00Z"));
    }
}
