package dev.claudedataingestion.analysis.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each check passes on clean data from the simulator and fails on data broken to break it. */
class DataChecksIT {

    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private static final LocalDate LATEST = TestApi.YESTERDAY;

    /** The organization is deterministic: one load of it, copied for each test, serves them all. */
    private static final SyntheticOrganization ORGANIZATION = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2025, 6, 1));

    @TempDir
    static Path shared;

    @TempDir
    Path directory;

    private final SyntheticOrganization organization = ORGANIZATION;
    private static AdminApiSimulator simulator;

    @BeforeAll
    static void loadOnce() {
        simulator = TestApi.simulator(ORGANIZATION);
        ingest(shared.resolve("loaded.duckdb"), "usage,cost,claude_code,dimensions,analytics_usage,analytics_cost");
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void load() throws IOException {
        Files.copy(shared.resolve("loaded.duckdb"), directory.resolve("w.duckdb"));
    }

    private static void ingest(Path file, String reports) {
        Map<String, String> environment = TestApi.simulatorEnvironment(simulator, START.toString(), "duckdb:" + file);
        assertThat(TestApi.run(environment, TestApi.CLOCK, new String[] {"ingest", "--reports", reports}).code()).isZero();
    }

    private void ingest() {
        ingest(directory.resolve("w.duckdb"), "usage,cost,claude_code,dimensions");
    }

    private void execute(String... statements) {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + directory.resolve("w.duckdb"));
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, CheckResult> check(UnaryOperator<CheckSettings> adjust) {
        CheckSettings settings = adjust.apply(CheckSettings.defaults(START, TestApi.NOW));
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            List<DataChecks.OrganizationChecks> results = new DataChecks(warehouse, settings).run();
            assertThat(results).singleElement().extracting(DataChecks.OrganizationChecks::organizationId)
                    .isEqualTo(organization.id());
            Map<String, CheckResult> byName = new java.util.LinkedHashMap<>();
            results.get(0).results().forEach(result -> byName.put(result.check(), result));
            return byName;
        }
    }

    private Map<String, CheckResult> check() {
        return check(settings -> settings);
    }

    @Test
    void everyCheckPassesOnCleanData() {
        Map<String, CheckResult> results = check();
        assertThat(results.keySet()).containsExactly("freshness", "gaps", "duplicates", "units", "reconciliation",
                "prices", "agreement", "budget", "anomaly", "telemetry");
        assertThat(results.values()).allSatisfy(result ->
                assertThat(result.status()).as(result.check() + ": " + result.message()).isEqualTo(Status.OK));
        assertThat(results.get("reconciliation").message()).contains("Priority Tier usage of about $");
        // The analytics API rounds each row it serves; the sums differ, within what that rounding allows.
        assertThat(results.get("agreement").message()).contains("agree on 134 report-days")
                .contains("within the rounding of the amounts each serves; the largest difference: cost ")
                .containsPattern("\\(difference 0\\.0*[1-9][0-9]*, rounding allows 0\\.[0-9]+\\)");
        assertThat(results.get("freshness").message()).contains("cost through " + LATEST);
        // Every day loaded, as check --all reads them: the rounding, the discount and the default workspace's real
        // id still explain every difference.
        Map<String, CheckResult> all = check(settings -> settings.withWindowDays(Optional.empty()));
        for (String check : List.of("agreement", "reconciliation", "units", "duplicates")) {
            assertThat(all.get(check).status()).as(check + ": " + all.get(check).message()).isEqualTo(Status.OK);
        }
        // Today's models, US-only inference among them, priced as the API lists them.
        assertThat(results.get("prices").message()).contains("the catalog's prices are the API's list prices for 4"
                + " models");
    }

    /**
     * A catalog that prices a model otherwise than the API lists it (Opus 4.8 at Opus 4.1's price, as a prefix once
     * did) fails the prices check, naming the model, the ratio and since when; the catalog as published passes.
     */
    @Test
    void aModelTheApiListsAtAnotherPriceFailsThePricesCheck(@TempDir Path catalogs) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode catalog;
        try (var in = getClass().getResourceAsStream("/dev/claudedataingestion/prices.json")) {
            catalog = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(in);
        }
        for (var model : catalog.get("models")) {
            var ids = (com.fasterxml.jackson.databind.node.ArrayNode) model.get("ids");
            for (int i = ids.size() - 1; i >= 0; i--) {
                if (ids.get(i).asText().equals("claude-opus-4-8")) {
                    ids.remove(i);
                }
            }
            if (ids.toString().contains("\"claude-opus-4-1\"")) {
                ids.add("claude-opus-4-8");
            }
        }
        Path stale = catalogs.resolve("stale.json");
        json.writeValue(stale.toFile(), catalog);

        CheckResult wrong = check(s -> s.withPrices(PriceTable.fromFile(stale))).get("prices");
        assertThat(wrong.status()).isEqualTo(Status.FAIL);
        assertThat(wrong.message()).contains("1 model is listed by the API at another price").contains("--prices");
        assertThat(wrong.evidence()).singleElement().asString()
                .startsWith("claude-opus-4-8: the API lists 0.333× our price since ");
        assertThat(check(s -> s.withPrices(PriceTable.builtIn())).get("prices").status()).isEqualTo(Status.OK);
    }

    /**
     * Telemetry planted beside the bill of a final day: a person whose telemetry is the bill at list price, one whose
     * telemetry counted a request twice, and one on Bedrock whom Anthropic never bills.
     */
    @Test
    void aPersonDayWhoseTelemetryIsNotTheBillFailsTheTelemetryCheck() {
        // The final day (January's are) on which the most people were billed for Claude Code.
        String day = "DATE '" + select("SELECT activity_date FROM claude_cost_attributed WHERE product = 'claude_code'"
                + " AND actor_type = 'user_actor' AND activity_date < DATE '2026-02-01' GROUP BY activity_date"
                + " ORDER BY COUNT(DISTINCT actor_email) DESC, activity_date LIMIT 1").get(0).get(0) + "'";
        String billed = "SELECT organization_id, activity_date, LOWER(actor_email) AS email, SUM(list_amount_usd) AS usd"
                + " FROM claude_cost_attributed WHERE product = 'claude_code' AND actor_type = 'user_actor'"
                + " AND activity_date = " + day + " GROUP BY 1, 2, 3";
        List<List<Object>> people = select("SELECT email FROM (" + billed + ") b ORDER BY email");
        assertThat(people).as("people billed for Claude Code that day").hasSizeGreaterThanOrEqualTo(2);
        String twice = (String) people.get(1).get(0);
        execute("INSERT INTO claude_code_events (event_key, organization_id, event_name, event_time, activity_date,"
                        + " user_email, provider, cost_usd, attributes, received_at) SELECT 'k-' || email,"
                        + " organization_id, 'api_request', activity_date + INTERVAL 12 HOUR, activity_date, email,"
                        + " 'firstParty', CASE WHEN email = '" + twice + "' THEN usd * 2 ELSE usd END, '{}',"
                        + " activity_date + INTERVAL 13 HOUR FROM (" + billed + ") b",
                "INSERT INTO claude_code_events (event_key, organization_id, event_name, event_time, activity_date,"
                        + " user_email, provider, cost_usd, attributes, received_at) VALUES ('k-bedrock', '"
                        + organization.id() + "', 'api_request', " + day + " + INTERVAL 12 HOUR, " + day + ","
                        + " 'cloud@example.com', 'bedrock', 3.5, '{}', " + day + " + INTERVAL 13 HOUR)");

        CheckResult telemetry = check().get("telemetry");

        assertThat(telemetry.status()).as(telemetry.message()).isEqualTo(Status.FAIL);
        // The planted telemetry arrived in January, weeks before the checks run: the receiver looks stopped.
        assertThat(telemetry.message()).startsWith("1 final person-days").contains("5%")
                .contains("no telemetry has arrived since " + day.substring(6, 16) + "T13:00:00Z");
        assertThat(telemetry.evidence()).singleElement().asString().startsWith(day.substring(6, 16) + " " + twice
                + ": telemetry estimated $").contains("(difference $").endsWith(", 50%)");
        assertThat(select("SELECT person, telemetry_only, telemetry_cost_usd, telemetry_anthropic_cost_usd,"
                + " report_cost_usd IS NOT NULL, billed_list_usd IS NOT NULL, is_final FROM claude_code_by_person"
                + " WHERE activity_date = " + day + " AND telemetry_requests IS NOT NULL ORDER BY person"))
                .hasSize(people.size() + 1)
                .anySatisfy(row -> assertThat(row).containsExactly("cloud@example.com", true,
                        new java.math.BigDecimal("3.5").setScale(((java.math.BigDecimal) row.get(2)).scale()), null,
                        false, false, true))
                .allSatisfy(row -> assertThat(row.get(6)).isEqualTo(true));
    }

    private List<List<Object>> select(String sql) {
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            return dev.claudedataingestion.warehouse.Rows.select(warehouse, sql);
        }
    }

    @Test
    void theTwoApisMustAgreeAFinalDayFailsAProvisionalOneWarns() {
        // 2026-03-01 was fetched eight days after it ended: still provisional.
        execute("UPDATE claude_cost_attributed SET amount_cents = amount_cents + 1"
                + " WHERE activity_date = DATE '2026-03-01' AND token_type = 'output_tokens'");
        CheckResult provisional = check().get("agreement");
        assertThat(provisional.status()).isEqualTo(Status.WARN);
        assertThat(provisional.evidence()).singleElement().asString()
                .startsWith("cost 2026-03-01 (provisional): ").contains("cents in claude_costs, ");
        execute("UPDATE claude_usage_attributed SET output_tokens = output_tokens + 7"
                + " WHERE activity_date = DATE '2026-01-20'");
        CheckResult failed = check().get("agreement");
        assertThat(failed.status()).isEqualTo(Status.FAIL);
        assertThat(failed.evidence()).anyMatch(line -> line.startsWith("usage 2026-01-20: "));
        // A dollar more on one row of a final day is far beyond the rounding of a few thousand rows.
        execute("UPDATE claude_cost_attributed SET amount_cents = amount_cents + 100, amount_usd = amount_usd + 1"
                + " WHERE activity_date = DATE '2026-01-20' AND amount_cents = (SELECT MAX(amount_cents) FROM"
                + " claude_cost_attributed WHERE activity_date = DATE '2026-01-20')");
        assertThat(check().get("agreement").evidence()).anySatisfy(line -> assertThat(line)
                .startsWith("cost 2026-01-20: ").contains("(difference 100"));
    }

    @Test
    void aSkippedDayFailsTheGapsCheckUntilTheNextRunHealsIt() {
        execute("DELETE FROM ingestion_coverage WHERE report = 'cost' AND activity_date = DATE '2026-02-10'",
                "DELETE FROM claude_costs WHERE activity_date = DATE '2026-02-10'");
        CheckResult gaps = check().get("gaps");
        assertThat(gaps.status()).isEqualTo(Status.FAIL);
        assertThat(gaps.message()).contains("1 day never loaded").doesNotContain("2026-02-10");
        assertThat(gaps.evidence()).containsExactly("cost: 1 day never loaded: 2026-02-10");

        ingest();
        assertThat(check().get("gaps").status()).isEqualTo(Status.OK);
    }

    @Test
    void aStalledReportSaysSinceWhenAndNeverZero() {
        execute("DELETE FROM ingestion_coverage WHERE report = 'cost' AND activity_date > DATE '2026-03-04'");
        CheckResult freshness = check().get("freshness");
        assertThat(freshness.status()).isEqualTo(Status.FAIL);
        assertThat(freshness.message()).contains("cost: no data since 2026-03-04 (4 days behind 2026-03-08)")
                .doesNotContain("$");
    }

    @Test
    void aLagOfTwoDaysWarns() {
        execute("DELETE FROM ingestion_coverage WHERE report = 'usage' AND activity_date > DATE '2026-03-06'");
        assertThat(check().get("freshness").status()).isEqualTo(Status.WARN);
    }

    @Test
    void aRowCountedTwiceFailsTheDuplicatesCheck() {
        execute("INSERT INTO claude_costs SELECT * FROM claude_costs WHERE activity_date = DATE '2026-02-02' LIMIT 1");
        CheckResult duplicates = check().get("duplicates");
        assertThat(duplicates.status()).isEqualTo(Status.FAIL);
        assertThat(duplicates.evidence()).singleElement().asString().startsWith("claude_costs [2026-02-02,")
                .endsWith("appears 2 times");
    }

    @Test
    void duplicatesAndUnitErrorsAreLookedForInTheWindowUnlessEveryDayIsAskedFor() {
        execute("INSERT INTO claude_costs SELECT * FROM claude_costs WHERE activity_date = DATE '2026-01-05' LIMIT 1",
                "UPDATE claude_costs SET amount_usd = amount_cents WHERE activity_date = DATE '2026-01-06'");
        Map<String, CheckResult> recent = check(settings -> settings.withWindowDays(Optional.of(30)));
        assertThat(recent.get("duplicates").status()).isEqualTo(Status.OK);
        assertThat(recent.get("duplicates").message()).contains("over 2026-02-07.." + LATEST
                + " (the last 30 days; --all for every day)");
        assertThat(recent.get("units").status()).isEqualTo(Status.OK);

        Map<String, CheckResult> all = check(settings -> settings.withWindowDays(Optional.empty()));
        assertThat(all.get("duplicates").status()).isEqualTo(Status.FAIL);
        assertThat(all.get("duplicates").message()).containsPattern("over every day loaded, 20..-..-..\\.\\." + LATEST);
        assertThat(all.get("units").evidence()).first().asString().startsWith("claude_costs 2026-01-06");
    }

    /** Data older than the window is not "ok" over no row: the windowed checks say nothing was read, and what is. */
    @Test
    void aWindowThatHoldsNoLoadedDayWarnsAndNamesWhatAllWouldCheck() {
        execute("UPDATE claude_costs SET amount_cents = -amount_cents, amount_usd = -amount_usd"
                + " WHERE activity_date = DATE '2026-02-02'");
        Map<String, CheckResult> later = check(settings -> CheckSettings.defaults(START,
                TestApi.NOW.plus(java.time.Duration.ofDays(200))));
        for (String windowed : List.of("duplicates", "units", "agreement")) {
            assertThat(later.get(windowed).status()).as(windowed).isEqualTo(Status.WARN);
            assertThat(later.get(windowed).message()).as(windowed).startsWith("the last 90 days hold no loaded day,"
                    + " so nothing was checked; --all checks ").endsWith(".." + LATEST);
        }
        CheckResult units = check(settings -> CheckSettings.defaults(START, TestApi.NOW.plus(java.time.Duration
                .ofDays(200))).withWindowDays(Optional.empty())).get("units");
        assertThat(units.status()).isEqualTo(Status.WARN);
        assertThat(units.message()).contains("cost rows below zero");
    }

    @Test
    void costLinesThatDifferOnlyByContextWindowAreNotDuplicates() {
        execute("INSERT INTO claude_costs SELECT organization_id, activity_date, workspace_id, description, cost_type,"
                + " model, service_tier, 'a-new-window', token_type, inference_geo, currency, amount_cents, amount_usd,"
                + " ingestion_timestamp, run_id FROM claude_costs WHERE activity_date = DATE '2026-02-02'"
                + " AND context_window IS NOT NULL LIMIT 1");
        assertThat(check().get("duplicates").status()).isEqualTo(Status.OK);
    }

    @Test
    void dollarsThatAreNotCentsOverAHundredFailTheUnitsCheck() {
        execute("UPDATE claude_costs SET amount_usd = amount_cents WHERE activity_date = DATE '2026-02-03'"
                + " AND description LIKE '%Output Tokens'");
        CheckResult units = check().get("units");
        assertThat(units.status()).isEqualTo(Status.FAIL);
        assertThat(units.message()).contains("amount_usd is not amount_cents / 100");
        assertThat(units.evidence()).first().asString().startsWith("claude_costs 2026-02-03");
    }

    @Test
    void negativeTokensAndCostWithoutUsageAreCaught() {
        execute("UPDATE claude_usage SET output_tokens = -5 WHERE activity_date = DATE '2026-02-04'");
        // A correction at the source may be negative: a warning, not a failure.
        assertThat(check().get("units").status()).isEqualTo(Status.WARN);
        assertThat(check().get("units").message()).containsPattern("[0-9]+ usage rows with a token count below zero");
        execute("UPDATE claude_usage SET output_tokens = 2000000000000 WHERE activity_date = DATE '2026-02-04'");
        assertThat(check().get("units").status()).isEqualTo(Status.FAIL);
        execute("UPDATE claude_usage SET output_tokens = 5 WHERE activity_date = DATE '2026-02-04'",
                "DELETE FROM claude_usage WHERE activity_date = DATE '2026-02-05'");
        CheckResult units = check().get("units");
        assertThat(units.status()).isEqualTo(Status.WARN);
        assertThat(units.message()).contains("token cost without usage on 2026-02-05");
    }

    @Test
    void billedCostThatUsageDoesNotExplainFailsReconciliation() {
        execute("UPDATE claude_costs SET amount_cents = amount_cents * 2, amount_usd = amount_usd * 2"
                + " WHERE activity_date = DATE '2026-03-02' AND model = 'claude-opus-4-8'");
        CheckResult reconciliation = check().get("reconciliation");
        assertThat(reconciliation.status()).isEqualTo(Status.FAIL);
        assertThat(reconciliation.evidence()).isNotEmpty().allSatisfy(line ->
                assertThat(line).startsWith("2026-03-02 ").contains("claude-opus-4-8: billed $"));
        // Outside the recent days the check looks at, a difference does not count.
        execute("UPDATE claude_costs SET amount_cents = amount_cents / 2, amount_usd = amount_usd / 2"
                + " WHERE activity_date = DATE '2026-03-02' AND model = 'claude-opus-4-8'",
                "UPDATE claude_costs SET amount_cents = amount_cents * 2, amount_usd = amount_usd * 2"
                + " WHERE activity_date = DATE '2026-01-05'");
        assertThat(check().get("reconciliation").status()).isEqualTo(Status.OK);
    }

    @Test
    void theBudgetComparesMonthToDateAndTheForecast() {
        BigDecimal spent;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            spent = (BigDecimal) dev.claudedataingestion.warehouse.Rows.select(warehouse, "SELECT sum(amount_usd) FROM"
                    + " claude_costs WHERE activity_date >= DATE '2026-03-01'").get(0).get(0);
        }
        BigDecimal forecast = spent.multiply(BigDecimal.valueOf(31)).divide(BigDecimal.valueOf(8), 2,
                java.math.RoundingMode.HALF_UP);
        assertThat(check(s -> s.withBudget(Optional.of(spent.subtract(BigDecimal.ONE)))).get("budget").status())
                .isEqualTo(Status.FAIL);
        CheckResult warning = check(s -> s.withBudget(Optional.of(spent.add(BigDecimal.ONE)))).get("budget");
        assertThat(warning.status()).isEqualTo(Status.WARN);
        assertThat(warning.message()).contains("March 2026 through 2026-03-08")
                .contains("forecast $" + String.format("%,.2f", forecast));
        assertThat(check(s -> s.withBudget(Optional.of(forecast.add(BigDecimal.TEN)))).get("budget").status())
                .isEqualTo(Status.OK);
    }

    @Test
    void aDayFarAboveTheUsualIsAnAnomaly() {
        String workspace = organization.workspaces().get(0).id();
        execute("UPDATE claude_costs SET amount_cents = amount_cents * 40, amount_usd = amount_usd * 40"
                + " WHERE activity_date = DATE '2026-03-08' AND workspace_id = '" + workspace + "'");
        CheckResult anomaly = check().get("anomaly");
        assertThat(anomaly.status()).isEqualTo(Status.WARN);
        assertThat(anomaly.evidence()).singleElement().asString().startsWith(workspace + " spent $")
                .contains("on 2026-03-08 against a median of $");
    }
}
