package dev.claudedataingestion.analysis.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.cli.Main;
import dev.claudedataingestion.config.Webhook;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.Warehouses;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code claude-ingest notify} against a local incoming webhook. */
class NotifyIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    @TempDir
    Path directory;

    private static AdminApiSimulator simulator;
    private final WebhookReceiver webhook = new WebhookReceiver();
    private Path warehouse;

    @BeforeAll
    static void loadOnce() {
        simulator = TestApi.simulator(TestApi.organization(SyntheticOrganization.Size.DEMO, LocalDate.of(2025, 10, 1)));
        Map<String, String> environment = TestApi.simulatorEnvironment(simulator, "2026-02-15", "duckdb:" + shared.resolve("loaded.duckdb"));
        // Both cost reports, which the digest reads; the other reports only make the checks slower.
        assertThat(TestApi.run(environment, TestApi.CLOCK, new String[] {"ingest", "--reports", "cost,analytics_cost"}).code()).isZero();
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void copy() throws Exception {
        warehouse = directory.resolve("w.duckdb");
        Files.copy(shared.resolve("loaded.duckdb"), warehouse);
    }

    @AfterEach
    void close() {
        webhook.close();
    }

    private record Run(int code, String out, String err) {
    }

    private Run notify(Map<String, String> extra, String... args) {
        return notify(TestApi.CLOCK, extra, args);
    }

    private Run notify(Clock clock, Map<String, String> extra, String... args) {
        Map<String, String> environment = new HashMap<>(Map.of("WAREHOUSE", "duckdb:" + warehouse,
                "INGEST_START_DATE", "2026-02-15", "NOTIFY_WEBHOOK_URL", webhook.url()));
        environment.putAll(extra);
        environment.values().removeIf(String::isEmpty);
        TestApi.Ran ran = TestApi.run(environment, clock, Stream.concat(Stream.of("notify"), Stream.of(args))
                .toArray(String[]::new));
        return new Run(ran.code(), ran.out(), ran.err());
    }

    private BigDecimal viewTotal(String sql, Object... parameters) {
        Map<String, Object> bound = new HashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            bound.put((String) parameters[i], parameters[i + 1]);
        }
        try (Warehouse opened = Warehouses.locate(Optional.of("duckdb:" + warehouse), Map.of()).open(true)) {
            return opened.read(sql, bound, row -> row.decimal("total")).get(0);
        }
    }

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    @Test
    void theDigestsFiguresAreTheViewsAndTheSameStateIsNeverSentTwice() throws Exception {
        Run first = notify(Map.of(), "--monthly-budget", "100000");
        Run second = notify(Map.of(), "--monthly-budget", "100000");

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("Sent to http://127.0.0.1:").contains("the daily digest of 2026-03-08")
                .doesNotContain("secret-token-42");
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("Nothing to send");
        assertThat(webhook.bodies()).hasSize(1);

        JsonNode digest = json(webhook.bodies().get(0)).get("digest");
        assertThat(digest.get("schedule").asText()).isEqualTo("daily");
        assertThat(digest.get("first_day").asText()).isEqualTo("2026-03-08");
        // Yesterday, the day before and the month to date, as the billed-cost views give them.
        String byModel = "SELECT SUM(billed_usd) AS total FROM claude_billed_cost_by_model WHERE activity_date";
        LocalDate yesterday = LocalDate.of(2026, 3, 8);
        assertThat(digest.get("spend_usd").decimalValue())
                .isEqualByComparingTo(viewTotal(byModel + " = @day", "day", yesterday));
        assertThat(digest.get("previous_spend_usd").decimalValue())
                .isEqualByComparingTo(viewTotal(byModel + " = @day", "day", yesterday.minusDays(1)));
        BigDecimal monthToDate = viewTotal(byModel + " BETWEEN @first AND @last", "first", LocalDate.of(2026, 3, 1),
                "last", yesterday);
        assertThat(digest.get("month_to_date_usd").decimalValue()).isEqualByComparingTo(monthToDate);
        assertThat(digest.get("forecast_usd").decimalValue()).isEqualByComparingTo(monthToDate
                .multiply(BigDecimal.valueOf(31)).divide(BigDecimal.valueOf(8), 2, RoundingMode.HALF_UP));
        assertThat(digest.get("budget_usd").decimalValue()).isEqualByComparingTo("100000");
        // A mover's figures are its model's in the same view.
        JsonNode model = Stream.of(digest.get("movers")).flatMap(movers -> java.util.stream.StreamSupport
                .stream(movers.spliterator(), false)).filter(m -> m.get("dimension").asText().equals("model"))
                .findFirst().orElseThrow();
        assertThat(model.get("spend_usd").decimalValue()).isEqualByComparingTo(viewTotal(byModel
                + " = @day AND model = @model", "day", yesterday, "model", model.get("name").asText()));
        assertThat(model.get("change_usd").decimalValue()).isEqualByComparingTo(model.get("spend_usd").decimalValue()
                .subtract(model.get("previous_spend_usd").decimalValue()));
    }

    @Test
    void aCheckThatChangesStateIsSentOnceEachWay() throws Exception {
        assertThat(notify(Map.of(), "--digest", "off").code()).isZero();
        Run over = notify(Map.of(), "--digest", "off", "--monthly-budget", "1");
        Run stillOver = notify(Map.of(), "--digest", "off", "--monthly-budget", "1");
        Run back = notify(Map.of(), "--digest", "off");

        assertThat(over.code()).as(over.err()).isZero();
        assertThat(stillOver.out()).contains("Nothing to send");
        int before = webhook.bodies().size() - 2;
        JsonNode overBody = json(webhook.bodies().get(before));
        assertThat(overBody.get("checks")).hasSize(1);
        assertThat(overBody.get("checks").get(0).get("check").asText()).isEqualTo("budget");
        assertThat(overBody.get("checks").get(0).get("status").asText()).isEqualTo("fail");
        assertThat(overBody.get("checks").get(0).get("previous_status").asText()).isEqualTo("ok");
        assertThat(overBody.has("digest")).isFalse();
        assertThat(back.code()).isZero();
        JsonNode backBody = json(webhook.bodies().get(before + 1));
        assertThat(backBody.get("checks").get(0).get("status").asText()).isEqualTo("ok");
        assertThat(backBody.get("checks").get(0).get("previous_status").asText()).isEqualTo("fail");
        assertThat(backBody.get("text").asText()).contains("OK budget (was fail)");
    }

    @Test
    void aWebhookThatRefusesExitsThreeWithoutItsSecretAndTheNextRunSendsTheMessage() throws Exception {
        webhook.answer(404);
        Run refused = notify(Map.of());
        webhook.answer(200);
        Run retried = notify(Map.of());

        assertThat(refused.code()).isEqualTo(Main.API_FAILURE);
        assertThat(refused.err()).contains("the webhook at http://127.0.0.1:").contains("answered 404: no_service")
                .contains("sends it again").doesNotContain("secret-token-42").doesNotContain("T000");
        // A refusal is not retried; the message waited for the next run, which sent it.
        assertThat(webhook.bodies()).hasSize(2);
        assertThat(retried.code()).as(retried.err()).isZero();
        assertThat(webhook.bodies().get(1)).isEqualTo(webhook.bodies().get(0));
    }

    @Test
    void aWebhookThatIsDownOrFailingIsTriedThreeTimesAndNeverNamedWhole() {
        Notification message = new Notification("org", List.of(), Optional.empty());
        HttpWebhook poster = new HttpWebhook(new Webhook(java.net.URI.create(webhook.url()), false),
                Duration.ofMillis(10), HttpWebhook.TIMEOUT);
        String payload = poster.payload(message);
        webhook.answer(503);
        assertThatThrownBy(() -> poster.post(payload))
                .isInstanceOf(NotifyException.class).hasMessageContaining("answered 503: no_service")
                .hasMessageNotContaining("secret-token-42");
        assertThat(webhook.bodies()).hasSize(3);
        webhook.answer(429);
        assertThatThrownBy(() -> poster.post(payload)).hasMessageContaining("answered 429");
        assertThat(webhook.bodies()).hasSize(6);

        webhook.close();
        assertThatThrownBy(() -> poster.post(payload))
                .isInstanceOf(NotifyException.class).hasMessageContaining("could not be reached (ConnectException)")
                .hasMessageNotContaining("secret-token-42")
                .satisfies(e -> assertThat(((NotifyException) e).deliveryUnknown()).isFalse());
    }

    /**
     * A webhook that reads the message and answers only after the timeout (25 s against Slack's second or two, here
     * 2 s against 1) gets exactly one copy: the run says the delivery is unknown (exit 3), records it so, and neither
     * it nor the next run sends it again; status names it, and --resend-unknown sends it once more.
     */
    @Test
    void aWebhookThatAnswersTooLateGetsOneCopyAndTheDeliveryIsRecordedAsUnknown() throws Exception {
        assertThat(notify(Map.of(), "--digest", "off").code()).isZero(); // the checks' states, announced
        HttpWebhook slow = new HttpWebhook(new Webhook(java.net.URI.create(webhook.url()), false),
                Duration.ofMillis(10), Duration.ofSeconds(1));
        webhook.answerAfter(Duration.ofSeconds(2));
        LocalDate yesterday = LocalDate.of(2026, 3, 8);
        try (Warehouse opened = Warehouses.locate(Optional.of("duckdb:" + warehouse), Map.of()).open(false)) {
            Notifier notifier = new Notifier(opened, TestApi.NOW);
            assertThatThrownBy(() -> notifier.notify(organizationId(opened), List.of(),
                    Optional.of(Digest.Schedule.DAILY), yesterday, Optional.empty(), Optional.of(slow)))
                    .isInstanceOfSatisfying(NotifyException.class, e -> assertThat(e.deliveryUnknown()).isTrue())
                    .hasMessageContaining("took the whole message but gave no answer")
                    .hasMessageContaining("--resend-unknown").hasMessageNotContaining("secret-token-42");
            assertThat(webhook.bodies()).hasSize(2);
            assertThat(notifier.unknownDeliveries(organizationId(opened))).containsExactly(TestApi.NOW);
        }
        webhook.answerAfter(Duration.ZERO);

        Run next = notify(Map.of());
        assertThat(next.code()).as(next.err()).isZero();
        assertThat(next.out()).contains("Nothing to send");
        assertThat(next.err()).contains("1 message to the webhook").contains("may not have arrived");
        assertThat(webhook.bodies()).hasSize(2);
        Run status = status();
        assertThat(status.out()).contains("1 notify message may not have arrived").contains("--resend-unknown");

        Run resent = notify(Map.of(), "--resend-unknown");
        assertThat(resent.code()).as(resent.err()).isZero();
        assertThat(resent.out()).contains("1 message whose delivery was unknown");
        assertThat(webhook.bodies()).hasSize(3);
        assertThat(webhook.bodies().get(2)).isEqualTo(webhook.bodies().get(1)).contains("\"digest\"");
        assertThat(status().out()).doesNotContain("may not have arrived");
        assertThat(notify(Map.of(), "--resend-unknown").out()).doesNotContain("Resent");
        assertThat(webhook.bodies()).hasSize(3);
    }

    private Run status() {
        TestApi.Ran ran = TestApi.run(Map.of("WAREHOUSE", "duckdb:" + warehouse, "INGEST_START_DATE", "2026-02-15"),
                TestApi.CLOCK, "status");
        assertThat(ran.code()).isZero();
        return new Run(ran.code(), ran.out(), "");
    }

    private static String organizationId(Warehouse opened) {
        return opened.coverage().get(0).organizationId();
    }

    @Test
    void slacksFormatHasTextAndAMarkdownBlockWithNamesEscaped() throws Exception {
        Run run = notify(Map.of("NOTIFY_FORMAT", "slack"), "--digest", "weekly");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode message = json(webhook.bodies().get(0));
        assertThat(message.get("text").asText()).startsWith("Claude usage of organization");
        String markdown = message.get("blocks").get(0).get("text").get("text").asText();
        assertThat(message.get("blocks").get(0).get("text").get("type").asText()).isEqualTo("mrkdwn");
        // 2026-03-09 is a Monday: the last whole week is March 2 to 8.
        assertThat(markdown).contains("*Weekly spend, 2026-03-02 to 2026-03-08*").contains("*Top movers*")
                .doesNotContain("<").doesNotContain(">");
        assertThat(message.has("digest")).as("Slack's format has no figures of its own").isFalse();
    }

    @Test
    void aDigestOfADayNotLoadedSaysItIsUnknownNotZero() throws Exception {
        // Three days later no run has loaded anything newer.
        Clock later = Clock.fixed(Instant.parse("2026-03-12T06:30:00Z"), ZoneOffset.UTC);
        Run run = notify(later, Map.of());

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode body = json(webhook.bodies().get(0));
        assertThat(body.get("digest").get("spend_usd").isNull()).isTrue();
        assertThat(body.get("digest").get("through").asText()).isEqualTo("2026-03-08");
        assertThat(body.get("text").asText()).contains("No cost is loaded for 2026-03-11 yet: its spend is unknown,"
                + " not zero");
        assertThat(body.get("checks").toString()).contains("freshness");
        // The same unknown is not sent twice; the digest goes again once its day is loaded.
        assertThat(notify(later, Map.of()).out()).contains("Nothing to send");
        assertThat(webhook.bodies()).hasSize(1);
    }

    @Test
    void aDryRunPrintsTheMessageAndRecordsNothing() throws Exception {
        // Made by a version before notify: its table comes with the first notify.
        try (java.sql.Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:" + warehouse);
                java.sql.Statement statement = duck.createStatement()) {
            statement.execute("DROP TABLE ingestion_notifications");
        }
        Run dry = notify(Map.of("NOTIFY_WEBHOOK_URL", ""), "--dry-run");
        Run real = notify(Map.of());

        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("Daily spend, 2026-03-08").contains("dry run: nothing was posted or recorded");
        assertThat(real.out()).contains("Sent to");
        assertThat(webhook.bodies()).hasSize(1);
    }

    @Test
    void aMissingOrMalformedWebhookIsAConfigurationErrorThatDoesNotEchoIt() {
        Run missing = notify(Map.of("NOTIFY_WEBHOOK_URL", ""));
        Run malformed = notify(Map.of("NOTIFY_WEBHOOK_URL", "hooks.slack.com/services/secret-token-42"));
        Run format = notify(Map.of("NOTIFY_FORMAT", "teams"));

        assertThat(missing.code()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(missing.err()).contains("NOTIFY_WEBHOOK_URL is not set");
        assertThat(malformed.code()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(malformed.err()).contains("is not an http(s) URL").doesNotContain("secret-token-42");
        assertThat(format.code()).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(format.err()).contains("NOTIFY_FORMAT 'teams' is neither slack nor json");
        assertThat(webhook.bodies()).isEmpty();
    }
}
