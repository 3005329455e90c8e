package dev.claudedataingestion.simulator;

import static dev.claudedataingestion.simulator.Parameters.first;
import static dev.claudedataingestion.simulator.Parameters.groupBy;
import static dev.claudedataingestion.simulator.Parameters.limit;
import static dev.claudedataingestion.simulator.Parameters.parseQuery;
import static dev.claudedataingestion.simulator.Parameters.required;
import static dev.claudedataingestion.simulator.Responses.errorType;
import static dev.claudedataingestion.simulator.Responses.send;
import static dev.claudedataingestion.simulator.Responses.sendError;
import static dev.claudedataingestion.simulator.Responses.sleep;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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

    /** Where the Usage and Cost Analytics API's endpoints are. */
    static final String ANALYTICS = "/v1/organizations/analytics/";
    private static final String ANALYTICS_BETA = "analytics-usage-cost-2026-08-24";

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
    private final BucketEndpoints bucketEndpoints;
    private final ClaudeCodeEndpoint claudeCodeEndpoint;
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
        this.bucketEndpoints = new BucketEndpoints(organization, clock, () -> maxBucketsPerPage, this::checkSize);
        this.claudeCodeEndpoint = new ClaudeCodeEndpoint(organization, this::checkSize);
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
            case USAGE_REPORT -> bucketEndpoints.usage(query, fault);
            case COST_REPORT -> bucketEndpoints.cost(query, fault);
            case CLAUDE_CODE_REPORT -> claudeCodeEndpoint.report(query, fault);
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

    private void checkSize(int results) {
        int cap = maxResultsPerResponse;
        if (cap > 0 && results > cap) {
            throw new ApiError(400, "report_page_too_large", "The requested page of the report has more usage than"
                    + " one page can hold. Send a lower `limit` and page through the rest.");
        }
    }
}
