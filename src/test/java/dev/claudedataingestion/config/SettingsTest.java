package dev.claudedataingestion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.SafeText;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins every configuration variable and its default, as docs/configuration.md states them. */
class SettingsTest {

    private static final LocalDate YESTERDAY = LocalDate.of(2026, 3, 8);
    private static final String KEY = "sk-ant-admin01-settings";

    @TempDir
    Path directory;

    @Test
    void defaults() {
        Settings settings = new Settings(Map.of(Settings.ADMIN_KEY, KEY));
        ApiConfig api = settings.api("1.0", false);
        assertThat(api.baseUrl()).isEqualTo(URI.create("https://api.anthropic.com"));
        assertThat(api.organizationId()).isEmpty();
        assertThat(api.requestsPerSecond()).isEqualTo(2.0);
        assertThat(api.userAgent()).isEqualTo("claude-data-ingestion/1.0");
        assertThat(settings.warehouseUrl(null)).isEmpty();
        IngestConfig ingest = settings.ingest(null, null, null, null, null, YESTERDAY);
        assertThat(ingest.startDate()).isEqualTo(LocalDate.of(2025, 1, 1));
        assertThat(ingest.lookbackDays()).isEqualTo(30);
        assertThat(ingest.reports()).containsExactlyInAnyOrder(ReportKind.USAGE, ReportKind.COST, ReportKind.CLAUDE_CODE,
                ReportKind.ANALYTICS_USAGE, ReportKind.ANALYTICS_COST);
        assertThat(ingest.dimensions()).isTrue();
        assertThat(ingest.explicitDays()).isEmpty();
        assertThat(ingest.deadline()).isEmpty();
        assertThat(ingest.spoolLimit()).isEqualTo(128_000_000L);
        assertThat(settings.personalDataRetentionDays()).isEmpty();
        assertThat(new Settings(Map.of(Settings.PERSONAL_DATA_RETENTION_DAYS, "400")).personalDataRetentionDays())
                .contains(400);
        assertThatThrownBy(() -> new Settings(Map.of(Settings.PERSONAL_DATA_RETENTION_DAYS, "0"))
                .personalDataRetentionDays()).hasMessageContaining("PERSONAL_DATA_RETENTION_DAYS '0'");
    }

    @Test
    void everyVariableIsRead() {
        Settings settings = new Settings(Map.of(
                Settings.ADMIN_KEY, "  " + KEY + "\n",
                Settings.ORGANIZATION_ID, "org-1",
                Settings.BASE_URL, "http://127.0.0.1:9999/",
                Settings.REQUESTS_PER_SECOND, "0.5",
                Settings.WAREHOUSE, "duckdb:/data/usage.duckdb",
                Settings.START_DATE, "2024-06-01",
                Settings.LOOKBACK_DAYS, "7",
                Settings.SPOOL_LIMIT, "512MB",
                Settings.CLOUD_RUN_JOB, "claude-data-ingestion"));
        ApiConfig api = settings.api("1.0", false);
        assertThat(api.key().reveal()).isEqualTo(KEY);
        assertThat(api.organizationId()).contains("org-1");
        assertThat(api.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:9999"));
        assertThat(api.requestsPerSecond()).isEqualTo(0.5);
        assertThat(settings.warehouseUrl(null)).contains("duckdb:/data/usage.duckdb");
        IngestConfig ingest = settings.ingest(null, null, null, null, null, YESTERDAY);
        assertThat(ingest.startDate()).isEqualTo(LocalDate.of(2024, 6, 1));
        assertThat(ingest.lookbackDays()).isEqualTo(7);
        assertThat(ingest.deadline()).contains(Duration.ofMinutes(12));
        assertThat(ingest.spoolLimit()).isEqualTo(512_000_000L);
    }

    @Test
    void theNotifyWebhookIsSlacksForSlacksHostAndNeverShown() {
        Webhook slack = new Settings(Map.of(Settings.NOTIFY_WEBHOOK_URL,
                " https://hooks.slack.com/services/T0/B0/secret-token\n")).webhook();
        Webhook other = new Settings(Map.of(Settings.NOTIFY_WEBHOOK_URL, "https://chat.example.com:8443/hook/secret"))
                .webhook();
        Webhook forced = new Settings(Map.of(Settings.NOTIFY_WEBHOOK_URL, "http://127.0.0.1:9/x",
                Settings.NOTIFY_FORMAT, "slack")).webhook();

        assertThat(slack.slack()).isTrue();
        assertThat(slack.display()).isEqualTo("https://hooks.slack.com/…").isEqualTo(slack.toString());
        assertThat(other.slack()).isFalse();
        assertThat(other.display()).isEqualTo("https://chat.example.com:8443/…");
        assertThat(forced.slack()).isTrue();
        assertThatThrownBy(() -> new Settings(Map.of()).webhook()).hasMessageContaining("NOTIFY_WEBHOOK_URL is not set");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.NOTIFY_WEBHOOK_URL, "ftp://host/secret-token")).webhook())
                .hasMessageContaining("not an http(s) URL").hasMessageNotContaining("secret-token");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.NOTIFY_WEBHOOK_URL, "https://h/x",
                Settings.NOTIFY_FORMAT, "teams")).webhook()).hasMessageContaining("'teams' is neither slack nor json");
    }

    @Test
    void flagsOverrideVariables() {
        Settings settings = new Settings(Map.of(Settings.LOOKBACK_DAYS, "7", Settings.WAREHOUSE, "duckdb:a.duckdb",
                Settings.CLOUD_RUN_JOB, "job"));
        IngestConfig ingest = settings.ingest(LocalDate.of(2026, 3, 1), null, 1, "cost,usage", "90s", YESTERDAY);
        assertThat(ingest.lookbackDays()).isEqualTo(1);
        assertThat(ingest.reports()).containsExactlyInAnyOrder(ReportKind.COST, ReportKind.USAGE);
        assertThat(ingest.deadline()).contains(Duration.ofSeconds(90));
        assertThat(ingest.explicitDays()).contains(DayRange.of(LocalDate.of(2026, 3, 1), YESTERDAY));
        assertThat(settings.warehouseUrl("duckdb:b.duckdb")).contains("duckdb:b.duckdb");
        assertThat(settings.warehouseUrl(" ")).contains("duckdb:a.duckdb");
    }

    @Test
    void theKeyComesFromAFileWhenAsked() throws Exception {
        Path file = directory.resolve("key");
        Files.writeString(file, KEY + "\n");
        assertThat(new Settings(Map.of(Settings.ADMIN_KEY_FILE, file.toString())).api("1", false).key().reveal())
                .isEqualTo(KEY);
        assertThatThrownBy(() -> new Settings(Map.of(Settings.ADMIN_KEY_FILE, file.toString(), Settings.ADMIN_KEY, KEY))
                .api("1", false)).isInstanceOf(ConfigException.class).hasMessageContaining("set only one");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.ADMIN_KEY_FILE, directory.resolve("nope").toString()))
                .api("1", false)).isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    }

    @Test
    void wrongKeysAreRefusedWithoutShowingThem() {
        String apiKey = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789";
        assertThatThrownBy(() -> new Settings(Map.of(Settings.ADMIN_KEY, apiKey)).api("1", false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("need an Admin key")
                .hasMessageNotContaining(apiKey);
        assertThatThrownBy(() -> new Settings(Map.of(Settings.ADMIN_KEY, "hunter2")).api("1", false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not an Anthropic Admin key")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new Settings(Map.of()).api("1", false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ANTHROPIC_ADMIN_API_KEY is not set");
        assertThat(AdminKey.parse(KEY, "x").toString()).doesNotContain("settings");
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> new Settings(Map.of(Settings.START_DATE, "2025-13-01")).startDate())
                .hasMessageContaining("INGEST_START_DATE");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.LOOKBACK_DAYS, "-1"))
                .ingest(null, null, null, null, null, YESTERDAY)).hasMessageContaining("INGEST_LOOKBACK_DAYS");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.ADMIN_KEY, KEY, Settings.BASE_URL, "ftp://x")).api("1", false))
                .hasMessageContaining("ANTHROPIC_BASE_URL");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.ADMIN_KEY, KEY, Settings.REQUESTS_PER_SECOND, "0"))
                .api("1", false)).hasMessageContaining("ANTHROPIC_REQUESTS_PER_SECOND");
        assertThatThrownBy(() -> new Settings(Map.of()).ingest(null, YESTERDAY, null, null, null, YESTERDAY))
                .hasMessageContaining("--to needs --from");
        assertThatThrownBy(() -> new Settings(Map.of()).ingest(null, null, null, " , ", null, YESTERDAY))
                .hasMessageContaining("--reports");
    }

    @Test
    void hourlyBucketsReplaceTheDailyUsageReport() {
        LocalDate yesterday = LocalDate.of(2026, 3, 8);
        assertThat(new Settings(Map.of(Settings.BUCKET_WIDTH, "1h")).ingest(null, null, null, null, null, yesterday)
                .reports()).containsExactlyInAnyOrder(ReportKind.USAGE_HOURLY, ReportKind.COST, ReportKind.CLAUDE_CODE,
                ReportKind.ANALYTICS_USAGE, ReportKind.ANALYTICS_COST);
        assertThat(new Settings(Map.of()).ingest(null, null, null, "usage", null, "1h", yesterday).reports())
                .containsExactly(ReportKind.USAGE_HOURLY);
        assertThat(new Settings(Map.of()).ingest(null, null, null, "cost", null, "1h", yesterday).reports())
                .containsExactly(ReportKind.COST);
        assertThatThrownBy(() -> new Settings(Map.of()).ingest(null, null, null, null, null, "15m", yesterday))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--bucket-width");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.BUCKET_WIDTH, "2d")).ingest(null, null, null, null, null,
                yesterday)).hasMessageContaining("INGEST_BUCKET_WIDTH");
    }

    @Test
    void logFormatAndRunOriginFollowCloudRun() {
        assertThat(new Settings(Map.of()).logFormat()).isEqualTo("text");
        assertThat(new Settings(Map.of(Settings.CLOUD_RUN_JOB, "job")).logFormat()).isEqualTo("json");
        assertThat(new Settings(Map.of(Settings.CLOUD_RUN_JOB, "job", Settings.LOG_FORMAT, "TEXT")).logFormat())
                .isEqualTo("text");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.LOG_FORMAT, "xml")).logFormat())
                .hasMessageContaining("LOG_FORMAT");
        assertThat(new Settings(Map.of()).origin()).isEqualTo(RunOrigin.MANUAL);
        assertThat(new Settings(Map.of(Settings.CLOUD_RUN_JOB, "job", Settings.CLOUD_RUN_EXECUTION, "job-x1")).origin())
                .isEqualTo(new RunOrigin("cloud_run", "job-x1"));
        assertThat(new Settings(Map.of(Settings.TRIGGER, "backfill")).origin().trigger()).isEqualTo("backfill");
    }

    @Test
    void durationsAreReadInEveryUsualForm() {
        assertThat(Settings.parseDuration("14m", "x")).isEqualTo(Duration.ofMinutes(14));
        assertThat(Settings.parseDuration("1h30m", "x")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Settings.parseDuration("45s", "x")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Settings.parseDuration("PT12M", "x")).isEqualTo(Duration.ofMinutes(12));
        for (String bad : new String[] {"", "0s", "ten", "-5m", "PT0S"}) {
            assertThatThrownBy(() -> Settings.parseDuration(bad, "--deadline")).hasMessageContaining("--deadline");
        }
    }

    @Test
    void aLogLevelThatIsNotOneIsRefused() {
        assertThat(new Settings(Map.of()).logLevel()).isEqualTo("INFO");
        assertThat(new Settings(Map.of(Settings.LOG_LEVEL, "debug")).logLevel()).isEqualTo("DEBUG");
        assertThatThrownBy(() -> new Settings(Map.of(Settings.LOG_LEVEL, "verbose")).logLevel())
                .isInstanceOf(ConfigException.class).hasMessageContaining("LOG_LEVEL 'verbose' is not a level");
        // The documented four only: TRACE and OFF are logback's, not ours.
        for (String other : new String[] {"TRACE", "off"}) {
            assertThatThrownBy(() -> new Settings(Map.of(Settings.LOG_LEVEL, other)).logLevel())
                    .isInstanceOf(ConfigException.class).hasMessageContaining("ERROR, WARN, INFO (the default) or DEBUG");
        }
    }

    @Test
    void sizesAreReadInDecimalUnitsAsBigQueryBills() {
        assertThat(Settings.parseBytes("10GB", "x")).isEqualTo(10_000_000_000L);
        assertThat(Settings.parseBytes("500 mb", "x")).isEqualTo(500_000_000L);
        assertThat(Settings.parseBytes("1TB", "x")).isEqualTo(1_000_000_000_000L);
        assertThat(Settings.parseBytes("1024", "x")).isEqualTo(1024L);
        for (String bad : new String[] {"", "0GB", "ten", "-5MB", "99999999999TB", "5PB"}) {
            assertThatThrownBy(() -> Settings.parseBytes(bad, "--maximum-bytes-billed"))
                    .hasMessageContaining("--maximum-bytes-billed");
        }
    }

    @Test
    void redactsAnythingShapedLikeAKey() {
        assertThat(SafeText.redact("bad key sk-ant-admin01-AbC_d-e and sk-ant-api03-xyz"))
                .isEqualTo("bad key sk-ant-…[redacted] and sk-ant-…[redacted]");
        assertThat(SafeText.redact("keys start with sk-ant-admin or sk-ant-api")).isEqualTo(
                "keys start with sk-ant-admin or sk-ant-api");
        assertThat(Optional.ofNullable(SafeText.redact(null))).isEmpty();
        // Every key parse accepts is redacted whole, whatever printable characters it holds.
        String odd = "sk-ant-admin01-Ab!c$d%e&f*g+h=i?j~k";
        assertThat(AdminKey.parse(odd, "test").reveal()).isEqualTo(odd);
        assertThat(SafeText.redact("key " + odd + " here")).isEqualTo("key sk-ant-…[redacted] here");
    }

    @Test
    void aLineForDisplayHasNoControlCharactersAndNoKey() {
        assertThat(SafeText.forDisplay("a\nforged line\r\u2028 sk-ant-admin01-x!y"))
                .isEqualTo("a forged line \\u2028 sk-ant-…[redacted]");
    }
}
