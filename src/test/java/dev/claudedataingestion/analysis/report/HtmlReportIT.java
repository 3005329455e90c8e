package dev.claudedataingestion.analysis.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.cli.Main;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Rows;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report, opened from a file in a real headless Chromium (installed by .ci/run). */
class HtmlReportIT {

    @TempDir
    static Path shared;

    @TempDir
    Path directory;

    private static AdminApiSimulator simulator;
    private Map<String, String> environment;

    /** Loads the data once; each test works on its own copy. */
    @BeforeAll
    static void loadOnce() {
        simulator = TestApi.simulator(TestApi.organization(SyntheticOrganization.Size.DEMO, LocalDate.of(2025, 10, 1)));
        // The page draws the older reports' views.
        assertThat(TestApi.run(environment(shared.resolve("loaded.duckdb")), TestApi.CLOCK, new String[] {"ingest", "--reports", "usage,cost,claude_code,dimensions"}).code()).isZero();
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void load() throws java.io.IOException {
        Files.copy(shared.resolve("loaded.duckdb"), directory.resolve("w.duckdb"));
        environment = environment(directory.resolve("w.duckdb"));
    }

    private static Map<String, String> environment(Path warehouse) {
        return TestApi.simulatorEnvironment(simulator, "2025-12-01", "duckdb:" + warehouse);
    }

    private int run(Clock clock, String... args) {
        return TestApi.run(environment, clock, args).code();
    }

    /** The page's DOM after its script ran, and what Chromium printed. */
    private record Page(String dom, String log) {
    }

    private Page open(Path html) throws Exception {
        return open(html.toUri().toString());
    }

    private Page open(String url) throws Exception {
        assumeTrue(TestApi.onPath("chromium"), "Debian chromium is not installed here (.ci/run installs it)");
        Path profile = Files.createTempDirectory(directory, "chromium-");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--virtual-time-budget=5000", "--dump-dom", url));
        Process chromium = new ProcessBuilder(command).start();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                chromium.getErrorStream().transferTo(log);
            } catch (java.io.IOException e) {
                // Chromium went away.
            }
        });
        drain.start();
        String dom = new String(chromium.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).isTrue();
        drain.join(5000);
        return new Page(dom, log.toString(StandardCharsets.UTF_8));
    }

    private static String text(String dom, String id) {
        Matcher matcher = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        assertThat(matcher.find()).as("element #" + id).isTrue();
        return matcher.group(1);
    }

    private static long count(String dom, String pattern) {
        return Pattern.compile(pattern).matcher(dom).results().count();
    }

    @Test
    void opensOfflineDrawsItsChartsWithoutErrorsAndShowsTheWarehousesTotal() throws Exception {
        Path html = directory.resolve("report.html");
        assertThat(run(TestApi.CLOCK, "report", "--out", html.toString())).isZero();
        String source = Files.readString(html);
        // Self-contained: nothing to fetch when the file is opened.
        assertThat(source).doesNotContain("<link").doesNotContain(" src=").doesNotContain("@import")
                .doesNotContain("fetch(");
        assertThat(source.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://");

        Page page = open(html);
        assertThat(page.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        assertThat(page.log()).doesNotContain("Uncaught").doesNotContain(":CONSOLE");
        assertThat(count(page.dom(), "<rect [^>]*class=\"bar[ \"]")).isGreaterThan(90 + 10);
        // Fetched on 2026-03-09, the days from 2026-02-07 may still be revised: shaded in each of the three charts
        // of days, their bars drawn lighter.
        assertThat(count(page.dom(), "<rect [^>]*class=\"provisional\"")).isEqualTo(3 * 30);
        assertThat(count(page.dom(), "<rect [^>]*class=\"bar provisional-bar\"")).isGreaterThanOrEqualTo(30);
        assertThat(count(page.dom(), "<path [^>]*class=\"line\"")).isEqualTo(5);

        BigDecimal total;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            total = (BigDecimal) Rows.select(warehouse, "SELECT sum(cost_usd) FROM claude_cost_daily WHERE"
                    + " activity_date >= DATE '2025-12-09' AND activity_date <= DATE '2026-03-08'").get(0).get(0);
        }
        assertThat(text(page.dom(), "total-cost")).isEqualTo("$" + String.format("%,.2f",
                total.setScale(2, RoundingMode.HALF_EVEN)));
        assertThat(text(page.dom(), "subtitle")).startsWith("2025-12-09 to 2026-03-08");
        assertThat(text(page.dom(), "freshness")).startsWith("Data through 2026-03-08")
                .contains("30 days are provisional (shaded, from 2026-02-07)");
        // Names, not ids, in what the page shows (the embedded data keys series by id).
        String shown = page.dom().replaceAll("(?s)<script.*?</script>", "");
        // The default workspace is one series, by the name the API lists it under, on the days of either cost report.
        assertThat(shown).doesNotContain("wrkspc_").doesNotContain(">apikey_").contains("Default Workspace")
                .doesNotContain("Default workspace");
    }

    /**
     * Claude Code by person: a person whom the Claude Code report knows, with telemetry beside it, and one on another
     * cloud, known to telemetry alone, whose address is anyone's text.
     */
    @Test
    void claudeCodeByPersonShowsTelemetryBesideTheReportAndNamesWhoIsOnlyInTelemetry() throws Exception {
        String known;
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:"
                + directory.resolve("w.duckdb")); java.sql.Statement statement = connection.createStatement()) {
            try (java.sql.ResultSet rows = statement.executeQuery("SELECT actor_email FROM claude_code_usage WHERE"
                    + " actor_type = 'user_actor' AND activity_date = DATE '2026-03-01' ORDER BY 1 LIMIT 1")) {
                assertThat(rows.next()).isTrue();
                known = rows.getString(1);
            }
            statement.execute("INSERT INTO claude_code_events (event_key, organization_id, event_name, event_time,"
                    + " activity_date, user_email, provider, cost_usd, attributes, received_at) SELECT k,"
                    + " organization_id, 'api_request', TIMESTAMP '2026-03-01 10:00:00', DATE '2026-03-01', email,"
                    + " provider, cost, '{}', TIMESTAMP '2026-03-01 10:01:00'"
                    + " FROM (SELECT DISTINCT organization_id FROM claude_costs) o,"
                    + " (VALUES ('k1', '" + known + "', 'firstParty', 1.25),"
                    + " ('k2', '<b>cloud</b>@example.com', 'bedrock', 4500)) t(k, email, provider, cost)");
        }
        Path html = directory.resolve("report.html");
        assertThat(run(TestApi.CLOCK, "report", "--out", html.toString())).isZero();

        Page page = open(html);
        assertThat(page.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        Matcher card = Pattern.compile("(?s)id=\"chart-code-people\">(.*?)</table>").matcher(page.dom());
        assertThat(card.find()).isTrue();
        // The most spent first; a dash where a source has nothing for the person (this warehouse has no bill).
        assertThat(card.group(1)).containsPattern("<tbody><tr><td class=\"name\" title=\"[^\"]*\">"
                + "&lt;b&gt;cloud&lt;/b&gt;@example.com \\(telemetry only\\)</td><td class=\"num\">\\$4,500.00</td>"
                + "<td class=\"num\">—</td>")
                .contains(">" + known.toLowerCase(java.util.Locale.ROOT) + "<").contains(">$1.25<")
                .doesNotContain("<b>cloud").doesNotContain("$0.00");
        assertThat(page.dom()).containsPattern("id=\"csv-code-people\"><a class=\"csv\""
                + " download=\"claude-code-by-person.csv\"");
    }

    @Test
    void hostileNamesAreShownAsTextAndKeepTheirSeries() throws Exception {
        // Workspace names are anyone's text: one that an HTML parser acts on, one that a JavaScript object swallows.
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:"
                + directory.resolve("w.duckdb")); java.sql.Statement statement = connection.createStatement()) {
            List<String> ids = new ArrayList<>();
            try (java.sql.ResultSet rows = statement.executeQuery("SELECT DISTINCT workspace_id FROM claude_costs"
                    + " WHERE workspace_id IS NOT NULL ORDER BY 1")) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            statement.execute("UPDATE claude_workspaces SET name = '<!--<script>' WHERE workspace_id = '" + ids.get(0) + "'");
            statement.execute("UPDATE claude_workspaces SET name = '__proto__' WHERE workspace_id = '" + ids.get(1) + "'");
        }
        Path html = directory.resolve("report.html");
        assertThat(run(TestApi.CLOCK, "report", "--out", html.toString())).isZero();
        assertThat(Files.readString(html)).doesNotContain("<!--<script>");

        Page page = open(html);
        assertThat(page.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        assertThat(page.dom()).contains(">&lt;!--&lt;script&gt;<").contains(">__proto__<");
        // Every workspace with spend is still a series of the daily-cost chart.
        long legend = Pattern.compile("<div class=\"legend\">(.*?)</div>").matcher(page.dom()).results().findFirst()
                .map(m -> Pattern.compile("<span").matcher(m.group(1)).results().count()).orElse(0L);
        long workspaces;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            workspaces = (Long) Rows.select(warehouse, "SELECT count(DISTINCT coalesce(workspace_id, '')) FROM"
                    + " claude_cost_daily WHERE activity_date >= DATE '2025-12-09'").get(0).get(0);
        }
        assertThat(legend).isEqualTo(workspaces);
    }

    @Test
    void aStalledSourceIsShownAsStaleNotAsZero() throws Exception {
        Path html = directory.resolve("stale.html");
        Clock weekLater = Clock.offset(TestApi.CLOCK, Duration.ofDays(7));
        assertThat(run(weekLater, "report", "--out", html.toString())).isZero();
        Page page = open(html);
        assertThat(page.dom()).contains("class=\"banner stale\"");
        assertThat(text(page.dom(), "freshness")).contains("no cost data since 2026-03-08")
                .contains("missing, not zero");
    }

    @Test
    void daysNeverLoadedAreGapsInEveryChartAndARangeWithoutDataIsRefused() throws Exception {
        // January goes missing from every report: it was never loaded.
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:"
                + directory.resolve("w.duckdb")); java.sql.Statement statement = connection.createStatement()) {
            for (String table : List.of("ingestion_coverage", "claude_usage", "claude_costs", "claude_code_usage",
                    "claude_code_model_usage")) {
                statement.execute("DELETE FROM " + table + " WHERE activity_date BETWEEN DATE '2026-01-01'"
                        + " AND DATE '2026-01-31'");
            }
        }
        Path html = directory.resolve("gaps.html");
        assertThat(run(TestApi.CLOCK, "report", "--out", html.toString())).isZero();
        Page page = open(html);
        assertThat(page.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        // 31 days in each of the three charts of days; no bar on them, and each line broken around them.
        assertThat(count(page.dom(), "<rect [^>]*class=\"gap\"")).isEqualTo(3 * 31);
        assertThat(Pattern.compile("<path [^>]*d=\"(M[^\"]*)\"[^>]*class=\"line\"").matcher(page.dom()).results()
                .map(m -> m.group(1).chars().filter(c -> c == 'M').count())).hasSize(5).allMatch(moves -> moves == 2);
        assertThat(Pattern.compile("<rect [^>]*class=\"bar[ \"][^>]*>\\s*<title>2026-01-").matcher(page.dom())
                .find()).isFalse();
        assertThat(text(page.dom(), "freshness")).contains("Not loaded, drawn as gaps, not zeros:")
                .contains("cost 2026-01-01..2026-01-31");

        // A range with no loaded day, in the past or the future, is refused, naming what is loaded.
        for (String[] range : List.of(new String[] {"2026-01-05", "2026-01-20"},
                new String[] {"2026-06-01", "2026-06-30"})) {
            TestApi.Ran ran = TestApi.run(environment, TestApi.CLOCK, "report", "--from", range[0], "--to", range[1],
                    "--out", directory.resolve("none.html").toString());
            assertThat(ran.code()).isEqualTo(Main.BAD_CONFIGURATION);
            assertThat(ran.err()).contains("no data").contains("2025-12-01 to 2026-03-08");
        }
        assertThat(Files.exists(directory.resolve("none.html"))).isFalse();
    }

    /** A sum of the warehouse's, as the page shows money. */
    private BigDecimal sum(String sql) {
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            Object value = Rows.select(warehouse, sql).get(0).get(0);
            return value == null ? BigDecimal.ZERO : new BigDecimal(value.toString());
        }
    }

    private static String money(BigDecimal amount) {
        return "$" + String.format("%,.2f", amount.setScale(2, RoundingMode.HALF_EVEN));
    }

    /** The rows of the CSV file a table's download link holds. */
    private static List<List<String>> csv(String dom, String file) {
        Matcher link = Pattern.compile("<a class=\"csv\" download=\"" + Pattern.quote(file)
                + "\" href=\"data:text/csv;charset=utf-8,([^\"]*)\"").matcher(dom);
        assertThat(link.find()).as("the download link of " + file).isTrue();
        String text = java.net.URLDecoder.decode(link.group(1).replace("+", "%2B"), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\r\n");
        return text.lines().map(line -> List.of(line.split(",", -1))).toList();
    }

    @Test
    void theTilesAreTheWarehousesFiguresAndFiltersAndDownloadsFollowThePage() throws Exception {
        // The people and products come from the analytics cost report, loaded from January on.
        assertThat(run(TestApi.CLOCK, "ingest", "--reports", "analytics_cost", "--from", "2026-01-01", "--to",
                "2026-03-08")).isZero();
        Path html = directory.resolve("tiles.html");
        assertThat(run(TestApi.CLOCK, "report", "--out", html.toString(), "--monthly-budget", "1000")).isZero();
        String focus = "SELECT SUM(\"BilledCost\") FROM claude_focus_cost WHERE \"ChargePeriodStart\" >= TIMESTAMP '%s'"
                + " AND \"ChargePeriodStart\" < TIMESTAMP '%s'";

        Page page = open(html);
        assertThat(page.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        assertThat(text(page.dom(), "total-cost")).isEqualTo(money(sum(focus.formatted("2025-12-09", "2026-03-09"))));
        // The 90 days before began before the first day loaded.
        assertThat(text(page.dom(), "total-cost-change")).contains("not all loaded: no comparison");
        BigDecimal march = sum(focus.formatted("2026-03-01", "2026-03-09"));
        assertThat(text(page.dom(), "month-spent")).isEqualTo(money(march));
        assertThat(text(page.dom(), "month-forecast")).isEqualTo("through 2026-03-08; forecast "
                + money(march.multiply(BigDecimal.valueOf(31)).divide(BigDecimal.valueOf(8), 2, RoundingMode.HALF_UP))
                + " by month end of a $1,000.00 budget, over");
        assertThat(count(page.dom(), "<line [^>]*class=\"budget\"")).isEqualTo(1);
        assertThat(count(page.dom(), "<line [^>]*class=\"forecast\"")).isEqualTo(1);
        // Cache reads priced as input less priced as cache reads, at each model's list prices (the built-in
        // catalog): batch halves both, the 1M context window doubles both.
        BigDecimal savings = BigDecimal.ZERO;
        PriceTable prices = PriceTable
                .builtIn();
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            for (List<Object> row : Rows.select(warehouse, "SELECT \"SkuId\", \"x_ServiceTier\", \"x_ContextWindow\","
                    + " \"PricingQuantity\" FROM claude_focus_cost WHERE \"SkuMeter\" ="
                    + " 'cache_read_input_tokens' AND \"PricingUnit\" = 'Tokens' AND \"ChargePeriodStart\""
                    + " >= TIMESTAMP '2025-12-09'")) {
                var list = prices.listPrices((String) row.get(0)).orElseThrow();
                BigDecimal perToken = list.input().subtract(list.cacheRead())
                        .multiply("batch".equals(row.get(1)) ? new BigDecimal("0.5") : BigDecimal.ONE)
                        .multiply("200k-1M".equals(row.get(2)) ? BigDecimal.valueOf(2) : BigDecimal.ONE);
                savings = savings.add(perToken.multiply(new BigDecimal(row.get(3).toString()))
                        .divide(BigDecimal.valueOf(1_000_000)));
            }
        }
        assertThat(savings.signum()).isPositive();
        assertThat(text(page.dom(), "cache-savings")).isEqualTo(money(savings));
        // Per person, from the attributed views, apart from the keys and workloads; the two downloads add up to the
        // analytics cost of the days.
        List<List<String>> people = csv(page.dom(), "cost-by-person.csv");
        List<List<String>> workloads = csv(page.dom(), "cost-by-workload.csv");
        assertThat(people.get(0)).containsExactly("person", "billed_usd");
        assertThat(Stream.concat(people.stream().skip(1), workloads.stream().skip(1)).map(row -> new BigDecimal(row
                .get(row.size() - 1))).reduce(BigDecimal.ZERO, BigDecimal::add)).isCloseTo(sum("SELECT SUM(billed_usd)"
                + " FROM claude_billed_cost_by_actor WHERE activity_date >= DATE '2025-12-09'"),
                org.assertj.core.data.Offset.offset(new BigDecimal("0.0001")));
        assertThat(people.subList(1, people.size())).isNotEmpty().allSatisfy(row -> assertThat(row.get(0))
                .doesNotStartWith("svcacct_").doesNotStartWith("arn:").doesNotStartWith("key-")
                .doesNotStartWith("repo:"));
        assertThat(workloads.subList(1, workloads.size())).anySatisfy(row -> assertThat(row.get(0)).startsWith("key-"));
        // API keys by billed cost, with their tokens beside.
        List<List<String>> keys = csv(page.dom(), "api-keys.csv");
        assertThat(keys.get(0)).containsExactly("api_key", "billed_usd", "tokens");
        List<BigDecimal> keyBilled = keys.stream().skip(1).map(row -> new BigDecimal(row.get(1))).toList();
        assertThat(keyBilled).isNotEmpty().isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(keys.stream().skip(1)).allSatisfy(row -> assertThat(Double.parseDouble(row.get(2))).isPositive());
        // Month by month, every month loaded, newest first.
        List<List<String>> months = csv(page.dom(), "months.csv");
        assertThat(months.get(1).get(0)).isEqualTo("March 2026 (partial)");
        assertThat(new BigDecimal(months.get(1).get(1))).isCloseTo(march, org.assertj.core.data.Offset.offset(
                new BigDecimal("0.000001")));
        assertThat(months.stream().skip(1).map(row -> row.get(0))).contains("February 2026");
        // This month is drawn beside the one before it.
        assertThat(count(page.dom(), "<path [^>]*class=\"month-previous\"")).isEqualTo(1);
        assertThat(csv(page.dom(), "cost-by-product.csv")).hasSizeGreaterThan(2);

        // A shared address: the last 30 days of one workspace and one model.
        List<Object> largest;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            largest = Rows.select(warehouse, "SELECT \"SubAccountId\", \"SkuId\" FROM claude_focus_cost GROUP BY 1, 2"
                    + " ORDER BY SUM(\"BilledCost\") DESC LIMIT 1").get(0);
        }
        String filter = " AND \"SubAccountId\" = '" + largest.get(0) + "' AND \"SkuId\" = '" + largest.get(1) + "'";
        Page filtered = open(html.toUri() + "#period=30&workspace=" + largest.get(0) + "&model=" + largest.get(1));
        assertThat(filtered.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        assertThat(text(filtered.dom(), "total-cost")).isEqualTo(money(sum(focus.formatted("2026-02-07", "2026-03-09")
                + filter)));
        BigDecimal previous = sum(focus.formatted("2026-01-08", "2026-02-07") + filter);
        assertThat(text(filtered.dom(), "total-cost-change")).endsWith("% on the 30 days before ("
                + money(previous) + ")");
        List<List<String>> meters = csv(filtered.dom(), "cost-by-token-type.csv");
        for (List<String> meter : meters.subList(1, meters.size())) {
            assertThat(new BigDecimal(meter.get(1))).as(meter.get(0)).isCloseTo(sum(focus.formatted("2026-02-07",
                    "2026-03-09") + filter + " AND \"SkuMeter\" = '" + meter.get(0) + "'"),
                    org.assertj.core.data.Offset.offset(new BigDecimal("0.000001")));
        }
        assertThat(meters).hasSizeGreaterThan(3);
    }

    /** On the 5th of a month, a straight line would be drawn from five days: the page says so and draws none. */
    @Test
    void noForecastFromFewerThanSevenDays() throws Exception {
        Path html = directory.resolve("early.html");
        assertThat(run(TestApi.CLOCK, "report", "--from", "2026-02-01", "--to", "2026-03-05", "--out",
                html.toString())).isZero();
        Page page = open(html);
        assertThat(page.dom()).contains("data-ready=\"true\"").doesNotContain("data-errors");
        assertThat(text(page.dom(), "month-forecast")).isEqualTo("through 2026-03-05; a forecast from day 7 on");
        assertThat(count(page.dom(), "<line [^>]*class=\"forecast\"")).isZero();
        assertThat(page.dom()).contains("No forecast yet: a straight line drawn from 5 days");
        // Its five days are marked one by one beside February's whole month.
        assertThat(count(page.dom(), "<circle ")).isEqualTo(5);
        assertThat(count(page.dom(), "<path [^>]*class=\"month-previous\"")).isEqualTo(1);
    }

    /** A model the catalog has no price for is named as left out of the cache savings, never priced at zero. */
    @Test
    void cacheSavingsNameTheModelsTheCatalogCannotPrice() throws Exception {
        Path catalog = TestApi.sonnetOnlyCatalog(directory);
        Path html = directory.resolve("sonnet-only.html");
        assertThat(run(TestApi.CLOCK, "report", "--out", html.toString(), "--prices", catalog.toString())).isZero();
        Matcher data = Pattern.compile("(?s)<script id=\"report-data\" type=\"application/json\">(.*?)</script>")
                .matcher(Files.readString(html));
        assertThat(data.find()).isTrue();
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(data.group(1));
        List<String> unpriced = new java.util.ArrayList<>();
        report.get("tiles").get("cache_savings_unpriced").forEach(model -> unpriced.add(model.asText()));
        assertThat(unpriced).contains("claude-opus-4-8").noneMatch(model -> model.startsWith("claude-sonnet-4-5"));
        assertThat(report.get("prices").asText()).isEqualTo("sonnet-only (a test)");
    }

    @Test
    void theKeysAreThoseOfTheReportsDays() throws Exception {
        Path html = directory.resolve("three-days.html");
        assertThat(run(TestApi.CLOCK, "report", "--from", "2026-03-06", "--to", "2026-03-08", "--out",
                html.toString())).isZero();
        Matcher data = Pattern.compile("(?s)<script id=\"report-data\" type=\"application/json\">(.*?)</script>")
                .matcher(Files.readString(html));
        assertThat(data.find()).isTrue();
        com.fasterxml.jackson.databind.JsonNode keys = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(data.group(1)).get("keys");
        List<Long> tokens = new java.util.ArrayList<>();
        keys.get("rows").forEach(row -> tokens.add(row.get(2).asLong()));
        long expected;
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(directory.resolve("w.duckdb"), true)) {
            expected = ((Number) Rows.select(warehouse, "SELECT sum(uncached_input_tokens + cache_write_tokens"
                    + " + cache_read_tokens + output_tokens) AS t FROM claude_tokens_daily WHERE activity_date"
                    + " BETWEEN DATE '2026-03-06' AND DATE '2026-03-08' GROUP BY api_key_id ORDER BY t DESC LIMIT 1")
                    .get(0).get(0)).longValue();
        }
        assertThat(tokens).contains(expected);
        // Without the analytics cost report, keys are ranked by tokens, and the page says why.
        if (!keys.get("billed").asBoolean()) {
            assertThat(tokens.get(0)).isEqualTo(expected);
        }
    }
}
