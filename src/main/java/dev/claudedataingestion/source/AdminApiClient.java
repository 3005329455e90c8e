package dev.claudedataingestion.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.model.ApiKey;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.User;
import dev.claudedataingestion.model.Workspace;
import dev.claudedataingestion.reports.Endpoint;
import dev.claudedataingestion.reports.Json;
import dev.claudedataingestion.reports.Report;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reads the reports declared in {@code reports}, the organization and its dimensions from Anthropic's Admin API. Pages are parsed as they arrive and
 * handed to a {@link PageSink} row by row; no report is ever held in memory. Retryable failures (408, 409,
 * 429, 5xx, 529, dropped connections, broken bodies) are retried with exponential backoff and jitter,
 * honouring {@code retry-after}; anything else fails at once with an {@link AdminApiException}. Every wait (a
 * request, a pause before a retry, a body that trickles) ends at the run's {@link Deadline}, and a cursor that does
 * not move the answer on is an error, so that no answer of the API can keep a run past its deadline.
 */
public final class AdminApiClient {

    private static final Logger log = LoggerFactory.getLogger(AdminApiClient.class);

    static final String API_VERSION = "2023-06-01";
    /** Largest page of the list endpoints. */
    static final int MAX_LIST_PAGE = 1000;
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(2);
    private static final int ERROR_BODY_LIMIT = 64 * 1024;
    /** A body slower than this, after the grace below, is abandoned: pages arrive at megabytes a second. */
    private static final long MINIMUM_BYTES_PER_SECOND = 1024;
    private static final Duration RATE_GRACE = Duration.ofSeconds(15);

    private final ApiConfig config;
    private final Deadline deadline;
    private final HttpClient http;
    private final RateLimiter limiter;
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private final AtomicLong requests = new AtomicLong();
    /** Answers read whole: until there is one, a failure to connect or a body that is not JSON means a wrong URL. */
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong shrunk = new AtomicLong();
    private final LongAdder waitingNanos = new LongAdder();
    private final ScheduledExecutorService watchdogs = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "admin-api-body-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** A client for a command without a deadline. */
    public AdminApiClient(ApiConfig config) {
        this(config, Deadline.none(Clock.systemUTC()));
    }

    /** A client for a run that must be done by {@code deadline}. */
    public AdminApiClient(ApiConfig config, Deadline deadline) {
        this.config = config;
        this.deadline = deadline;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .version("http".equals(config.baseUrl().getScheme()) ? HttpClient.Version.HTTP_1_1
                        : HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.limiter = new RateLimiter(config.requestsPerSecond(), config.burst());
    }

    /** HTTP requests sent so far, retries included. */
    public long requestsMade() {
        return requests.get();
    }

    /** Requests sent again after a retryable failure. */
    public long retriesMade() {
        return retries.get();
    }

    /** Pages asked for again with a lower {@code limit}, the API having said they were too large. */
    public long pagesShrunk() {
        return shrunk.get();
    }

    /**
     * Time spent waiting on the API so far: for the response headers, and blocked reading bodies. The rest of a
     * fetch is this process's own work (parsing, handing rows on).
     */
    public Duration timeWaiting() {
        return Duration.ofNanos(waitingNanos.sum());
    }

    /** The organization the key belongs to. */
    public Organization organization() {
        if (!config.key().isAdmin()) {
            // An API key may not read /me; the settings made sure the organization is named.
            return new Organization(config.organizationId().orElseThrow(), null);
        }
        return call("organization", "/v1/organizations/me", new QueryString(), null, (parser, requestId) -> {
            JsonNode me = mapper.readTree(parser);
            String id = me == null ? null : Json.text(me, "id");
            if (id == null || id.isBlank()) {
                throw AdminApiException.invalidResponse("organization has no id", requestId, "organization");
            }
            return new Organization(id, Json.text(me, "name"));
        });
    }

    /**
     * Streams {@code report} for the whole days of {@code window} into {@code sink}, as its declaration says: in
     * buckets grouped as declared, or one day per request. {@code dayFetched} is told of each day of a report read a
     * day at a time, as it completes.
     */
    public void fetch(Report report, DayRange window, PageSink<Row> sink, Consumer<LocalDate> dayFetched) {
        String context = report.id() + " " + window;
        report.endpoint().match(buckets -> {
            BucketSpan span = new BucketSpan(window.startInstant(), window.endInstant(), buckets.width(),
                    buckets.widthName());
            long inWindow = Duration.between(span.start(), span.end()).dividedBy(buckets.width());
            fetchBuckets(context, buckets, span, (int) Math.min(buckets.maxBucketsPerPage(), inWindow),
                    (result, bucketStart) -> report.parse(result, bucketStart, sink::accept), sink);
            return null;
        }, records -> {
            window.days().forEach(day -> {
                fetchDay(report, records, day, sink);
                dayFetched.accept(day);
            });
            return null;
        }, rows -> {
            fetchRows(report, rows, window, sink);
            return null;
        });
    }

    private void fetchDay(Report report, Endpoint.DailyRecords records, LocalDate day, PageSink<Row> sink) {
        String context = report.id() + " " + day;
        Instant dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Pages.Cursors cursors = new Pages.Cursors(context);
        String page = null;
        int pages = 0;
        int limit = records.limit();
        while (true) {
            QueryString query = new QueryString()
                    .add("starting_at", day)
                    .add("limit", limit)
                    .add("page", page);
            Pages.PageInfo info;
            try {
                info = call(context, records.path(), query, sink,
                        (parser, requestId) -> Pages.readPage(parser, requestId, context,
                                element -> report.parse(mapper.readTree(element), dayStart, sink::accept)));
            } catch (AdminApiException e) {
                if (!e.isPageTooLarge()) {
                    throw e;
                }
                limit = smallerLimit(context, e, limit);
                continue;
            }
            page = cursors.next(info.nextPage(context), info.elements(), info.requestId());
            pages++;
            if (page == null) {
                break;
            }
        }
        log.debug("{}: {} pages", context, pages);
    }

    /**
     * Reads a report of grouped rows for the window in one paged request series. Each row must be one whole bucket of
     * the window: the rows of a day may come in any order and on any page, and the spool refuses one seen twice.
     */
    private void fetchRows(Report report, Endpoint.Rows rows, DayRange window, PageSink<Row> sink) {
        String context = report.id() + " " + window;
        BucketSpan span = new BucketSpan(window.startInstant(), window.endInstant(), rows.width(), rows.widthName());
        Pages.Cursors cursors = new Pages.Cursors(context);
        String page = null;
        int limit = rows.limit();
        while (true) {
            QueryString query = new QueryString()
                    .add("starting_at", span.start())
                    .add("ending_at", span.end())
                    .add("time_bucket_width", rows.widthName())
                    .add("limit", limit)
                    .addAll("group_by[]", rows.groupBy())
                    .add("page", page);
            Pages.PageInfo info;
            try {
                info = call(context, rows.path(), rows.beta(), query, sink, (parser, requestId) ->
                        Pages.readPage(parser, requestId, context, element -> {
                            JsonNode row = mapper.readTree(element);
                            // Rows of a day come in any order: each is checked alone, and the spool refuses a
                            // repeat.
                            report.parse(row, span.bucket(Json.text(row, "starting_at"), Json.text(row, "ending_at"),
                                    requestId, context), sink::accept);
                        }));
            } catch (AdminApiException e) {
                if (!e.isPageTooLarge()) {
                    throw e;
                }
                limit = smallerLimit(context, e, limit);
                continue;
            }
            page = cursors.next(info.nextPage(context), info.elements(), info.requestId());
            if (page == null) {
                return;
            }
        }
    }

    /**
     * Every workspace, archived ones too, and the default workspace with its real id where the API lists it
     * ({@code include_default=true}): the one that list holds beyond the plain one, marked as the default.
     */
    public void listWorkspaces(java.util.function.Consumer<Workspace> each) {
        java.util.Set<String> named = new java.util.HashSet<>();
        list("workspaces", "/v1/organizations/workspaces", new QueryString().add("include_archived", "true"),
                node -> named.add(Json.text(node, "id")));
        list("workspaces", "/v1/organizations/workspaces", new QueryString().add("include_archived", "true")
                .add("include_default", "true"), node -> each.accept(new Workspace(Json.text(node, "id"),
                        Json.text(node, "name"), Json.text(node, "display_color"), Json.instant(node, "created_at"),
                        Json.instant(node, "archived_at"), !named.contains(Json.text(node, "id")))));
    }

    /** Every API key, in either shape: with a flat {@code workspace_id}, or with {@code scope}. */
    public void listApiKeys(java.util.function.Consumer<ApiKey> each) {
        list("api_keys", "/v1/organizations/api_keys", new QueryString(), node -> {
            JsonNode scope = node.path("scope");
            String workspace = node.has("workspace_id") ? Json.text(node, "workspace_id")
                    : scope.isObject() ? Json.text(scope, "workspace_id") : null;
            each.accept(new ApiKey(Json.text(node, "id"), Json.text(node, "name"), workspace,
                    Json.text(node, "status"), Json.instant(node, "created_at"),
                    Json.text(node.path("created_by"), "id"), Json.text(node, "partial_key_hint"),
                    Json.instant(node, "expires_at")));
        });
    }

    /** Every member of the organization. */
    public void listUsers(java.util.function.Consumer<User> each) {
        list("users", "/v1/organizations/users", new QueryString(), node -> each.accept(new User(
                Json.text(node, "id"), Json.text(node, "email"), Json.text(node, "name"),
                Json.text(node, "role"), Json.instant(node, "added_at"))));
    }

    private interface ObjectHandler {
        void handle(JsonNode object);
    }

    /** Pages through a list endpoint with {@code after_id} while {@code has_more}. */
    private void list(String context, String path, QueryString base, ObjectHandler handler) {
        Pages.Cursors cursors = new Pages.Cursors(context);
        String after = null;
        while (true) {
            QueryString query = new QueryString().add("limit", MAX_LIST_PAGE).add("after_id", after);
            String baseText = base.toString();
            QueryString full = baseText.isEmpty() ? query : query.raw(baseText);
            JsonNode page = call(context, path, full, null, (parser, requestId) -> {
                JsonNode answer = mapper.readTree(parser);
                if (answer == null || !answer.path("data").isArray()) {
                    throw AdminApiException.invalidResponse("the answer has no data array", requestId, context);
                }
                return answer;
            });
            for (JsonNode object : page.get("data")) {
                if (Json.text(object, "id") == null) {
                    throw AdminApiException.invalidResponse("an object without id", null, context);
                }
                try {
                    handler.handle(object);
                } catch (Json.InvalidResponse e) {
                    throw AdminApiException.invalidResponse(e.getMessage(), null, context);
                }
            }
            if (!page.path("has_more").asBoolean(false)) {
                return;
            }
            String last = Json.text(page, "last_id");
            if (last == null) {
                throw AdminApiException.invalidResponse("has_more is true but last_id is missing", null, context);
            }
            after = cursors.next(last, page.get("data").size(), null);
        }
    }

    private void fetchBuckets(String context, Endpoint.Buckets endpoint, BucketSpan span, int limit,
            Pages.ResultHandler handler, PageBoundary sink) {
        BucketSpan.Cursor cursor = span.cursor();
        PageBoundary boundary = PageBoundary.both(cursor, sink);
        Pages.Cursors cursors = new Pages.Cursors(context);
        Instant from = span.start();
        String page = null;
        int pageLimit = limit;
        while (true) {
            QueryString query = new QueryString()
                    .add("starting_at", from)
                    .add("ending_at", span.end())
                    .add("bucket_width", span.width())
                    .add("limit", pageLimit)
                    .addAll("group_by[]", endpoint.groupBy())
                    .add("page", page);
            Pages.PageInfo info;
            try {
                info = call(context, endpoint.path(), query, boundary, (parser, requestId) -> Pages.readPage(parser,
                        requestId, context,
                        element -> Pages.readBucket(mapper, element, cursor, requestId, context, handler)));
            } catch (AdminApiException e) {
                // A page of many buckets grouped by every dimension can exceed the API's response size cap, which
                // it reports as 400 (report_page_too_large, or before that code a 400 that says "too large"). Ask
                // for the buckets not yet received again, in pages half as large. Any other 400 (a cursor the API
                // refuses, say) is no reason to ask for less.
                boolean tooLarge = e.isPageTooLarge() || endpoint.shrinkWhenTooLarge() && e.status() == 400
                        && pageLimit > 1 && e.apiMessage() != null && e.apiMessage().contains("too large");
                if (!tooLarge || !cursor.nextExpected().isBefore(span.end())) {
                    throw e;
                }
                pageLimit = smallerLimit(context, e, pageLimit);
                from = cursor.nextExpected();
                page = null;
                cursors = new Pages.Cursors(context);
                continue;
            }
            page = cursors.next(info.nextPage(context), info.elements(), info.requestId());
            if (page == null) {
                cursor.finish(context);
                return;
            }
        }
    }

    /**
     * The {@code limit} to ask for the same page again with, when the API said a page of {@code limit} holds more
     * than one page can ({@code report_page_too_large}, which the caller has made sure {@code e} says): half of it,
     * counted. At a limit of one, an error that says so.
     */
    private int smallerLimit(String context, AdminApiException e, int limit) {
        if (limit <= 1) {
            throw new AdminApiException(e.status(), e.errorType(), "the API says even one "
                    + (e.apiMessage() == null ? "" : "(" + e.apiMessage() + ") ") + "element is more than a page can"
                    + " hold; nothing of this window was written. Report it to Anthropic with the request id",
                    e.requestId(), context, e);
        }
        int smaller = Math.max(1, limit / 2);
        shrunk.incrementAndGet();
        log.warn("{}: the API said a page of {} is too large ({}); asking for the same page with limit {}", context,
                limit, e.apiMessage(), smaller);
        return smaller;
    }

    private interface BodyReader<R> {
        R read(JsonParser parser, String requestId) throws IOException;
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException, InterruptedException {
        long sent = System.nanoTime();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } finally {
            waitingNanos.add(System.nanoTime() - sent);
        }
    }

    /**
     * Sends one GET, retrying what may succeed later, and reads a 200 answer with {@code reader}. A body that
     * breaks off part way is fetched again after the sink has dropped what it received of it.
     */
    private <R> R call(String context, String path, QueryString query, PageBoundary sink, BodyReader<R> reader) {
        return call(context, path, null, query, sink, reader);
    }

    /** {@link #call(String, String, QueryString, PageBoundary, BodyReader)} with an {@code anthropic-beta} header. */
    private <R> R call(String context, String path, String beta, QueryString query, PageBoundary sink,
            BodyReader<R> reader) {
        String queryText = query.toString();
        URI uri = config.baseUrl().resolve(path + (queryText.isEmpty() ? "" : "?" + queryText));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .header("x-api-key", config.key().reveal())
                .header("anthropic-version", API_VERSION)
                .header("user-agent", config.userAgent())
                .header("accept", "application/json")
                .GET();
        if (beta != null) {
            builder.header("anthropic-beta", beta);
        }
        for (int attempt = 0; ; attempt++) {
            if (deadline.hasPassed()) {
                throw AdminApiException.deadline(null, context);
            }
            acquirePermit(context);
            Duration timeout = deadline.cap(config.requestTimeout());
            HttpRequest request = builder.timeout(timeout.isZero() ? Duration.ofMillis(1) : timeout).build();
            requests.incrementAndGet();
            log.debug("{}: GET {}", context, uri.getPath());
            HttpResponse<InputStream> response;
            try {
                response = send(request);
            } catch (IOException e) {
                String problem = "no answer from " + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                        + " (" + describe(e) + ")";
                if (answers.get() == 0 && (e instanceof java.net.ConnectException
                        || e instanceof java.net.http.HttpConnectTimeoutException)) {
                    // Retries are for an API that answered before: no connection at all first is a wrong address.
                    throw new AdminApiException(0, AdminApiException.CONNECTION_FAILED, problem + ". Check"
                            + " ANTHROPIC_BASE_URL (" + config.baseUrl() + "): it should be https://api.anthropic.com,"
                            + " or the simulator's address", null, context, e);
                }
                if (attempt >= config.maxRetries()) {
                    throw new AdminApiException(0, AdminApiException.CONNECTION_FAILED,
                            problem + " after " + (attempt + 1) + " attempts", null, context, e);
                }
                backOff(context, attempt, problem, Optional.empty());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdminApiException(0, AdminApiException.INTERRUPTED, "interrupted while waiting for the API", null, context, e);
            }
            String requestId = response.headers().firstValue("request-id").orElse(null);
            int status = response.statusCode();
            if (status == 200) {
                try (InputStream body = new IdleTimeoutInputStream(response.body(), config.requestTimeout(),
                        MINIMUM_BYTES_PER_SECOND, RATE_GRACE, deadline, watchdogs, waitingNanos);
                        JsonParser parser = mapper.createParser(body)) {
                    R result = reader.read(parser, requestId);
                    if (sink != null) {
                        sink.pageCompleted();
                    }
                    answers.incrementAndGet();
                    return result;
                } catch (IOException e) {
                    if (sink != null) {
                        sink.discardPartialPage();
                    }
                    String problem = "the answer broke off or is not valid JSON (" + describe(e) + ")";
                    if (answers.get() == 0 && e instanceof com.fasterxml.jackson.core.JsonParseException
                            && !(e instanceof com.fasterxml.jackson.core.io.JsonEOFException)) {
                        // The first answer is not JSON at all (an HTML page, say): not the Admin API.
                        throw new AdminApiException(status, AdminApiException.INVALID_RESPONSE, "the answer from "
                                + config.baseUrl() + " is not the Admin API's JSON; check ANTHROPIC_BASE_URL",
                                requestId, context, e);
                    }
                    if (attempt >= config.maxRetries()) {
                        throw new AdminApiException(status, AdminApiException.INVALID_RESPONSE,
                                problem + " after " + (attempt + 1) + " attempts", requestId, context, e);
                    }
                    backOff(context, attempt, problem, Optional.empty());
                    continue;
                } catch (RuntimeException e) {
                    if (sink != null) {
                        sink.discardPartialPage();
                    }
                    throw e;
                }
            }
            ApiError error = readError(response);
            if (!isRetryable(status) || attempt >= config.maxRetries()) {
                String message = error.message();
                if (isRetryable(status)) {
                    message = (message == null ? "" : message + "; ") + "gave up after " + (attempt + 1) + " attempts";
                }
                throw new AdminApiException(status, error.type(), message, requestId, context, null);
            }
            if (requestId != null) {
                MDC.put("request_id", requestId);
            }
            try {
                backOff(context, attempt, status + " " + error.type() + (requestId == null ? "" : " (" + requestId + ")"),
                        retryAfter(response));
            } finally {
                MDC.remove("request_id");
            }
        }
    }

    /** 408, 409, 429, 5xx and 529 may succeed when asked again; Anthropic's SDKs retry the same set. */
    static boolean isRetryable(int status) {
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }

    private record ApiError(String type, String message) {
    }

    private ApiError readError(HttpResponse<InputStream> response) {
        String fallback = "http_" + response.statusCode();
        Optional<String> location = response.headers().firstValue("location");
        if (response.statusCode() / 100 == 3 && location.isPresent()) {
            return new ApiError(fallback, "the address redirects to " + AdminApiException.excerpt(location.get(), 200)
                    + "; set ANTHROPIC_BASE_URL to the API's own address (redirects are not followed, so that the key"
                    + " is never sent elsewhere)");
        }
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(ERROR_BODY_LIMIT);
            try {
                JsonNode error = mapper.readTree(bytes).path("error");
                String type = Json.text(error, "type");
                return new ApiError(type == null ? fallback : type, Json.text(error, "message"));
            } catch (IOException | RuntimeException e) {
                String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
                return new ApiError(fallback, text.length() > 200 ? text.substring(0, 200) + "…" : text);
            }
        } catch (IOException e) {
            return new ApiError(fallback, null);
        }
    }

    /** {@code retry-after-ms} (Anthropic) or {@code retry-after} in seconds, capped. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<Duration> wait = response.headers().firstValue("retry-after-ms")
                .flatMap(ms -> parse(ms, 1))
                .or(() -> response.headers().firstValue("retry-after").flatMap(seconds -> parse(seconds, 1000)));
        return wait.map(d -> d.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : d);
    }

    private static Optional<Duration> parse(String number, int millisPerUnit) {
        try {
            double value = Double.parseDouble(number.strip());
            return value >= 0 ? Optional.of(Duration.ofMillis((long) (value * millisPerUnit))) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void backOff(String context, int attempt, String problem, Optional<Duration> retryAfter) {
        long capMillis = config.retryMaxDelay().toMillis();
        long exponential = Math.min(capMillis, config.retryBaseDelay().toMillis() << Math.min(attempt, 20));
        long jittered = (long) (exponential * (1 - 0.25 * ThreadLocalRandom.current().nextDouble()));
        long waitMillis = retryAfter.map(Duration::toMillis).orElse(jittered);
        if (waitMillis >= deadline.remaining().toMillis()) {
            throw AdminApiException.deadline(problem + " (the API asked for " + waitMillis + " ms)", context);
        }
        retries.incrementAndGet();
        log.warn("{}: {}; retry {} of {} in {} ms", context, problem, attempt + 1, config.maxRetries(), waitMillis);
        try {
            Thread.sleep(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminApiException(0, AdminApiException.INTERRUPTED, "interrupted while waiting to retry", null, context, e);
        }
    }

    private void acquirePermit(String context) {
        try {
            limiter.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminApiException(0, AdminApiException.INTERRUPTED, "interrupted while waiting to send", null, context, e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
