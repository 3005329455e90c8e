package dev.claudedataingestion.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local Admin API, faithful to the documented contract: the three reports with their validation, paging and
 * error bodies, the organization and list endpoints, over real HTTP on a loopback port. Data comes from a
 * {@link SyntheticOrganization}; faults are switched on per request with {@link #inject(Fault)}. Every request
 * is recorded for tests to count.
 */
public final class AdminApiSimulator implements AutoCloseable {

    /** The key the demo and tests use; any key that starts with sk-ant-admin is accepted unless one is required. */
    public static final String DEMO_KEY = "sk-ant-admin01-simulator";
    /**
     * An API key with the read:analytics scope, which reads the Usage and Cost Analytics API and nothing else; any
     * other API key (sk-ant-api…) lacks the scope.
     */
    public static final String ANALYTICS_KEY = "sk-ant-api03-simulator-read-analytics";

    private static final List<String> USAGE_DIMENSIONS = List.of("api_key_id", "workspace_id", "model",
            "service_tier", "context_window", "inference_geo", "account_id", "service_account_id");
    private static final Map<String, String> USAGE_FILTERS = Map.of("api_key_ids[]", "api_key_id",
            "workspace_ids[]", "workspace_id", "models[]", "model", "service_tiers[]", "service_tier",
            "context_window[]", "context_window", "inference_geos[]", "inference_geo", "account_ids[]", "account_id",
            "service_account_ids[]", "service_account_id");
    private static final Set<String> COST_DIMENSIONS = Set.of("workspace_id", "description");
    private static final String ANALYTICS = "/v1/organizations/analytics/";
    private static final String ANALYTICS_BETA = "analytics-usage-cost-2026-08-24";
    /** The first day the Usage and Cost Analytics API serves, and how many days back from today it answers. */
    private static final Instant ANALYTICS_FIRST = Instant.parse("2026-01-01T00:00:00Z");
    private static final int ANALYTICS_DAYS_BACK = 365;
    private static final JsonFactory JSON = new JsonFactory();

    /** A request as the simulator saw it. */
    public record RecordedRequest(String method, String path, Map<String, List<String>> query, String apiKeyPrefix,
            String rawQuery) {
        public String param(String name) {
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private final SyntheticOrganization organization;
    private final Clock clock;
    private final String requiredKey;
    private final ConcurrentLinkedDeque<ActiveFault> faults = new ConcurrentLinkedDeque<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong requestIds = new AtomicLong();
    private volatile int maxResultsPerResponse;
    private volatile int maxBucketsPerPage;
    private volatile int maxGroupsPerDay;
    private volatile boolean scopedApiKeys;
    private volatile boolean hipaaReadiness;
    private final AnalyticsAnswers analytics;
    /**
     * A day's analytics rows by report, grouping and revision, kept for the pages that follow: each page of a window
     * is a slice of all its days' rows, and a large organization's window takes dozens of pages.
     */
    private final Map<List<Object>, List<AnalyticsAnswers.Grouped>> analyticsDays = java.util.Collections
            .synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Object>, List<AnalyticsAnswers.Grouped>> eldest) {
                    return size() > 64;
                }
            });
    private HttpServer server;
    private ExecutorService executor;

    private static final class ActiveFault {
        final Fault fault;
        int skip;
        int remaining;

        ActiveFault(Fault fault) {
            this.fault = fault;
            this.skip = fault.skip();
            this.remaining = fault.times();
        }
    }

    /**
     * @param requiredKey the only key accepted, or null to accept any Admin-shaped key
     */
    public AdminApiSimulator(SyntheticOrganization organization, Clock clock, String requiredKey) {
        this.organization = organization;
        this.clock = clock;
        this.requiredKey = requiredKey;
        this.analytics = new AnalyticsAnswers(organization);
    }

    /** Serves on 127.0.0.1; port 0 picks a free one. */
    public AdminApiSimulator start(int port) throws IOException {
        // Headers and body go out in two writes; with Nagle's algorithm on, the second waits for the client's
        // delayed ACK, about 40 ms a request. The JDK server reads this once, before its first use.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "admin-api-simulator");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * What the analytics cost report serves for {@code day} grouped by {@code groupBy} (with the cost and token types),
     * summed: the billed and the list amount in cents, each row rounded as served.
     */
    public BigDecimal[] analyticsCostServed(LocalDate day, List<String> groupBy) {
        List<String> dimensions = new ArrayList<>(groupBy);
        dimensions.addAll(AnalyticsAnswers.FAN_OUT);
        BigDecimal[] sums = {BigDecimal.ZERO, BigDecimal.ZERO};
        for (AnalyticsAnswers.Grouped row : analytics.cost(day, dimensions)) {
            sums[0] = sums[0].add(row.amount());
            sums[1] = sums[1].add(row.list());
        }
        return sums;
    }

    public SyntheticOrganization organization() {
        return organization;
    }

    /** Applies {@code fault} to the next matching requests. */
    public void inject(Fault fault) {
        faults.add(new ActiveFault(fault));
    }

    public void clearFaults() {
        faults.clear();
    }

    /**
     * Refuses pages of more than {@code results} results (or analytics rows) with the API's 400
     * {@code report_page_too_large}, as the real API does past its size cap; 0 = no cap.
     */
    public void capResultsPerResponse(int results) {
        this.maxResultsPerResponse = results;
    }

    /**
     * Refuses an analytics request any of whose days has usage in more than {@code groups} groups (the cost report's
     * rows of one group by cost and token type counting once) with the API's 400 {@code too_many_report_groups},
     * naming the endpoint to use instead; 0 = no cap.
     */
    public void capGroupsPerDay(int groups) {
        this.maxGroupsPerDay = groups;
    }

    /** Puts at most {@code buckets} buckets in a page, fewer than {@code limit} allows, so that paging is exercised. */
    public void limitBucketsPerPage(int buckets) {
        this.maxBucketsPerPage = buckets;
    }

    /** Answers API keys in the newer shape, with {@code scope} instead of {@code workspace_id}. */
    public void useScopedApiKeys(boolean scoped) {
        this.scopedApiKeys = scoped;
    }

    /** With HIPAA readiness, the Usage and Cost Analytics API answers every request with 400, as Anthropic's does. */
    public void enableHipaaReadiness(boolean enabled) {
        this.hipaaReadiness = enabled;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = "req_sim" + String.format("%014d", requestIds.incrementAndGet());
            exchange.getResponseHeaders().set("request-id", requestId);
            exchange.getResponseHeaders().set("content-type", "application/json");
            String path = exchange.getRequestURI().getPath();
            Map<String, List<String>> query = parseQuery(exchange.getRequestURI().getRawQuery());
            String key = exchange.getRequestHeaders().getFirst("x-api-key");
            requests.add(new RecordedRequest(exchange.getRequestMethod(), path, query,
                    key == null ? null : key.substring(0, Math.min(12, key.length())),
                    exchange.getRequestURI().getRawQuery()));
            try {
                respond(exchange, path, query, key, requestId);
            } catch (ApiError error) {
                sendError(exchange, error.status, error.type, error.getMessage(), requestId, null);
            }
        }
    }

    private void respond(HttpExchange exchange, String path, Map<String, List<String>> query, String key,
            String requestId) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            throw new ApiError(405, "invalid_request_error", "method " + exchange.getRequestMethod() + " not allowed");
        }
        if (key == null || key.isBlank()) {
            throw new ApiError(401, "authentication_error", "x-api-key header is required");
        }
        boolean apiKey = key.startsWith("sk-ant-api") && path.startsWith(ANALYTICS);
        if (!(key.startsWith("sk-ant-admin") || apiKey) || (requiredKey != null && !requiredKey.equals(key))) {
            throw new ApiError(401, "authentication_error", "invalid x-api-key");
        }
        if (apiKey && !key.equals(ANALYTICS_KEY)) {
            throw new ApiError(403, "permission_error", "this API key does not have the read:analytics scope");
        }
        if (exchange.getRequestHeaders().getFirst("anthropic-version") == null) {
            throw new ApiError(400, "invalid_request_error", "anthropic-version: header is required");
        }
        if (path.startsWith(ANALYTICS)) {
            String beta = exchange.getRequestHeaders().getFirst("anthropic-beta");
            if (beta == null || !List.of(beta.split(",")).contains(ANALYTICS_BETA)) {
                throw new ApiError(400, "invalid_request_error", "this endpoint is in beta: send the header"
                        + " anthropic-beta: " + ANALYTICS_BETA);
            }
            if (hipaaReadiness) {
                throw new ApiError(400, "invalid_request_error", "the Usage and Cost Analytics API is not available"
                        + " to organizations with HIPAA readiness enabled");
            }
        }
        Fault fault = nextFault(path);
        if (fault != null) {
            switch (fault.kind()) {
                case STATUS -> {
                    sendError(exchange, fault.status(), errorType(fault.status()), "simulated " + fault.status(),
                            requestId, fault.delay().isZero() ? null : fault.delay());
                    return;
                }
                case DROP_CONNECTION -> {
                    // Closing the exchange before any header makes the server drop the connection.
                    return;
                }
                case SLOW -> sleep(fault.delay());
                default -> {
                    // applied while answering
                }
            }
        }
        JsonBody body = route(path, query, fault);
        send(exchange, body, fault);
    }

    private JsonBody route(String path, Map<String, List<String>> query, Fault fault) {
        return switch (path) {
            case "/v1/organizations/me" -> json -> {
                json.writeStartObject();
                json.writeStringField("id", organization.id());
                json.writeStringField("type", "organization");
                json.writeStringField("name", organization.name());
                json.writeEndObject();
            };
            case "/v1/organizations/usage_report/messages" -> usageReport(query, fault);
            case "/v1/organizations/cost_report" -> costReport(query, fault);
            case "/v1/organizations/usage_report/claude_code" -> claudeCodeReport(query, fault);
            case ANALYTICS + "usage" -> analyticsReport(query, fault, false);
            case ANALYTICS + "cost" -> analyticsReport(query, fault, true);
            case "/v1/organizations/workspaces" -> list(query, workspaceObjects(query));
            case "/v1/organizations/api_keys" -> list(query, apiKeyObjects());
            case "/v1/organizations/users" -> list(query, userObjects());
            default -> throw new ApiError(404, "not_found_error", "Not found: " + path);
        };
    }

    private Fault nextFault(String path) {
        boolean report = path.contains("/usage_report/") || path.contains("/cost_report") || path.startsWith(ANALYTICS);
        for (Iterator<ActiveFault> it = faults.iterator(); it.hasNext(); ) {
            ActiveFault active = it.next();
            Fault fault = active.fault;
            boolean matches = fault.pathContains() != null ? path.contains(fault.pathContains()) : report;
            if (!matches) {
                continue;
            }
            synchronized (active) {
                if (active.skip > 0) {
                    active.skip--;
                    return null;
                }
                if (active.remaining <= 0) {
                    it.remove();
                    continue;
                }
                active.remaining--;
                if (active.remaining == 0) {
                    it.remove();
                }
                return fault;
            }
        }
        return null;
    }

    // ---- reports -------------------------------------------------------------------------------------------

    private record Width(String name, Duration step, int defaultLimit, int maxLimit) {
        static Width parse(String text, boolean dailyOnly) {
            String width = text == null ? "1d" : text;
            Width parsed = switch (width) {
                case "1d" -> new Width("1d", Duration.ofDays(1), 7, 31);
                case "1h" -> new Width("1h", Duration.ofHours(1), 24, 168);
                case "1m" -> new Width("1m", Duration.ofMinutes(1), 60, 1440);
                default -> throw new ApiError(400, "invalid_request_error",
                        "bucket_width: Input should be '1d', '1h' or '1m'");
            };
            if (dailyOnly && !"1d".equals(parsed.name)) {
                throw new ApiError(400, "invalid_request_error", "bucket_width: Input should be '1d'");
            }
            return parsed;
        }

        Instant floor(Instant instant) {
            long seconds = step.getSeconds();
            return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), seconds) * seconds);
        }

        Instant ceil(Instant instant) {
            Instant floor = floor(instant);
            return floor.equals(instant) ? floor : floor.plus(step);
        }
    }

    /** The buckets of one page: where it starts and ends, and whether more follow. */
    private record BucketPage(Width width, Instant windowEnd, Instant start, Instant end) {
        List<Instant> starts() {
            List<Instant> starts = new ArrayList<>();
            for (Instant bucket = start; bucket.isBefore(end); bucket = bucket.plus(width.step)) {
                starts.add(bucket);
            }
            return starts;
        }

        boolean hasMore() {
            return end.isBefore(windowEnd);
        }
    }

    private BucketPage bucketPage(Map<String, List<String>> query, Width width) {
        Instant start = width.floor(instant(required(query, "starting_at"), "starting_at"));
        String endText = first(query, "ending_at");
        Instant end = endText == null ? width.ceil(clock.instant()) : instant(endText, "ending_at");
        if (!end.isAfter(start)) {
            throw new ApiError(400, "invalid_request_error", "ending_at must be after starting_at");
        }
        int limit = limit(query, width.defaultLimit, width.maxLimit);
        if (maxBucketsPerPage > 0) {
            limit = Math.min(limit, maxBucketsPerPage);
        }
        String page = first(query, "page");
        Instant pageStart = page == null ? start : decodeCursor(page);
        if (pageStart.isBefore(start) || !pageStart.isBefore(end)) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
        Instant pageEnd = pageStart.plus(width.step.multipliedBy(limit));
        return new BucketPage(width, end, pageStart, pageEnd.isAfter(end) ? end : pageEnd);
    }

    private JsonBody usageReport(Map<String, List<String>> query, Fault fault) {
        Width width = Width.parse(first(query, "bucket_width"), false);
        List<String> groupBy = groupBy(query, Set.copyOf(USAGE_DIMENSIONS));
        Map<String, List<String>> filters = new LinkedHashMap<>();
        USAGE_FILTERS.forEach((param, dimension) -> {
            if (query.containsKey(param)) {
                filters.put(dimension, query.get(param));
            }
        });
        BucketPage page = bucketPage(query, width);
        Map<Instant, List<Map.Entry<List<String>, long[]>>> buckets = new LinkedHashMap<>();
        // A day's tuples are drawn once per request, not once for each of its hours.
        Map<LocalDate, List<SyntheticOrganization.UsageTuple>> days = new HashMap<>();
        int results = 0;
        for (Instant bucket : page.starts()) {
            Map<List<String>, long[]> groups = new LinkedHashMap<>();
            LocalDate day = LocalDate.ofInstant(bucket, ZoneOffset.UTC);
            List<SyntheticOrganization.UsageTuple> dayTuples = days.computeIfAbsent(day, organization::usage);
            for (SyntheticOrganization.UsageTuple tuple : tuplesOf(bucket, width, day, dayTuples)) {
                if (!filters.entrySet().stream().allMatch(f -> f.getValue().contains(tuple.dimension(f.getKey())))) {
                    continue;
                }
                List<String> key = new ArrayList<>();
                for (String dimension : USAGE_DIMENSIONS) {
                    key.add(groupBy.contains(dimension) ? tuple.dimension(dimension) : null);
                }
                long[] sums = groups.computeIfAbsent(key, k -> new long[6]);
                long[] measures = tuple.measures();
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += measures[i];
                }
            }
            buckets.put(bucket, new ArrayList<>(groups.entrySet()));
            results += groups.size();
        }
        checkSize(results);
        return json -> writeBuckets(json, page, buckets.keySet(), fault, (bucket, out) -> {
            for (Map.Entry<List<String>, long[]> group : buckets.get(bucket)) {
                long[] m = group.getValue();
                out.writeStartObject();
                writeTokens(out, m);
                for (int i = 0; i < USAGE_DIMENSIONS.size(); i++) {
                    out.writeStringField(USAGE_DIMENSIONS.get(i), group.getKey().get(i));
                }
                out.writeEndObject();
            }
        });
    }

    /**
     * Usage of one bucket: a day's tuples, or for an hour the share of each tuple that falls in it (each tuple is
     * used in a run of one to eight hours of its day), or for a minute an even share. Shares sum to the day.
     */
    private static List<SyntheticOrganization.UsageTuple> tuplesOf(Instant bucket, Width width, LocalDate day,
            List<SyntheticOrganization.UsageTuple> dayTuples) {
        if ("1d".equals(width.name)) {
            return dayTuples;
        }
        boolean hourly = "1h".equals(width.name);
        long index = Duration.between(day.atStartOfDay(ZoneOffset.UTC).toInstant(), bucket).dividedBy(width.step);
        // Duration.dividedBy(Duration) computes in BigDecimal: once per bucket, not once per tuple.
        long bucketsPerDay = Duration.ofDays(1).dividedBy(width.step);
        List<SyntheticOrganization.UsageTuple> shares = new ArrayList<>();
        for (SyntheticOrganization.UsageTuple t : dayTuples) {
            long parts = bucketsPerDay;
            long first = 0;
            if (hourly) {
                int hash = java.util.Objects.hash(t.apiKeyId(), t.model(), t.serviceTier(), t.accountId(), day);
                parts = 1 + Math.floorMod(hash, 8);
                first = Math.floorMod(hash / 8, 24 - (int) parts + 1);
            }
            long position = index - first;
            if (position < 0 || position >= parts) {
                continue;
            }
            long[] m = t.measures();
            long[] share = new long[m.length];
            boolean any = false;
            for (int i = 0; i < m.length; i++) {
                share[i] = m[i] / parts + (position < m[i] % parts ? 1 : 0);
                any |= share[i] != 0;
            }
            if (any) {
                shares.add(new SyntheticOrganization.UsageTuple(t.apiKeyId(), t.workspaceId(), t.model(),
                        t.serviceTier(), t.contextWindow(), t.inferenceGeo(), t.accountId(), t.serviceAccountId(),
                        share[0], share[1], share[2], share[3], share[4], share[5]));
            }
        }
        return shares;
    }

    private JsonBody costReport(Map<String, List<String>> query, Fault fault) {
        Width width = Width.parse(first(query, "bucket_width"), true);
        List<String> groupBy = groupBy(query, COST_DIMENSIONS);
        BucketPage page = bucketPage(query, width);
        Map<Instant, List<SyntheticOrganization.CostLine>> buckets = new LinkedHashMap<>();
        int results = 0;
        for (Instant bucket : page.starts()) {
            Map<List<String>, SyntheticOrganization.CostLine> groups = new LinkedHashMap<>();
            for (SyntheticOrganization.CostLine line : organization.costs(LocalDate.ofInstant(bucket, ZoneOffset.UTC))) {
                boolean byWorkspace = groupBy.contains("workspace_id");
                boolean byDescription = groupBy.contains("description");
                SyntheticOrganization.CostLine grouped = new SyntheticOrganization.CostLine(
                        byWorkspace ? line.workspaceId() : null,
                        byDescription ? line.description() : null,
                        byDescription ? line.costType() : null,
                        byDescription ? line.model() : null,
                        byDescription ? line.serviceTier() : null,
                        byDescription ? line.contextWindow() : null,
                        byDescription ? line.tokenType() : null,
                        byDescription ? line.inferenceGeo() : null,
                        line.amountCents());
                groups.merge(java.util.Arrays.asList(grouped.workspaceId(), grouped.description()), grouped,
                        (a, b) -> new SyntheticOrganization.CostLine(a.workspaceId(), a.description(), a.costType(),
                                a.model(), a.serviceTier(), a.contextWindow(), a.tokenType(), a.inferenceGeo(),
                                a.amountCents().add(b.amountCents())));
            }
            buckets.put(bucket, new ArrayList<>(groups.values()));
            results += groups.size();
        }
        checkSize(results);
        return json -> writeBuckets(json, page, buckets.keySet(), fault, (bucket, out) -> {
            for (SyntheticOrganization.CostLine line : buckets.get(bucket)) {
                out.writeStartObject();
                out.writeStringField("currency", "USD");
                out.writeStringField("amount", line.amountCents().toPlainString());
                out.writeStringField("workspace_id", line.workspaceId());
                out.writeStringField("description", line.description());
                out.writeStringField("cost_type", line.costType());
                out.writeStringField("context_window", line.contextWindow());
                out.writeStringField("model", line.model());
                out.writeStringField("service_tier", line.serviceTier());
                out.writeStringField("token_type", line.tokenType());
                out.writeStringField("inference_geo", line.inferenceGeo());
                out.writeEndObject();
            }
        });
    }

    private interface BucketResults {
        void write(Instant bucket, JsonGenerator json) throws IOException;
    }

    private static void writeBuckets(JsonGenerator json, BucketPage page, Set<Instant> buckets, Fault fault,
            BucketResults results) throws IOException {
        Fault.Kind kind = fault == null ? null : fault.kind();
        json.writeStartObject();
        json.writeArrayFieldStart("data");
        boolean first = true;
        for (Instant bucket : buckets) {
            writeBucket(json, bucket, bucket.plus(page.width().step()), () -> results.write(bucket, json));
            if (first && kind == Fault.Kind.DUPLICATE_BUCKET) {
                writeBucket(json, bucket, bucket.plus(page.width().step()), () -> results.write(bucket, json));
            }
            first = false;
        }
        if (kind == Fault.Kind.OUT_OF_WINDOW_BUCKET) {
            Instant outside = page.windowEnd();
            writeBucket(json, outside, outside.plus(page.width().step()), () -> { });
        }
        json.writeEndArray();
        boolean hasMore = page.hasMore() || kind == Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE;
        json.writeBooleanField("has_more", hasMore);
        if (page.hasMore() && kind != Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE) {
            json.writeStringField("next_page", encodeCursor(page.end()));
        } else {
            json.writeNullField("next_page");
        }
        json.writeEndObject();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void writeBucket(JsonGenerator json, Instant start, Instant end, IoAction results)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("starting_at", start.toString());
        json.writeStringField("ending_at", end.toString());
        json.writeArrayFieldStart("results");
        results.run();
        json.writeEndArray();
        json.writeEndObject();
    }

    private JsonBody claudeCodeReport(Map<String, List<String>> query, Fault fault) {
        String dayText = required(query, "starting_at");
        LocalDate day;
        try {
            day = LocalDate.parse(dayText);
        } catch (DateTimeParseException e) {
            throw new ApiError(400, "invalid_request_error", "starting_at: Input should be a valid date (YYYY-MM-DD)");
        }
        int limit = limit(query, 20, 1000);
        String page = first(query, "page");
        int offset = page == null ? 0 : decodeOffset(page);
        List<SyntheticOrganization.ClaudeCodeRecord> all = organization.claudeCode(day);
        List<SyntheticOrganization.ClaudeCodeRecord> slice = all.subList(Math.min(offset, all.size()),
                Math.min(offset + limit, all.size()));
        boolean hasMore = offset + limit < all.size();
        checkSize(slice.size());
        // The date has been seen in both shapes; alternate by day so that clients must accept both.
        String date = day.toEpochDay() % 2 == 0 ? day.toString() : day + "T00:00:00Z";
        return json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            for (SyntheticOrganization.ClaudeCodeRecord record : slice) {
                writeClaudeCode(json, record, date);
            }
            json.writeEndArray();
            boolean broken = fault != null && fault.kind() == Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE;
            json.writeBooleanField("has_more", hasMore || broken);
            if (hasMore && !broken) {
                json.writeStringField("next_page", "page_" + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("offset:" + (offset + limit)).getBytes(StandardCharsets.UTF_8)));
            } else {
                json.writeNullField("next_page");
            }
            json.writeEndObject();
        };
    }

    /**
     * {@code /v1/organizations/analytics/usage} and {@code /cost} in daily buckets, as documented: the beta header,
     * {@code ending_at} with a bucket width, at most 31 days, nothing before 2026-01-01 or older than 365 days, at most
     * five group dimensions (cost and token type aside), {@code limit} rows a page (a cost row's fan-out by cost and
     * token type on the same page, not counted), cursors, and {@code data_refreshed_at}.
     */
    private JsonBody analyticsReport(Map<String, List<String>> query, Fault fault, boolean cost) {
        Instant start = instant(required(query, "starting_at"), "starting_at");
        String width = first(query, "time_bucket_width");
        if (width != null && first(query, "ending_at") == null) {
            throw new ApiError(400, "invalid_request_error", "ending_at: Field required when time_bucket_width is set");
        }
        if (!"1d".equals(width)) {
            throw new ApiError(400, "invalid_request_error", "time_bucket_width: this simulator serves 1d buckets only");
        }
        Instant end = instant(required(query, "ending_at"), "ending_at");
        if (start.getEpochSecond() % 86_400 != 0 || end.getEpochSecond() % 86_400 != 0 || !end.isAfter(start)) {
            throw new ApiError(400, "invalid_request_error", "starting_at and ending_at must be UTC midnights, in order");
        }
        if (Duration.between(start, end).toDays() > 31) {
            throw new ApiError(400, "invalid_request_error", "the range may be at most 31 days with time_bucket_width");
        }
        Instant oldest = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(ANALYTICS_DAYS_BACK - 1L)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
        if (start.isBefore(ANALYTICS_FIRST) || start.isBefore(oldest)) {
            throw new ApiError(400, "invalid_request_error", "starting_at: must be within the last 365 days and not"
                    + " before 2026-01-01T00:00:00Z");
        }
        List<String> groupBy = query.getOrDefault("group_by[]", List.of());
        long counted = 0;
        for (String dimension : groupBy) {
            boolean fanOut = AnalyticsAnswers.FAN_OUT.contains(dimension);
            if (!AnalyticsAnswers.DIMENSIONS.contains(dimension) && !(cost && fanOut)) {
                throw new ApiError(400, "invalid_request_error", "group_by: '" + dimension + "' is not a dimension of"
                        + " this report");
            }
            counted += fanOut ? 0 : 1;
        }
        if (counted > 5) {
            throw new ApiError(400, "invalid_request_error", "group_by: at most 5 dimensions");
        }
        int limit = limit(query, 20, 1000);
        // Rows of a day that differ only by cost or token type are one group for the limit: they share a page.
        List<List<Map.Entry<Instant, AnalyticsAnswers.Grouped>>> groups = new ArrayList<>();
        for (Instant day = start; day.isBefore(end); day = day.plus(Duration.ofDays(1))) {
            LocalDate date = LocalDate.ofInstant(day, ZoneOffset.UTC);
            Map<List<Object>, List<Map.Entry<Instant, AnalyticsAnswers.Grouped>>> byBase = new LinkedHashMap<>();
            List<AnalyticsAnswers.Grouped> rows = analyticsDays.computeIfAbsent(List.of(cost, date, groupBy,
                    organization.revision(date)), key -> cost ? analytics.cost(date, groupBy)
                    : analytics.usage(date, groupBy));
            for (AnalyticsAnswers.Grouped row : rows) {
                List<Object> base = new ArrayList<>(row.group().values());
                base.remove(row.group().size() - 1);
                base.remove(row.group().size() - 2);
                byBase.computeIfAbsent(base, k -> new ArrayList<>()).add(Map.entry(day, row));
            }
            int groupCap = maxGroupsPerDay;
            if (groupCap > 0 && byBase.size() > groupCap) {
                throw new ApiError(400, "too_many_report_groups", "A day in the report has usage in more groups than"
                        + " the report can return (" + date + ": " + byBase.size() + " groups, at most " + groupCap
                        + "). Use " + (cost ? "/v1/organizations/cost_report" : "/v1/organizations/usage_report/messages")
                        + " for this range instead, or group by fewer dimensions.");
            }
            groups.addAll(byBase.values());
        }
        String page = first(query, "page");
        int offset = page == null ? 0 : decodeOffset(page);
        if (offset < 0 || offset > groups.size()) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
        List<List<Map.Entry<Instant, AnalyticsAnswers.Grouped>>> pageGroups =
                groups.subList(offset, Math.min(groups.size(), offset + limit));
        int next = offset + pageGroups.size();
        checkSize(pageGroups.stream().mapToInt(List::size).sum());
        Fault.Kind kind = fault == null ? null : fault.kind();
        return json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            boolean first = true;
            boolean repeated = false;
            for (List<Map.Entry<Instant, AnalyticsAnswers.Grouped>> group : pageGroups) {
                for (Map.Entry<Instant, AnalyticsAnswers.Grouped> row : group) {
                    writeAnalyticsRow(json, row.getKey(), row.getValue(), cost);
                    // The bucket faults, as a row: one of an actor repeated (rows of identities the API cannot
                    // name may share a group), one of a day after the window.
                    if (!repeated && kind == Fault.Kind.DUPLICATE_BUCKET
                            && row.getValue().group().get("actor") != null) {
                        writeAnalyticsRow(json, row.getKey(), row.getValue(), cost);
                        repeated = true;
                    }
                    if (first && kind == Fault.Kind.OUT_OF_WINDOW_BUCKET) {
                        writeAnalyticsRow(json, end, row.getValue(), cost);
                    }
                    first = false;
                }
            }
            json.writeEndArray();
            json.writeBooleanField("has_more", next < groups.size() || kind == Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE);
            if (next < groups.size() && kind != Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE) {
                json.writeStringField("next_page", "page_" + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("offset:" + next).getBytes(StandardCharsets.UTF_8)));
            } else {
                json.writeNullField("next_page");
            }
            json.writeStringField("data_refreshed_at", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
            json.writeEndObject();
        };
    }

    /** The token counts and web searches of a usage result, in the order of {@code UsageTuple.measures()}. */
    private static void writeTokens(JsonGenerator json, long[] m) throws IOException {
        json.writeNumberField("uncached_input_tokens", m[0]);
        json.writeObjectFieldStart("cache_creation");
        json.writeNumberField("ephemeral_5m_input_tokens", m[1]);
        json.writeNumberField("ephemeral_1h_input_tokens", m[2]);
        json.writeEndObject();
        json.writeNumberField("cache_read_input_tokens", m[3]);
        json.writeNumberField("output_tokens", m[4]);
        json.writeObjectFieldStart("server_tool_use");
        json.writeNumberField("web_search_requests", m[5]);
        json.writeEndObject();
    }

    private static void writeAnalyticsRow(JsonGenerator json, Instant day, AnalyticsAnswers.Grouped row, boolean cost)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("starting_at", day.toString());
        json.writeStringField("ending_at", day.plus(Duration.ofDays(1)).toString());
        json.writeObjectFieldStart("group");
        for (Map.Entry<String, Object> dimension : row.group().entrySet()) {
            if (!cost && AnalyticsAnswers.FAN_OUT.contains(dimension.getKey())) {
                continue;
            }
            if (dimension.getValue() instanceof AnalyticsAnswers.Actor actor) {
                json.writeObjectFieldStart("actor");
                json.writeStringField("type", actor.type());
                switch (actor.type()) {
                    case "user_actor" -> {
                        json.writeStringField("user_id", actor.id());
                        json.writeStringField("email_address", actor.email());
                        json.writeStringField("name", actor.name());
                        json.writeBooleanField("deleted", actor.deleted());
                    }
                    case "service_account_actor" -> json.writeStringField("service_account_id", actor.id());
                    case "federated_actor" -> {
                        json.writeObjectFieldStart("provider");
                        json.writeStringField("type", actor.provider());
                        if (actor.provider().equals("aws")) {
                            json.writeStringField("account_id", "123456789012");
                            json.writeStringField("signed_principal", actor.id());
                        } else {
                            json.writeStringField("issuer", "https://token.actions.githubusercontent.com");
                        }
                        json.writeEndObject();
                        json.writeStringField("subject", actor.id());
                    }
                    default -> json.writeStringField("api_key_id", actor.id());
                }
                json.writeEndObject();
            } else {
                json.writeStringField(dimension.getKey(), (String) dimension.getValue());
            }
        }
        json.writeEndObject();
        if (cost) {
            json.writeObjectFieldStart("cost");
            json.writeStringField("amount", row.amount().toPlainString());
            json.writeStringField("list_amount", row.list().toPlainString());
            json.writeStringField("currency", "USD");
            if (row.requests() == null) {
                json.writeNullField("requests");
            } else {
                json.writeNumberField("requests", row.requests());
            }
        } else {
            long[] m = row.usage();
            json.writeObjectFieldStart("usage");
            writeTokens(json, m);
            json.writeNumberField("total_tokens", m[6]);
            json.writeNumberField("requests", m[7]);
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private void writeClaudeCode(JsonGenerator json, SyntheticOrganization.ClaudeCodeRecord record, String date)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("date", date);
        json.writeObjectFieldStart("actor");
        json.writeStringField("type", record.actorType());
        if (record.email() != null) {
            json.writeStringField("email_address", record.email());
        } else {
            json.writeStringField("api_key_name", record.apiKeyName());
        }
        json.writeEndObject();
        json.writeStringField("organization_id", organization.id());
        json.writeStringField("customer_type", record.customerType());
        json.writeStringField("subscription_type", record.subscriptionType());
        json.writeStringField("terminal_type", record.terminalType());
        json.writeBooleanField("is_remote", record.remote());
        json.writeObjectFieldStart("core_metrics");
        json.writeNumberField("num_sessions", record.sessions());
        json.writeObjectFieldStart("lines_of_code");
        json.writeNumberField("added", record.linesAdded());
        json.writeNumberField("removed", record.linesRemoved());
        json.writeEndObject();
        json.writeNumberField("commits_by_claude_code", record.commits());
        json.writeNumberField("pull_requests_by_claude_code", record.pullRequests());
        json.writeEndObject();
        json.writeObjectFieldStart("tool_actions");
        for (Map.Entry<String, long[]> tool : record.toolActions().entrySet()) {
            json.writeObjectFieldStart(tool.getKey());
            json.writeNumberField("accepted", tool.getValue()[0]);
            json.writeNumberField("rejected", tool.getValue()[1]);
            json.writeEndObject();
        }
        json.writeEndObject();
        json.writeArrayFieldStart("model_breakdown");
        for (SyntheticOrganization.ModelUsage model : record.models()) {
            json.writeStartObject();
            json.writeStringField("model", model.model());
            json.writeObjectFieldStart("tokens");
            json.writeNumberField("input", model.input());
            json.writeNumberField("output", model.output());
            json.writeNumberField("cache_read", model.cacheRead());
            json.writeNumberField("cache_creation", model.cacheCreation());
            json.writeEndObject();
            json.writeObjectFieldStart("estimated_cost");
            json.writeStringField("currency", "USD");
            json.writeNumberField("amount", model.estimatedCostCents());
            json.writeEndObject();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    // ---- list endpoints ------------------------------------------------------------------------------------

    private interface ListObject {
        String id();

        void write(JsonGenerator json) throws IOException;
    }

    private JsonBody list(Map<String, List<String>> query, List<ListObject> objects) {
        int limit = limit(query, 20, 1000);
        String after = first(query, "after_id");
        int from = 0;
        if (after != null) {
            from = -1;
            for (int i = 0; i < objects.size(); i++) {
                if (objects.get(i).id().equals(after)) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                throw new ApiError(400, "invalid_request_error", "after_id: no such object");
            }
        }
        List<ListObject> slice = objects.subList(Math.min(from, objects.size()), Math.min(from + limit, objects.size()));
        boolean hasMore = from + limit < objects.size();
        return json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            for (ListObject object : slice) {
                object.write(json);
            }
            json.writeEndArray();
            json.writeBooleanField("has_more", hasMore);
            json.writeStringField("first_id", slice.isEmpty() ? null : slice.get(0).id());
            json.writeStringField("last_id", slice.isEmpty() ? null : slice.get(slice.size() - 1).id());
            json.writeEndObject();
        };
    }

    private List<ListObject> workspaceObjects(Map<String, List<String>> query) {
        boolean archived = "true".equals(first(query, "include_archived"));
        List<ListObject> objects = new ArrayList<>();
        if ("true".equals(first(query, "include_default"))) {
            Instant created = organization.workspaces().stream().map(SyntheticOrganization.Workspace::createdAt)
                    .min(Instant::compareTo).orElse(Instant.EPOCH);
            objects.add(object(organization.defaultWorkspaceId(), json -> {
                json.writeStringField("type", "workspace");
                json.writeStringField("name", "Default Workspace");
                json.writeStringField("created_at", created.toString());
                json.writeNullField("archived_at");
                json.writeStringField("display_color", "#6C5BB9");
            }));
        }
        for (SyntheticOrganization.Workspace workspace : organization.workspaces()) {
            if (workspace.archivedAt() != null && !archived) {
                continue;
            }
            objects.add(object(workspace.id(), json -> {
                json.writeStringField("type", "workspace");
                json.writeStringField("name", workspace.name());
                json.writeStringField("created_at", workspace.createdAt().toString());
                json.writeStringField("archived_at",
                        workspace.archivedAt() == null ? null : workspace.archivedAt().toString());
                json.writeStringField("display_color", "#6C5BB9");
            }));
        }
        return objects;
    }

    private List<ListObject> apiKeyObjects() {
        List<ListObject> objects = new ArrayList<>();
        for (SyntheticOrganization.ApiKey key : organization.apiKeys()) {
            objects.add(object(key.id(), json -> {
                json.writeStringField("type", "api_key");
                json.writeStringField("name", key.name());
                if (scopedApiKeys) {
                    json.writeObjectFieldStart("scope");
                    json.writeStringField("type", key.workspaceId() == null ? "organization" : "workspace");
                    json.writeStringField("workspace_id", key.workspaceId());
                    json.writeEndObject();
                    json.writeNullField("expires_at");
                } else {
                    json.writeStringField("workspace_id", key.workspaceId());
                }
                json.writeStringField("created_at", key.createdAt().toString());
                json.writeObjectFieldStart("created_by");
                json.writeStringField("id", organization.users().isEmpty() ? null : organization.users().get(0).id());
                json.writeStringField("type", "user");
                json.writeEndObject();
                json.writeStringField("partial_key_hint", "sk-ant-api03-…" + key.id().substring(key.id().length() - 4));
                json.writeStringField("status", key.status());
            }));
        }
        return objects;
    }

    private List<ListObject> userObjects() {
        List<ListObject> objects = new ArrayList<>();
        for (SyntheticOrganization.User user : organization.users()) {
            objects.add(object(user.id(), json -> {
                json.writeStringField("type", "user");
                json.writeStringField("email", user.email());
                json.writeStringField("name", user.name());
                json.writeStringField("role", user.role());
                json.writeStringField("added_at", user.addedAt().toString());
            }));
        }
        return objects;
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static ListObject object(String id, Fields fields) {
        return new ListObject() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void write(JsonGenerator json) throws IOException {
                json.writeStartObject();
                json.writeStringField("id", id);
                fields.write(json);
                json.writeEndObject();
            }
        };
    }

    // ---- parameters ----------------------------------------------------------------------------------------

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String required(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        if (value == null || value.isEmpty()) {
            throw new ApiError(400, "invalid_request_error", name + ": Field required");
        }
        return value;
    }

    private static Instant instant(String text, String name) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new ApiError(400, "invalid_request_error", name + ": Input should be a valid datetime (RFC 3339)");
        }
    }

    private static int limit(Map<String, List<String>> query, int defaultLimit, int maxLimit) {
        String text = first(query, "limit");
        if (text == null) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= maxLimit) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiError(400, "invalid_request_error", "limit: Input should be between 1 and " + maxLimit);
    }

    private static List<String> groupBy(Map<String, List<String>> query, Set<String> allowed) {
        List<String> groupBy = query.getOrDefault("group_by[]", List.of());
        for (String dimension : groupBy) {
            if (!allowed.contains(dimension)) {
                throw new ApiError(400, "invalid_request_error", "group_by: Input should be one of "
                        + String.join(", ", allowed.stream().sorted().toList()) + "; got '" + dimension + "'");
            }
        }
        return groupBy;
    }

    private void checkSize(int results) {
        int cap = maxResultsPerResponse;
        if (cap > 0 && results > cap) {
            throw new ApiError(400, "report_page_too_large", "The requested page of the report has more usage than"
                    + " one page can hold. Send a lower `limit` and page through the rest.");
        }
    }

    private static String encodeCursor(Instant instant) {
        return "page_" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(instant.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Instant decodeCursor(String cursor) {
        try {
            return Instant.parse(new String(Base64.getUrlDecoder().decode(cursor.substring("page_".length())),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
    }

    private static int decodeOffset(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor.substring("page_".length())),
                    StandardCharsets.UTF_8);
            return Integer.parseInt(text.substring("offset:".length()));
        } catch (RuntimeException e) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
    }

    // ---- responses -----------------------------------------------------------------------------------------

    private interface JsonBody {
        void write(JsonGenerator json) throws IOException;
    }

    private static final class ApiError extends RuntimeException {
        final int status;
        final String type;

        ApiError(int status, String type, String message) {
            super(message);
            this.status = status;
            this.type = type;
        }
    }

    private static String errorType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 408 -> "request_timeout";
            case 409 -> "conflict_error";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
    }

    private static void sendError(HttpExchange exchange, int status, String type, String message, String requestId,
            Duration retryAfter) throws IOException {
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("retry-after", Long.toString(Math.max(0, retryAfter.toSeconds())));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("type", "error");
            json.writeObjectFieldStart("error");
            json.writeStringField("type", type);
            json.writeStringField("message", message);
            json.writeEndObject();
            json.writeStringField("request_id", requestId);
            json.writeEndObject();
        }
        exchange.sendResponseHeaders(status, bytes.size());
        exchange.getResponseBody().write(bytes.toByteArray());
    }

    private static void send(HttpExchange exchange, JsonBody body, Fault fault) throws IOException {
        Fault.Kind kind = fault == null ? null : fault.kind();
        if (kind == Fault.Kind.TRUNCATE_BODY || kind == Fault.Kind.MALFORMED_JSON || kind == Fault.Kind.STALL_BODY) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JsonGenerator json = JSON.createGenerator(bytes)) {
                body.write(json);
            }
            byte[] all = bytes.toByteArray();
            int half = all.length / 2;
            if (kind == Fault.Kind.MALFORMED_JSON) {
                exchange.sendResponseHeaders(200, half);
                exchange.getResponseBody().write(all, 0, half);
            } else if (kind == Fault.Kind.STALL_BODY) {
                exchange.sendResponseHeaders(200, all.length);
                OutputStream out = exchange.getResponseBody();
                out.write(all, 0, half);
                out.flush();
                sleep(fault.delay());
                out.write(all, half, all.length - half);
            } else {
                // Promise the whole body, send half, and drop the connection.
                exchange.sendResponseHeaders(200, all.length);
                OutputStream out = exchange.getResponseBody();
                out.write(all, 0, half);
                out.flush();
                throw new IOException("truncated on purpose");
            }
            return;
        }
        // A whole body with its length, so that every answer is framed the same way.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            body.write(json);
        }
        if (kind == Fault.Kind.NEGATIVE_AMOUNTS) {
            byte[] negative = bytes.toString(StandardCharsets.UTF_8).replace("\"amount\":\"", "\"amount\":\"-")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, negative.length);
            exchange.getResponseBody().write(negative);
            return;
        }
        exchange.sendResponseHeaders(200, bytes.size());
        bytes.writeTo(exchange.getResponseBody());
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
