package dev.claudedataingestion.simulator;

import static dev.claudedataingestion.simulator.Parameters.decodeCursor;
import static dev.claudedataingestion.simulator.Parameters.decodeOffset;
import static dev.claudedataingestion.simulator.Parameters.encodeCursor;
import static dev.claudedataingestion.simulator.Parameters.first;
import static dev.claudedataingestion.simulator.Parameters.groupBy;
import static dev.claudedataingestion.simulator.Parameters.instant;
import static dev.claudedataingestion.simulator.Parameters.limit;
import static dev.claudedataingestion.simulator.Parameters.parseQuery;
import static dev.claudedataingestion.simulator.Parameters.required;
import static dev.claudedataingestion.simulator.Responses.errorType;
import static dev.claudedataingestion.simulator.Responses.send;
import static dev.claudedataingestion.simulator.Responses.sendError;
import static dev.claudedataingestion.simulator.Responses.sleep;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
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
    /** Where the Usage and Cost Analytics API's endpoints are. */
    static final String ANALYTICS = "/v1/organizations/analytics/";
    private static final String ANALYTICS_BETA = "analytics-usage-cost-2026-08-24";
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
    private final ListEndpoints lists;
    private final AnalyticsEndpoint analyticsEndpoint;
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
        this.lists = new ListEndpoints(organization);
        this.analyticsEndpoint = new AnalyticsEndpoint(organization, clock, analytics);
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
        Route route = Route.of(path).orElseThrow(() -> new ApiError(404, "not_found_error", "Not found: " + path));
        Fault fault = nextFault(route, path);
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
        JsonBody body = route(route, query, fault);
        send(exchange, body, fault);
    }

    private JsonBody route(Route route, Map<String, List<String>> query, Fault fault) {
        return switch (route) {
            case ORGANIZATION -> json -> {
                json.writeStartObject();
                json.writeStringField("id", organization.id());
                json.writeStringField("type", "organization");
                json.writeStringField("name", organization.name());
                json.writeEndObject();
            };
            case USAGE_REPORT -> usageReport(query, fault);
            case COST_REPORT -> costReport(query, fault);
            case CLAUDE_CODE_REPORT -> claudeCodeReport(query, fault);
            case ANALYTICS_USAGE -> analyticsEndpoint.report(query, fault, false, maxGroupsPerDay, this::checkSize);
            case ANALYTICS_COST -> analyticsEndpoint.report(query, fault, true, maxGroupsPerDay, this::checkSize);
            case WORKSPACES -> lists.workspaces(query);
            case API_KEYS -> lists.apiKeys(query, scopedApiKeys);
            case USERS -> lists.users(query);
        };
    }

    /** The next fault for a request of {@code route}: one aimed at its path, or else at every report. */
    private Fault nextFault(Route route, String path) {
        boolean report = route.isReport();
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
                JsonBody.writeTokens(out, m);
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

    private void checkSize(int results) {
        int cap = maxResultsPerResponse;
        if (cap > 0 && results > cap) {
            throw new ApiError(400, "report_page_too_large", "The requested page of the report has more usage than"
                    + " one page can hold. Send a lower `limit` and page through the rest.");
        }
    }
}
