package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.SafeText;
import dev.claudedataingestion.reports.Reports;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads configuration from the environment, as Cloud Run passes it, with command-line flags taking precedence.
 * Everything is checked here, before any I/O; every message names the setting and how to fix it.
 */
public final class Settings {

    public static final String ADMIN_KEY = "ANTHROPIC_ADMIN_API_KEY";
    public static final String ADMIN_KEY_FILE = "ANTHROPIC_ADMIN_API_KEY_FILE";
    public static final String ORGANIZATION_ID = "ANTHROPIC_ORGANIZATION_ID";
    public static final String BASE_URL = "ANTHROPIC_BASE_URL";
    public static final String REQUESTS_PER_SECOND = "ANTHROPIC_REQUESTS_PER_SECOND";
    public static final String WAREHOUSE = "WAREHOUSE";
    public static final String START_DATE = "INGEST_START_DATE";
    public static final String LOOKBACK_DAYS = "INGEST_LOOKBACK_DAYS";
    public static final String CLOUD_RUN_JOB = "CLOUD_RUN_JOB";
    public static final String CLOUD_RUN_EXECUTION = "CLOUD_RUN_EXECUTION";
    public static final String TRIGGER = "INGEST_TRIGGER";
    public static final String LOG_FORMAT = "LOG_FORMAT";
    public static final String LOG_LEVEL = "LOG_LEVEL";
    public static final String BUCKET_WIDTH = "INGEST_BUCKET_WIDTH";
    public static final String SPOOL_LIMIT = "INGEST_SPOOL_LIMIT";
    public static final String PERSONAL_DATA_RETENTION_DAYS = "PERSONAL_DATA_RETENTION_DAYS";
    public static final String ANALYTICS_GROUP_BY = "ANALYTICS_GROUP_BY";
    public static final String NOTIFY_WEBHOOK_URL = "NOTIFY_WEBHOOK_URL";
    public static final String NOTIFY_FORMAT = "NOTIFY_FORMAT";

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private final Map<String, String> environment;

    public Settings(Map<String, String> environment) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    private Optional<String> variable(String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    /**
     * {@value #NOTIFY_WEBHOOK_URL}, where {@code notify} posts, in the format {@value #NOTIFY_FORMAT} names ({@code
     * slack} or {@code json}; by default Slack's for a {@code hooks.slack.com} URL, else JSON). The URL is a secret:
     * no message repeats it.
     */
    public Webhook webhook() {
        String text = variable(NOTIFY_WEBHOOK_URL).orElseThrow(() -> new ConfigException(NOTIFY_WEBHOOK_URL
                + " is not set; set it to an incoming webhook's URL (Slack's, or any that takes JSON)"));
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            url = null;
        }
        if (url == null || url.getHost() == null || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
            throw new ConfigException(NOTIFY_WEBHOOK_URL + " is not an http(s) URL with a host; set it to the"
                    + " incoming webhook's URL as its service shows it");
        }
        String format = variable(NOTIFY_FORMAT).orElse("hooks.slack.com".equals(url.getHost()) ? "slack" : "json");
        if (!format.equals("slack") && !format.equals("json")) {
            throw new ConfigException(NOTIFY_FORMAT + " '" + format + "' is neither slack nor json");
        }
        return new Webhook(url, format.equals("slack"));
    }

    /**
     * The Admin API settings; the key comes from {@value #ADMIN_KEY} or the file named by {@value #ADMIN_KEY_FILE}. A
     * run that reads only the Usage and Cost Analytics API ({@code analyticsOnly}) may use an API key with the
     * read:analytics scope, which cannot look its organization up, so the organization must then be named.
     */
    public ApiConfig api(String version, boolean analyticsOnly) {
        AdminKey key = adminKey(analyticsOnly);
        Optional<String> organization = variable(ORGANIZATION_ID);
        if (!key.isAdmin() && organization.isEmpty()) {
            throw new ConfigException("An API key cannot look up its organization; set " + ORGANIZATION_ID + " to"
                    + " the organization's id (Console, Settings, Organization), or use an Admin key");
        }
        return ApiConfig.of(baseUrl(), key, organization, requestsPerSecond(), version);
    }

    private AdminKey adminKey(boolean analyticsOnly) {
        Secret key = secret(ADMIN_KEY, ADMIN_KEY_FILE).orElseThrow(() -> new ConfigException(ADMIN_KEY + " is not set;"
                + " set it to an Admin API key (sk-ant-admin…), or set " + ADMIN_KEY_FILE + " to a file that holds one"));
        return AdminKey.parse(key.text(), key.source(), analyticsOnly);
    }

    /** A secret's text, and where it came from (a variable, or a file by its path) for messages that never show it. */
    private record Secret(String text, String source) {
    }

    /** The secret in variable {@code name}, or in the file variable {@code file} names; never both. */
    private Optional<Secret> secret(String name, String file) {
        Optional<String> inline = variable(name);
        Optional<String> named = variable(file);
        if (inline.isPresent() && named.isPresent()) {
            throw new ConfigException(name + " and " + file + " are both set; set only one");
        }
        if (named.isPresent()) {
            Path path = Path.of(named.get());
            try {
                return Optional.of(new Secret(Files.readString(path, StandardCharsets.UTF_8), file + " (" + path + ")"));
            } catch (IOException e) {
                throw new ConfigException(file + " names " + path + ", which cannot be read ("
                        + e.getClass().getSimpleName() + "); check the path and its permissions");
            }
        }
        return inline.map(text -> new Secret(text, name));
    }

    private URI baseUrl() {
        String text = variable(BASE_URL).orElse(ApiConfig.DEFAULT_BASE_URL.toString());
        try {
            URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(BASE_URL + " '" + SafeText.redact(text) + "' is not an http(s) URL; leave it"
                    + " unset for " + ApiConfig.DEFAULT_BASE_URL);
        }
    }

    private double requestsPerSecond() {
        String text = variable(REQUESTS_PER_SECOND).orElse(null);
        if (text == null) {
            return ApiConfig.DEFAULT_REQUESTS_PER_SECOND;
        }
        try {
            double rate = Double.parseDouble(text);
            if (rate > 0 && Double.isFinite(rate)) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(REQUESTS_PER_SECOND + " '" + text + "' is not a positive number of requests per"
                + " second");
    }

    /** The warehouse's URL when one is given: {@code --warehouse}, else {@value #WAREHOUSE}. */
    public Optional<String> warehouseUrl(String flag) {
        return flag != null && !flag.isBlank() ? Optional.of(flag) : variable(WAREHOUSE);
    }

    /** The variables, for what reads its own (a warehouse's secrets). */
    public Map<String, String> environment() {
        return environment;
    }

    /** What started this run: {@value #TRIGGER}, else {@code cloud_run} on Cloud Run, else {@code manual}. */
    public RunOrigin origin() {
        String trigger = variable(TRIGGER).orElse(variable(CLOUD_RUN_JOB).isPresent() ? "cloud_run" : "manual");
        return new RunOrigin(trigger, variable(CLOUD_RUN_EXECUTION).orElse(null));
    }

    /**
     * {@code json} or {@code text}: {@value #LOG_FORMAT}, else {@code json} on Cloud Run (a job, or the telemetry
     * service: {@code K_SERVICE}), else {@code text}.
     */
    public String logFormat() {
        boolean cloudRun = variable(CLOUD_RUN_JOB).isPresent() || variable("K_SERVICE").isPresent();
        String format = variable(LOG_FORMAT).orElse(cloudRun ? "json" : "text")
                .toLowerCase(java.util.Locale.ROOT);
        if (!format.equals("json") && !format.equals("text")) {
            throw new ConfigException(LOG_FORMAT + " '" + format + "' is neither json nor text");
        }
        return format;
    }

    /** {@value #LOG_LEVEL}, checked: logback would otherwise take a misspelt level for DEBUG without a word. */
    public String logLevel() {
        String level = variable(LOG_LEVEL).orElse("INFO").toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
            throw new ConfigException(LOG_LEVEL + " '" + variable(LOG_LEVEL).orElse("") + "' is not a level; use one"
                    + " of ERROR, WARN, INFO (the default) or DEBUG");
        }
        return level;
    }

    /** The first day the warehouse must cover. */
    public LocalDate startDate() {
        String text = variable(START_DATE).orElse(null);
        if (text == null) {
            return IngestConfig.DEFAULT_START_DATE;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new ConfigException(START_DATE + " '" + text + "' is not a date; write it as YYYY-MM-DD");
        }
    }

    /**
     * What an ingest run does. Flags are null when not given.
     *
     * @param lastCompleteDay the latest complete UTC day, the end of a range given by {@code --from} alone
     */
    public IngestConfig ingest(LocalDate from, LocalDate to, Integer lookbackFlag, String reportsFlag,
            String deadlineFlag, LocalDate lastCompleteDay) {
        return ingest(from, to, lookbackFlag, reportsFlag, deadlineFlag, null, lastCompleteDay);
    }

    /**
     * What an ingest run does, with the usage report's bucket width: {@code 1h} loads it into
     * {@code claude_usage_hourly} instead of {@code claude_usage}.
     */
    public IngestConfig ingest(LocalDate from, LocalDate to, Integer lookbackFlag, String reportsFlag,
            String deadlineFlag, String bucketWidthFlag, LocalDate lastCompleteDay) {
        Optional<DayRange> explicit = Optional.empty();
        if (to != null && from == null) {
            throw new ConfigException("--to needs --from; give both to backfill a range of days");
        }
        if (from != null) {
            LocalDate last = to == null ? lastCompleteDay : to;
            if (last.isBefore(from)) {
                throw new ConfigException("--to " + last + " is before --from " + from);
            }
            if (last.isAfter(lastCompleteDay)) {
                throw new ConfigException("--to " + last + " is not a complete UTC day yet; the latest complete day"
                        + " is " + lastCompleteDay);
            }
            explicit = Optional.of(DayRange.of(from, last));
        }
        int lookback = lookbackFlag != null ? lookbackFlag : lookbackDays();
        if (lookback < 0) {
            throw new ConfigException("--lookback-days must be 0 or more, got " + lookback);
        }
        Optional<Duration> deadline = deadlineFlag != null ? Optional.of(parseDuration(deadlineFlag, "--deadline"))
                : variable(CLOUD_RUN_JOB).isPresent() ? Optional.of(IngestConfig.CLOUD_RUN_DEADLINE) : Optional.empty();
        Set<ReportKind> reports = reports(reportsFlag);
        String width = bucketWidthFlag != null ? bucketWidthFlag : variable(BUCKET_WIDTH).orElse("1d");
        switch (width.strip()) {
            case "1d" -> { }
            case "1h" -> {
                if (reports.remove(ReportKind.USAGE)) {
                    reports.add(ReportKind.USAGE_HOURLY);
                }
            }
            default -> throw new ConfigException((bucketWidthFlag != null ? "--bucket-width" : BUCKET_WIDTH) + " '"
                    + width + "' is neither 1d nor 1h");
        }
        long spoolLimit = variable(SPOOL_LIMIT).map(text -> parseBytes(text, SPOOL_LIMIT))
                .orElse(IngestConfig.DEFAULT_SPOOL_LIMIT);
        return new IngestConfig(startDate(), lookback, reports, dimensions(reportsFlag), explicit, deadline,
                spoolLimit, analyticsGrouping(), PriceTable.builtIn());
    }

    private AnalyticsGrouping analyticsGrouping() {
        Optional<String> text = variable(ANALYTICS_GROUP_BY);
        try {
            return text.map(AnalyticsGrouping::parse).orElse(AnalyticsGrouping.DEFAULT);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ANALYTICS_GROUP_BY + " " + e.getMessage() + "; leave it unset for "
                    + AnalyticsGrouping.DEFAULT);
        }
    }

    /**
     * {@value #PERSONAL_DATA_RETENTION_DAYS}: how many recent days keep people's e-mail addresses and names; unset,
     * they are kept as long as the rows.
     */
    /**
     * How {@code serve} listens: {@code --port} or {@code PORT} (Cloud Run sets it) or 4318; on Cloud Run
     * ({@code K_SERVICE} set) every address, else loopback, unless {@code --bind}. Listening beyond loopback needs a
     * token ({@value TelemetryConfig#TOKEN}), or {@code --no-token} where the platform authenticates (Cloud Run's
     * IAM).
     */
    public TelemetryConfig telemetry(Integer portFlag, String bindFlag, boolean noToken) {
        boolean cloudRun = variable("K_SERVICE").isPresent();
        String bind = bindFlag != null ? bindFlag : cloudRun ? "0.0.0.0" : "127.0.0.1";
        int port = portFlag != null ? portFlag : variable("PORT").map(text -> {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new ConfigException("PORT '" + text + "' is not a port number");
            }
        }).orElse(4318);
        if (port < 0 || port > 65_535) {
            throw new ConfigException("port " + port + " is not a port; choose one from 1024 to 65535, or 0 for any"
                    + " free one");
        }
        Optional<byte[]> token = secret(TelemetryConfig.TOKEN, TelemetryConfig.TOKEN_FILE).map(secret -> {
            String text = secret.text().strip();
            if (text.isEmpty()) {
                throw new ConfigException(secret.source() + " is empty; write the token into it");
            }
            return text.getBytes(StandardCharsets.UTF_8);
        });
        boolean loopback = bind.equals("127.0.0.1") || bind.equals("::1") || bind.equals("localhost");
        if (token.isEmpty() && !noToken && !loopback) {
            throw new ConfigException("serve listens on " + bind + " without a token: set " + TelemetryConfig.TOKEN
                    + " (or " + TelemetryConfig.TOKEN_FILE + ") and give exporters 'Authorization: Bearer <token>',"
                    + " or pass --no-token where the platform authenticates requests (Cloud Run's IAM)");
        }
        long maxBody = variable(TelemetryConfig.MAX_BODY).map(text -> parseBytes(text, TelemetryConfig.MAX_BODY))
                .orElse(8_000_000L);
        int bufferRows = variable(TelemetryConfig.BUFFER_ROWS).map(text -> atLeast(text, 1000).orElseThrow(() ->
                new ConfigException(TelemetryConfig.BUFFER_ROWS + " '" + text + "' is not a whole number of rows,"
                        + " 1000 or more"))).orElse(50_000);
        boolean keepContent = variable(TelemetryConfig.KEEP_CONTENT).map(text -> switch (text.toLowerCase(
                java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(TelemetryConfig.KEEP_CONTENT + " '" + text + "' is not true or false");
        }).orElse(false);
        return new TelemetryConfig(bind, port, token, maxBody, bufferRows, keepContent, variable(ORGANIZATION_ID));
    }

    public Optional<Integer> personalDataRetentionDays() {
        return variable(PERSONAL_DATA_RETENTION_DAYS).map(text -> atLeast(text, 1).orElseThrow(() ->
                new ConfigException(PERSONAL_DATA_RETENTION_DAYS + " '" + text + "' is not a whole number of days (1 or"
                        + " more); leave it unset to keep e-mail addresses and names as long as the rows")));
    }

    /** {@code text} as a whole number of at least {@code least}; empty when it is not one. */
    private static Optional<Integer> atLeast(String text, int least) {
        try {
            int number = Integer.parseInt(text);
            return number >= least ? Optional.of(number) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private int lookbackDays() {
        return variable(LOOKBACK_DAYS).map(text -> atLeast(text, 0).orElseThrow(() -> new ConfigException(
                LOOKBACK_DAYS + " '" + text + "' is not a whole number of days (0 or more)")))
                .orElse(IngestConfig.DEFAULT_LOOKBACK_DAYS);
    }

    /** Whether {@code --reports} asks for the dimension tables: by default, yes. */
    public static boolean dimensions(String flag) {
        return flag == null || flag.isBlank() || "all".equalsIgnoreCase(flag.strip())
                || java.util.Arrays.stream(flag.split(",")).anyMatch(name -> name.strip().equalsIgnoreCase(DIMENSIONS));
    }

    /** The name {@code --reports} gives the dimension tables (workspaces, API keys, users). */
    public static final String DIMENSIONS = "dimensions";

    /** Reads {@code --reports usage,cost,claude_code,dimensions}; null means all. */
    public static Set<ReportKind> reports(String flag) {
        if (flag == null || "all".equalsIgnoreCase(flag.strip())) {
            return EnumSet.copyOf(Reports.defaults());
        }
        if (flag.isBlank()) {
            throw new ConfigException("--reports is empty; name the reports, from " + ReportKind.allIds() + ","
                    + DIMENSIONS + ", or leave it out for all");
        }
        Set<ReportKind> reports = EnumSet.noneOf(ReportKind.class);
        for (String name : flag.split(",")) {
            if (name.isBlank() || name.strip().equalsIgnoreCase(DIMENSIONS)) {
                continue;
            }
            try {
                reports.add(ReportKind.fromId(name));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--reports: " + e.getMessage() + "," + DIMENSIONS);
            }
        }
        return reports;
    }

    /** Reads {@code 14m}, {@code 90s}, {@code 1h30m} or an ISO-8601 duration such as {@code PT14M}. */
    public static Duration parseDuration(String text, String setting) {
        String trimmed = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (trimmed.startsWith("pt")) {
                Duration duration = Duration.parse(trimmed.toUpperCase(java.util.Locale.ROOT));
                if (!duration.isNegative() && !duration.isZero()) {
                    return duration;
                }
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        Matcher matcher = DURATION.matcher(trimmed);
        if (!trimmed.isEmpty() && matcher.matches()) {
            Duration duration = Duration.ofHours(group(matcher, 1)).plusMinutes(group(matcher, 2))
                    .plusSeconds(group(matcher, 3));
            if (!duration.isZero()) {
                return duration;
            }
        }
        throw new ConfigException(setting + " '" + text + "' is not a duration; write it like 14m, 90s or 1h30m");
    }

    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb|tb)?");

    /** A size in bytes, written {@code 500MB}, {@code 10GB}, {@code 1TB} (decimal units, as BigQuery bills) or bare. */
    public static long parseBytes(String text, String setting) {
        Matcher matcher = BYTES.matcher(text.strip().toLowerCase(java.util.Locale.ROOT));
        if (matcher.matches()) {
            int power = switch (matcher.group(2) == null ? "b" : matcher.group(2)) {
                case "kb" -> 1;
                case "mb" -> 2;
                case "gb" -> 3;
                case "tb" -> 4;
                default -> 0;
            };
            try {
                long bytes = java.math.BigInteger.valueOf(Long.parseLong(matcher.group(1)))
                        .multiply(java.math.BigInteger.valueOf(1000).pow(power)).longValueExact();
                if (bytes > 0) {
                    return bytes;
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below
            }
        }
        throw new ConfigException(setting + " '" + text + "' is not a positive size; write it like 500MB, 10GB or 1TB");
    }

    private static long group(Matcher matcher, int group) {
        String value = matcher.group(group);
        return value == null ? 0 : Long.parseLong(value);
    }
}
