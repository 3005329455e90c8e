package dev.claudedataingestion.warehouse.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A local stand-in for the BigQuery REST API, enough for the official Java client as this project uses it:
 * datasets, tables (create, get, update, delete), resumable-upload load jobs of newline-delimited JSON, query jobs
 * and the jobs.query fast path, getQueryResults and tabledata.list. Tables live in an in-memory DuckDB; each
 * statement the client sends is translated (backticked names, named parameters, {@code GENERATE_DATE_ARRAY},
 * {@code DATE_SUB}, {@code CURRENT_DATE()}) and executed, scripts inside one DuckDB transaction, so a statement that
 * fails rolls the whole script back, as BigQuery does. Statements and requests are recorded for tests.
 *
 * <p>It refuses what BigQuery refuses where this project could get it wrong: a job in another location than its
 * datasets ({@code notFound}), a timestamp with more than six fractional digits ({@code invalid}), a job id used
 * before (409 {@code duplicate}). It can hold jobs {@code RUNNING} (honouring {@code jobTimeoutMs} and
 * {@code jobs.cancel}), answer a job request with a 503 after running it, and abort the next transactions as a
 * concurrent one would.
 *
 * <p>Before it runs a statement, BigQuery's own analyzer ({@link ZetaSqlAnalyzer}) checks it against what the fake
 * holds, and a statement BigQuery would refuse is answered 400 {@code invalidQuery} with the analyzer's message;
 * what it accepted is recorded ({@link StatementRecord}) when it closes. It proves nothing about quotas, partition
 * pruning, billing, or eventual consistency of metadata.
 */
public final class BigQueryFake implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TABLE_NAME = Pattern.compile("`([a-z][a-z0-9-]*)\\.(\\w+)\\.(\\w+)`");
    private static final Pattern PARAMETER = Pattern.compile("@(\\w+)");

    /** A request as the fake received it: method, path, query and (gunzipped) body. */
    public record Recorded(String method, String path, String query, String body) {
    }

    private record Fault(String reason, String message) {
    }

    private record Result(ArrayNode fields, List<List<String>> rows) {
    }

    private final HttpServer server;
    private final Connection duck;
    private final Map<String, ObjectNode> datasets = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> tables = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> jobs = new ConcurrentHashMap<>();
    private final Map<String, Result> results = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> uploads = new ConcurrentHashMap<>();
    private final Map<String, ByteArrayOutputStream> uploadBytes = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<String> statements = new CopyOnWriteArrayList<>();
    private final Deque<Fault> jobFaults = new ArrayDeque<>();
    private final Deque<Fault> transactionFaults = new ArrayDeque<>();
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** BigQuery's own analyzer, with a catalog of what this fake has created. */
    private final ZetaSqlAnalyzer analyzer = new ZetaSqlAnalyzer();
    /** What the analyzer accepted, for {@code target/bigquery-statements.sql}. */
    private final StatementRecord record = new StatementRecord();
    private Duration hold = Duration.ZERO;
    private int ambiguousAnswers;
    private int refusedJobRequests;
    private long dryRunBytes;

    /** A job kept RUNNING until {@code readyAt}, then run by {@code run}; stopped earlier by its own timeout. */
    private record Held(ObjectNode job, Instant readyAt, Instant timeoutAt, Runnable run) {
    }

    public BigQueryFake() throws IOException, SQLException {
        this(0);
    }

    private BigQueryFake(int port) throws IOException, SQLException {
        duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE MACRO generate_date_array(a, b) AS list_transform(generate_series(CAST(a AS DATE),"
                    + " CAST(b AS DATE), INTERVAL 1 DAY), lambda d: CAST(d AS DATE))");
            statement.execute("CREATE MACRO safe_divide(a, b) AS CAST(a AS DOUBLE) / NULLIF(b, 0)");
            statement.execute("CREATE MACRO to_json_string(j) AS CAST(j AS VARCHAR)");
            // BigQuery's aggregate of booleans: DuckDB expands a macro in place, so an aggregate inside it stays one.
            statement.execute("CREATE MACRO logical_and(b) AS bool_and(b)");
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Serves the fake on {@code 127.0.0.1:PORT} until the process is stopped, for measuring the job in a process
     * of its own (docs/bigquery.md); with {@code HOLD_SECONDS}, loads and transactions stay running that long.
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9050;
        BigQueryFake fake = new BigQueryFake(port);
        if (args.length > 1) {
            fake.holdJobs(Duration.ofSeconds(Long.parseLong(args[1])));
        }
        System.out.println("BigQuery fake at " + fake.url());
        Thread.currentThread().join();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The SQL of every query job and query, as the client sent it (before translation). */
    public List<String> statements() {
        return List.copyOf(statements);
    }

    /** The next {@code times} query or load jobs end with this {@code errorResult} instead of running. */
    public synchronized void failNextJobs(String reason, String message, int times) {
        for (int i = 0; i < times; i++) {
            jobFaults.add(new Fault(reason, message));
        }
    }

    /** The next {@code times} multi-statement transactions are aborted, as by a concurrent transaction. */
    public synchronized void abortNextTransactions(int times) {
        for (int i = 0; i < times; i++) {
            transactionFaults.add(new Fault("invalidQuery", "Transaction is aborted due to concurrent update against"
                    + " table test-project:ai_usage_analytics.ingestion_coverage. Transaction ID: fake"));
        }
    }

    /**
     * Load jobs and transactions stay RUNNING for {@code duration} before they run; a cancel or their
     * {@code jobTimeoutMs} stops them first, and then they change nothing. Other statements run at once.
     */
    public synchronized void holdJobs(Duration duration) {
        hold = duration;
    }

    /**
     * The next {@code times} query jobs (not loads) are carried out, but answered with a 503 as if the answer were
     * lost on the way.
     */
    public synchronized void loseNextJobAnswers(int times) {
        ambiguousAnswers = times;
    }

    /** The next {@code times} query job requests get a 502 without a reason, as from a proxy, and run nothing. */
    public synchronized void refuseNextJobRequests(int times) {
        refusedJobRequests = times;
    }

    private synchronized void refuseIfAsked() {
        if (refusedJobRequests > 0) {
            refusedJobRequests--;
            throw new ApiError(502, null, "Bad Gateway");
        }
    }

    /** What a dry run says it would process. */
    public synchronized void dryRunProcesses(long bytes) {
        dryRunBytes = bytes;
    }

    /** Jobs as the fake keeps them, by id. */
    public ObjectNode job(String id) {
        return jobs.get(id);
    }

    /** Table names in a dataset, staging tables included. */
    public List<String> tableNames(String dataset) {
        return tables.keySet().stream().filter(k -> k.startsWith(dataset + ".")).map(k -> k.substring(dataset.length() + 1))
                .sorted().toList();
    }

    /** The table resource as the fake keeps it (schema, partitioning, clustering, expiration). */
    public ObjectNode table(String dataset, String table) {
        return tables.get(dataset + "." + table);
    }

    @Override
    public void close() throws SQLException {
        server.stop(0);
        analyzer.close();
        record.flush();
        duck.close();
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String override = exchange.getRequestHeaders().getFirst("X-HTTP-Method-Override");
            String method = override != null ? override : exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            byte[] raw = readBody(exchange);
            boolean upload = path.startsWith("/upload/") && "PUT".equals(method);
            String body = upload ? "" : new String(raw, StandardCharsets.UTF_8);
            requests.add(new Recorded(method, path, query, body));
            try {
                route(exchange, method, path, query == null ? "" : query, body, raw);
            } catch (ApiError e) {
                ObjectNode error = JSON.createObjectNode();
                ObjectNode inner = error.putObject("error");
                inner.put("code", e.status);
                inner.put("message", e.getMessage());
                if (e.reason != null) {
                    inner.putArray("errors").addObject().put("reason", e.reason).put("message", e.getMessage());
                }
                send(exchange, e.status, error);
            } catch (SQLException | RuntimeException e) {
                ObjectNode error = JSON.createObjectNode();
                error.putObject("error").put("code", 500).put("message", "fake failed: " + e);
                send(exchange, 500, error);
            }
        }
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        return in.readAllBytes();
    }

    private static final class ApiError extends RuntimeException {
        final int status;
        final String reason;

        ApiError(int status, String reason, String message) {
            super(message);
            this.status = status;
            this.reason = reason;
        }
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void route(HttpExchange exchange, String method, String path, String query, String body, byte[] raw)
            throws IOException, SQLException {
        String[] p = path.split("/");
        // /bigquery/v2/projects/{p}/… or /upload/bigquery/v2/projects/{p}/jobs
        if (path.startsWith("/upload/bigquery/v2/projects/") && p.length == 7 && "jobs".equals(p[6])) {
            if ("POST".equals(method)) {
                startUpload(exchange, p[5], query, body);
            } else {
                continueUpload(exchange, query, raw);
            }
            return;
        }
        if (!path.startsWith("/bigquery/v2/projects/")) {
            throw new ApiError(404, "notFound", "Not found: " + path);
        }
        String project = p[4];
        String rest = String.join("/", java.util.Arrays.copyOfRange(p, 5, p.length));
        if ("POST".equals(method) && rest.equals("datasets")) {
            ObjectNode dataset = (ObjectNode) JSON.readTree(body);
            String name = dataset.at("/datasetReference/datasetId").asText();
            if (datasets.containsKey(name)) {
                throw new ApiError(409, "duplicate", "Already Exists: Dataset " + project + ":" + name);
            }
            dataset.put("id", project + ":" + name).put("kind", "bigquery#dataset");
            if (!dataset.hasNonNull("location")) {
                dataset.put("location", "US");
            }
            datasets.put(name, dataset);
            try (Statement statement = duck.createStatement()) {
                statement.execute("CREATE SCHEMA \"" + name + "\"");
            }
            send(exchange, 200, dataset);
        } else if (p.length == 7 && "datasets".equals(p[5]) && "GET".equals(method)) {
            send(exchange, 200, found(datasets.get(p[6]), "Dataset " + project + ":" + p[6]));
        } else if (p.length == 8 && "tables".equals(p[7]) && "POST".equals(method)) {
            createTable(exchange, project, p[6], (ObjectNode) JSON.readTree(body));
        } else if (p.length == 9 && "tables".equals(p[7])) {
            String key = p[6] + "." + p[8];
            switch (method) {
                case "GET" -> send(exchange, 200, found(tables.get(key), "Table " + project + ":" + key));
                case "PATCH", "PUT" -> updateTable(exchange, project, p[6], p[8], (ObjectNode) JSON.readTree(body));
                case "DELETE" -> {
                    found(tables.remove(key), "Table " + project + ":" + key);
                    analyzer.remove(project, p[6], p[8]);
                    try (Statement statement = duck.createStatement()) {
                        statement.execute("DROP TABLE \"" + p[6] + "\".\"" + p[8] + "\"");
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> throw new ApiError(405, "invalid", method);
            }
        } else if (p.length == 10 && "data".equals(p[9]) && "GET".equals(method)) {
            Result result = results.get(p[8]);
            if (result == null) {
                throw new ApiError(404, "notFound", "Not found: Table " + p[8]);
            }
            ObjectNode page = JSON.createObjectNode();
            page.put("kind", "bigquery#tableDataList").put("totalRows", Integer.toString(result.rows().size()));
            page.set("rows", rows(result, formatMicros(query)));
            send(exchange, 200, page);
        } else if (rest.equals("jobs") && "POST".equals(method)) {
            refuseIfAsked();
            send(exchange, 200, runJob(project, (ObjectNode) JSON.readTree(body)));
        } else if (p.length == 7 && "jobs".equals(p[5]) && "GET".equals(method)) {
            send(exchange, 200, getJob(project, p[6], query));
        } else if (p.length == 8 && "jobs".equals(p[5]) && "cancel".equals(p[7]) && "POST".equals(method)) {
            ObjectNode response = JSON.createObjectNode().put("kind", "bigquery#jobCancelResponse");
            response.set("job", cancel(project, p[6]));
            send(exchange, 200, response);
        } else if (rest.equals("queries") && "POST".equals(method)) {
            fastQuery(exchange, project, (ObjectNode) JSON.readTree(body));
        } else if (p.length == 7 && "queries".equals(p[5]) && "GET".equals(method)) {
            ObjectNode job = found(jobs.get(p[6]), "Job " + project + ":" + p[6]);
            Result result = results.get(p[6]);
            ObjectNode response = JSON.createObjectNode();
            response.put("kind", "bigquery#getQueryResultsResponse").put("jobComplete", true);
            response.set("jobReference", job.get("jobReference"));
            if (result != null) {
                response.putObject("schema").set("fields", result.fields());
                response.put("totalRows", Integer.toString(result.rows().size()));
                if (!query.contains("maxResults=0")) {
                    response.set("rows", rows(result, formatMicros(query)));
                }
            }
            send(exchange, 200, response);
        } else {
            throw new ApiError(404, "notFound", "Not found: " + method + " " + path);
        }
    }

    private static ObjectNode found(ObjectNode resource, String what) {
        if (resource == null) {
            throw new ApiError(404, "notFound", "Not found: " + what);
        }
        return resource;
    }

    private static boolean formatMicros(String query) {
        return query != null && query.contains("useInt64Timestamp=true");
    }

    // ---- tables --------------------------------------------------------------------------------------------

    private void createTable(HttpExchange exchange, String project, String dataset, ObjectNode table)
            throws IOException, SQLException {
        found(datasets.get(dataset), "Dataset " + project + ":" + dataset);
        String name = table.at("/tableReference/tableId").asText();
        String key = dataset + "." + name;
        if (tables.containsKey(key)) {
            throw new ApiError(409, "duplicate", "Already Exists: Table " + project + ":" + key);
        }
        if (table.has("view")) {
            createView(project, dataset, name, table.at("/view/query").asText());
            table.put("id", project + ":" + key).put("kind", "bigquery#table").put("type", "VIEW");
            tables.put(key, table);
            send(exchange, 200, table);
            return;
        }
        List<String> columns = new ArrayList<>();
        for (JsonNode field : table.at("/schema/fields")) {
            columns.add("\"" + field.get("name").asText() + "\" " + duckType(field.get("type").asText()));
        }
        accept(tableDdl("CREATE TABLE", project, dataset, name, table), Map.of(), project, null);
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE TABLE \"" + dataset + "\".\"" + name + "\" (" + String.join(", ", columns) + ")");
        }
        table.put("id", project + ":" + key).put("kind", "bigquery#table").put("type", "TABLE");
        table.put("creationTime", Long.toString(System.currentTimeMillis()));
        tables.put(key, table);
        send(exchange, 200, table);
    }

    private synchronized void createView(String project, String dataset, String name, String query)
            throws SQLException {
        statements.add(query);
        accept("CREATE OR REPLACE VIEW `" + project + "." + dataset + "." + name + "` AS\n" + query, Map.of(), project,
                null);
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE OR REPLACE VIEW \"" + dataset + "\".\"" + name + "\" AS " + translate(query, Map.of()));
        }
    }

    private void updateTable(HttpExchange exchange, String project, String dataset, String name, ObjectNode update)
            throws IOException, SQLException {
        String key = dataset + "." + name;
        ObjectNode table = found(tables.get(key), "Table " + key);
        if (update.has("view")) {
            createView(project, dataset, name, update.at("/view/query").asText());
            table.set("view", update.get("view"));
            send(exchange, 200, table);
            return;
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        table.at("/schema/fields").forEach(field -> present.add(field.get("name").asText()));
        for (JsonNode field : update.at("/schema/fields")) {
            String column = field.get("name").asText();
            if (!present.contains(column)) {
                try (Statement statement = duck.createStatement()) {
                    statement.execute("ALTER TABLE \"" + dataset + "\".\"" + name + "\" ADD COLUMN \"" + column + "\" "
                            + duckType(field.get("type").asText()));
                }
            }
        }
        if (update.has("schema")) {
            table.set("schema", update.get("schema"));
            // Columns added: the record holds the table as it now is.
            accept(tableDdl("CREATE OR REPLACE TABLE", project, dataset, name, table), Map.of(), project, null);
        }
        send(exchange, 200, table);
    }

    /**
     * Has BigQuery's analyzer check {@code sql} against what this fake holds, and records it once accepted
     * ({@link StatementRecord}); refused, it is answered as BigQuery answers an invalid query, with the analyzer's
     * message and position.
     */
    private void accept(String sql, Map<String, com.google.zetasql.Type> parameters, String project,
            String defaultDataset) {
        try {
            analyzer.analyze(sql, parameters, project, defaultDataset);
        } catch (ZetaSqlAnalyzer.Refused e) {
            throw new ApiError(400, "invalidQuery", e.getMessage());
        }
        Map<String, String> named = new LinkedHashMap<>();
        parameters.forEach((name, type) -> named.put(name, ZetaSqlAnalyzer.sqlName(type)));
        record.add(sql, named, defaultDataset);
    }

    /** A query's parameters, typed as the client declared them. */
    private static Map<String, com.google.zetasql.Type> parameterTypes(JsonNode parameters) {
        Map<String, com.google.zetasql.Type> types = new LinkedHashMap<>();
        if (parameters != null) {
            for (JsonNode parameter : parameters) {
                types.put(parameter.get("name").asText(), ZetaSqlAnalyzer.parameterType(parameter.get("parameterType")));
            }
        }
        return types;
    }

    /** The DDL equivalent to a table resource: its columns, partitioning and clustering. */
    private static String tableDdl(String verb, String project, String dataset, String name, JsonNode table) {
        StringBuilder ddl = new StringBuilder(verb).append(" `").append(project).append('.').append(dataset)
                .append('.').append(name).append("` (");
        List<String> columns = new ArrayList<>();
        ZetaSqlAnalyzer.columns(table.path("schema")).forEach((column, type) -> columns.add("`" + column + "` "
                + ZetaSqlAnalyzer.sqlName(type)));
        ddl.append(String.join(", ", columns)).append(')');
        String partition = table.at("/timePartitioning/field").asText(null);
        if (partition != null) {
            String type = "";
            for (JsonNode field : table.at("/schema/fields")) {
                if (field.path("name").asText().equals(partition)) {
                    type = field.path("type").asText();
                }
            }
            ddl.append("\nPARTITION BY ").append("DATE".equals(type) ? "`" + partition + "`"
                    : "DATE(`" + partition + "`)");
        }
        List<String> clustering = new ArrayList<>();
        table.at("/clustering/fields").forEach(field -> clustering.add("`" + field.asText() + "`"));
        if (!clustering.isEmpty()) {
            ddl.append("\nCLUSTER BY ").append(String.join(", ", clustering));
        }
        return ddl.toString();
    }

    private static String duckType(String bigQueryType) {
        return switch (bigQueryType) {
            case "STRING", "JSON" -> "VARCHAR";
            case "INTEGER", "INT64" -> "BIGINT";
            case "BOOLEAN", "BOOL" -> "BOOLEAN";
            case "DATE" -> "DATE";
            case "TIMESTAMP" -> "TIMESTAMP";
            case "NUMERIC" -> "DECIMAL(38,9)";
            case "BIGNUMERIC" -> "DECIMAL(38,22)";
            case "FLOAT", "FLOAT64" -> "DOUBLE";
            default -> throw new ApiError(400, "invalid", "unsupported type " + bigQueryType);
        };
    }

    // ---- load jobs -----------------------------------------------------------------------------------------

    private void startUpload(HttpExchange exchange, String project, String query, String body) throws IOException {
        if (!query.contains("uploadType=resumable")) {
            throw new ApiError(400, "invalid", "only resumable uploads are supported");
        }
        String id = "upload" + ids.incrementAndGet();
        ObjectNode job = (ObjectNode) JSON.readTree(body);
        requireNewJobId(project, job);
        requireLocation(project, job.at("/jobReference/location").asText(null),
                List.of(job.at("/configuration/load/destinationTable/datasetId").asText()));
        uploads.put(id, job);
        uploadBytes.put(id, new ByteArrayOutputStream());
        exchange.getResponseHeaders().set("Location", url() + "/upload/bigquery/v2/projects/" + project
                + "/jobs?uploadType=resumable&upload_id=" + id);
        exchange.sendResponseHeaders(200, -1);
    }

    private void continueUpload(HttpExchange exchange, String query, byte[] chunk) throws IOException {
        Matcher id = Pattern.compile("upload_id=(\\w+)").matcher(query);
        if (!id.find() || !uploads.containsKey(id.group(1))) {
            throw new ApiError(404, "notFound", "no such upload session");
        }
        ByteArrayOutputStream bytes = uploadBytes.get(id.group(1));
        bytes.write(chunk);
        String range = exchange.getRequestHeaders().getFirst("Content-Range");
        if (range != null && range.endsWith("/*")) {
            // An intermediate chunk: say how much has arrived.
            exchange.getResponseHeaders().set("Range", "bytes=0-" + (bytes.size() - 1));
            exchange.sendResponseHeaders(308, -1);
            return;
        }
        ObjectNode job = uploads.remove(id.group(1));
        uploadBytes.remove(id.group(1));
        send(exchange, 200, load(job, bytes.toByteArray()));
    }

    private synchronized ObjectNode load(ObjectNode job, byte[] data) {
        prepareJob(job);
        if (!hold.isZero()) {
            return holdJob(job, () -> loadNow(job, data));
        }
        return loadNow(job, data);
    }

    private synchronized ObjectNode loadNow(ObjectNode job, byte[] data) {
        ObjectNode load = (ObjectNode) job.at("/configuration/load");
        String dataset = load.at("/destinationTable/datasetId").asText();
        String name = load.at("/destinationTable/tableId").asText();
        Fault fault = jobFaults.poll();
        if (fault != null) {
            return finish(job, fault.reason(), fault.message());
        }
        ObjectNode table = tables.get(dataset + "." + name);
        if (table == null) {
            return finish(job, "notFound", "Not found: Table " + dataset + "." + name);
        }
        Map<String, String> types = new LinkedHashMap<>();
        table.at("/schema/fields").forEach(f -> types.put(f.get("name").asText(), f.get("type").asText()));
        List<String> columns = new ArrayList<>(types.keySet());
        long rows = 0;
        try {
            duck.setAutoCommit(false);
            if ("WRITE_TRUNCATE".equals(load.path("writeDisposition").asText())) {
                try (Statement statement = duck.createStatement()) {
                    statement.execute("DELETE FROM \"" + dataset + "\".\"" + name + "\"");
                }
            }
            // DuckDB's appender, in the table's column order (the schema's, new columns last), in the transaction.
            try (DuckDBAppender appender = duck.unwrap(DuckDBConnection.class).createAppender(dataset, name)) {
                for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode row = JSON.readTree(line);
                    for (java.util.Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
                        String field = it.next();
                        if (!types.containsKey(field)) {
                            throw new ApiError(400, "invalid", "No such field: " + field + ".");
                        }
                    }
                    appender.beginRow();
                    for (String column : columns) {
                        append(appender, jsonValue(row.get(column), types.get(column)), types.get(column));
                    }
                    appender.endRow();
                    rows++;
                }
                appender.flush();
            }
            duck.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            rollback();
            return finish(job, e instanceof ApiError error ? error.reason : "invalid", e.getMessage());
        } finally {
            autoCommit();
        }
        job.putObject("statistics").put("creationTime", Long.toString(System.currentTimeMillis()))
                .putObject("load").put("outputRows", Long.toString(rows));
        return finish(job, null, null);
    }

    private static void append(DuckDBAppender appender, Object value, String type) throws SQLException {
        if (value == null) {
            appender.appendNull();
        } else if (value instanceof Long number) {
            appender.append(number.longValue());
        } else if (value instanceof Boolean bool) {
            appender.append(bool.booleanValue());
        } else if (value instanceof LocalDate date) {
            appender.append(date);
        } else if (value instanceof LocalDateTime time) {
            appender.append(time);
        } else if (value instanceof BigDecimal decimal) {
            appender.append(decimal.setScale("NUMERIC".equals(type) ? 9 : 22, java.math.RoundingMode.UNNECESSARY));
        } else {
            appender.append(value.toString());
        }
    }

    private static Object jsonValue(JsonNode value, String type) {
        if (value == null || value.isNull()) {
            return null;
        }
        return switch (type) {
            case "INTEGER", "INT64" -> value.isNumber() ? value.longValue() : Long.parseLong(value.asText());
            case "BOOLEAN", "BOOL" -> value.isBoolean() ? value.booleanValue() : Boolean.parseBoolean(value.asText());
            case "DATE" -> LocalDate.parse(value.asText());
            case "TIMESTAMP" -> LocalDateTime.ofInstant(loadedTimestamp(value.asText()), ZoneOffset.UTC);
            case "NUMERIC", "BIGNUMERIC" -> new BigDecimal(value.asText());
            default -> value.isTextual() ? value.asText() : value.toString();
        };
    }

    private static final Pattern FRACTION = Pattern.compile("[T ]\\d\\d:\\d\\d:\\d\\d\\.(\\d+)");

    /** BigQuery keeps microseconds and refuses a timestamp with more fractional digits, in loads and parameters. */
    private static Instant loadedTimestamp(String text) {
        Matcher fraction = FRACTION.matcher(text);
        if (fraction.find() && fraction.group(1).length() > 6) {
            throw new ApiError(400, "invalid", "Error while reading data, error message: JSON parsing error in row"
                    + " starting at position 0: Couldn't convert value to timestamp: Could not parse '" + text
                    + "' as a timestamp. Required format is YYYY-MM-DD HH:MM[:SS[.SSSSSS]]");
        }
        return timestamp(text);
    }

    // ---- query jobs ----------------------------------------------------------------------------------------

    private void prepareJob(ObjectNode job) {
        ObjectNode reference = job.has("jobReference") ? (ObjectNode) job.get("jobReference")
                : job.putObject("jobReference");
        if (!reference.hasNonNull("jobId")) {
            reference.put("jobId", "fake_job_" + ids.incrementAndGet());
        }
        job.put("kind", "bigquery#job");
        job.put("id", reference.path("projectId").asText() + ":" + reference.get("jobId").asText());
    }

    private ObjectNode finish(ObjectNode job, String reason, String message) {
        ObjectNode status = job.putObject("status").put("state", "DONE");
        if (reason != null) {
            status.putObject("errorResult").put("reason", reason).put("message", message);
            status.putArray("errors").addObject().put("reason", reason).put("message", message);
        }
        if (!job.has("statistics")) {
            job.putObject("statistics").put("creationTime", Long.toString(System.currentTimeMillis()));
        }
        jobs.put(job.at("/jobReference/jobId").asText(), job);
        return job;
    }

    private synchronized ObjectNode runJob(String project, ObjectNode job) throws SQLException {
        prepareJob(job);
        ((ObjectNode) job.get("jobReference")).put("projectId", project);
        requireNewJobId(project, job);
        ObjectNode query = (ObjectNode) job.at("/configuration/query");
        String sql = query.get("query").asText();
        requireLocation(project, job.at("/jobReference/location").asText(null), datasetsOf(sql, query));
        statements.add(sql);
        accept(sql, parameterTypes(query.get("queryParameters")), project,
                query.at("/defaultDataset/datasetId").asText(null));
        String type = statementType(sql);
        ObjectNode statistics = job.putObject("statistics");
        statistics.put("creationTime", Long.toString(System.currentTimeMillis()));
        ObjectNode queryStatistics = statistics.putObject("query").put("statementType", type);
        if (job.at("/configuration/dryRun").asBoolean(false)) {
            queryStatistics.put("totalBytesProcessed", Long.toString(dryRunBytes));
            return finish(job, null, null);
        }
        if (!hold.isZero() && sql.contains("BEGIN TRANSACTION")) {
            return holdJob(job, () -> executeJob(project, job));
        }
        ObjectNode done = executeJob(project, job);
        loseAnswerIfAsked();
        return done;
    }

    private synchronized ObjectNode executeJob(String project, ObjectNode job) {
        ObjectNode query = (ObjectNode) job.at("/configuration/query");
        String sql = query.get("query").asText();
        ObjectNode queryStatistics = (ObjectNode) job.at("/statistics/query");
        Fault fault = sql.contains("BEGIN TRANSACTION") && !transactionFaults.isEmpty() ? transactionFaults.poll()
                : jobFaults.poll();
        if (fault != null) {
            return finish(job, fault.reason(), fault.message());
        }
        String jobId = job.at("/jobReference/jobId").asText();
        try {
            Execution execution = execute(sql, parameters(query.get("queryParameters")),
                    query.at("/defaultDataset/datasetId").asText(null));
            if (execution.result != null) {
                results.put(jobId, execution.result);
                query.putObject("destinationTable").put("projectId", project).put("datasetId", "_fake_results")
                        .put("tableId", jobId);
                queryStatistics.putObject("schema").set("fields", execution.result.fields());
            }
            queryStatistics.put("numDmlAffectedRows", Long.toString(execution.affected));
            // A stand-in: BigQuery bills at least 10 MB per query; the fake cannot measure bytes scanned.
            queryStatistics.put("totalBytesProcessed", "10485760").put("totalBytesBilled", "10485760");
            return finish(job, null, null);
        } catch (SQLException | ApiError e) {
            return finish(job, e instanceof ApiError error ? error.reason : "invalidQuery", e.getMessage());
        }
    }

    // ---- job lifecycle -------------------------------------------------------------------------------------

    private void requireNewJobId(String project, ObjectNode job) {
        String id = job.at("/jobReference/jobId").asText(null);
        if (id != null && (jobs.containsKey(id) || held.containsKey(id)
                || uploads.values().stream().anyMatch(u -> id.equals(u.at("/jobReference/jobId").asText(null))))) {
            throw new ApiError(409, "duplicate", "Already Exists: Job " + project + ":"
                    + job.at("/jobReference/location").asText("US") + "." + id);
        }
    }

    /** A job runs where its datasets are; asked for elsewhere, BigQuery does not find them. */
    private void requireLocation(String project, String location, List<String> datasetNames) {
        if (location == null) {
            return;
        }
        for (String name : datasetNames) {
            ObjectNode dataset = datasets.get(name);
            if (dataset != null && !dataset.get("location").asText().equalsIgnoreCase(location)) {
                throw new ApiError(404, "notFound", "Not found: Dataset " + project + ":" + name
                        + " was not found in location " + location);
            }
        }
    }

    private static List<String> datasetsOf(String sql, JsonNode configuration) {
        List<String> names = new ArrayList<>();
        Matcher table = TABLE_NAME.matcher(sql);
        while (table.find()) {
            names.add(table.group(2));
        }
        String defaultDataset = configuration.at("/defaultDataset/datasetId").asText(null);
        if (defaultDataset != null) {
            names.add(defaultDataset);
        }
        return names;
    }

    private ObjectNode holdJob(ObjectNode job, Runnable run) {
        Instant now = Instant.now();
        JsonNode timeout = job.at("/configuration/jobTimeoutMs");
        Instant timeoutAt = timeout.isMissingNode() ? null : now.plusMillis(timeout.asLong());
        job.putObject("status").put("state", "RUNNING");
        String id = job.at("/jobReference/jobId").asText();
        jobs.put(id, job);
        held.put(id, new Held(job, now.plus(hold), timeoutAt, run));
        return job;
    }

    private void loseAnswerIfAsked() {
        if (ambiguousAnswers > 0) {
            ambiguousAnswers--;
            throw new ApiError(503, "backendError", "The service is currently unavailable.");
        }
    }

    /** Ends a held job whose time has come: it runs, or its own timeout stopped it. */
    private synchronized void settle(String id) {
        Held job = held.get(id);
        if (job == null) {
            return;
        }
        Instant now = Instant.now();
        if (job.timeoutAt() != null && !now.isBefore(job.timeoutAt()) && now.isBefore(job.readyAt())) {
            held.remove(id);
            finish(job.job(), "stopped", "Job execution was cancelled: Job timed out after "
                    + job.job().at("/configuration/jobTimeoutMs").asLong() / 1000 + "s");
        } else if (!now.isBefore(job.readyAt())) {
            held.remove(id);
            job.run().run();
        }
    }

    private ObjectNode getJob(String project, String id, String query) {
        settle(id);
        ObjectNode job = found(jobs.get(id), "Job " + project + ":" + id);
        Matcher location = Pattern.compile("location=([A-Za-z0-9-]+)").matcher(query);
        if (location.find() && !location.group(1).equalsIgnoreCase(job.at("/jobReference/location").asText("US"))) {
            throw new ApiError(404, "notFound", "Not found: Job " + project + ":" + location.group(1) + "." + id);
        }
        return job;
    }

    private synchronized ObjectNode cancel(String project, String id) {
        settle(id);
        Held job = held.remove(id);
        if (job != null) {
            return finish(job.job(), "stopped", "Job execution was cancelled: User requested cancellation");
        }
        return found(jobs.get(id), "Job " + project + ":" + id);
    }

    private void fastQuery(HttpExchange exchange, String project, ObjectNode request) throws IOException, SQLException {
        String sql = request.get("query").asText();
        requireLocation(project, request.path("location").asText(null), datasetsOf(sql, request));
        statements.add(sql);
        accept(sql, parameterTypes(request.get("queryParameters")), project,
                request.at("/defaultDataset/datasetId").asText(null));
        String jobId = "fake_query_" + ids.incrementAndGet();
        Execution execution;
        synchronized (this) {
            Fault fault = jobFaults.poll();
            if (fault != null) {
                throw new ApiError(fault.reason().equals("rateLimitExceeded") ? 403 : 400, fault.reason(),
                        fault.message());
            }
            try {
                execution = execute(sql, parameters(request.get("queryParameters")),
                        request.at("/defaultDataset/datasetId").asText(null));
            } catch (SQLException e) {
                throw new ApiError(400, "invalidQuery", e.getMessage());
            }
        }
        ObjectNode response = JSON.createObjectNode();
        response.put("kind", "bigquery#queryResponse").put("jobComplete", true);
        response.putObject("jobReference").put("projectId", project).put("jobId", jobId)
                .put("location", request.path("location").asText("US"));
        if (execution.result != null) {
            results.put(jobId, execution.result);
            response.putObject("schema").set("fields", execution.result.fields());
            response.put("totalRows", Integer.toString(execution.result.rows().size()));
            response.set("rows", rows(execution.result,
                    request.at("/formatOptions/useInt64Timestamp").asBoolean(false)));
        }
        response.put("numDmlAffectedRows", Long.toString(execution.affected));
        ObjectNode job = JSON.createObjectNode();
        job.set("jobReference", response.get("jobReference"));
        job.putObject("configuration").putObject("query").put("query", sql);
        finish(job, null, null);
        send(exchange, 200, response);
    }

    private record Execution(Result result, long affected) {
    }

    /** Runs a statement or script; a script runs in one transaction, rolled back whole when a statement fails. */
    private Execution execute(String sql, Map<String, String> literals, String defaultDataset) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (String part : sql.split(";\\s*(\\n|$)")) {
            if (!part.isBlank()) {
                parts.add(translate(part.strip(), literals));
            }
        }
        boolean script = parts.size() > 1;
        Result result = null;
        long affected = 0;
        try (Statement statement = duck.createStatement()) {
            statement.execute(defaultDataset == null ? "RESET search_path" : "SET search_path = '" + defaultDataset + "'");
            for (String part : parts) {
                String upper = part.toUpperCase(Locale.ROOT);
                if (upper.startsWith("BEGIN")) {
                    duck.setAutoCommit(false);
                    continue;
                }
                if (upper.startsWith("COMMIT")) {
                    duck.commit();
                    autoCommit();
                    continue;
                }
                if (statement.execute(part)) {
                    try (ResultSet rows = statement.getResultSet()) {
                        result = result(rows);
                    }
                } else {
                    affected += Math.max(0, statement.getUpdateCount());
                }
            }
        } catch (SQLException e) {
            if (script || !duck.getAutoCommit()) {
                rollback();
            }
            throw e;
        } finally {
            autoCommit();
        }
        return new Execution(result, affected);
    }

    private void rollback() {
        try {
            if (!duck.getAutoCommit()) {
                duck.rollback();
            }
        } catch (SQLException e) {
            // Nothing was open.
        }
    }

    private void autoCommit() {
        try {
            duck.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String statementType(String sql) {
        if (java.util.Arrays.stream(sql.split(";")).filter(part -> !part.isBlank()).count() > 1) {
            return "SCRIPT";
        }
        // The first keyword after any leading comments, as BigQuery reads it.
        String first = sql.replaceFirst("(?s)^(\\s+|--[^\\n]*\\n?|/\\*.*?\\*/)*", "").split("\\s+")[0]
                .toUpperCase(Locale.ROOT);
        return switch (first) {
            case "SELECT", "WITH" -> "SELECT";
            case "BEGIN" -> "SCRIPT";
            default -> first;
        };
    }

    /** Named parameters as SQL literals of their declared type. */
    private static Map<String, String> parameters(JsonNode parameters) {
        Map<String, String> literals = new HashMap<>();
        if (parameters == null) {
            return literals;
        }
        for (JsonNode parameter : parameters) {
            String type = parameter.at("/parameterType/type").asText();
            JsonNode value = parameter.at("/parameterValue/value");
            String literal;
            if (value.isMissingNode() || value.isNull()) {
                literal = "NULL";
            } else {
                String text = value.asText();
                literal = switch (type) {
                    case "INT64" -> Long.toString(Long.parseLong(text));
                    case "DATE" -> "DATE '" + LocalDate.parse(text) + "'";
                    case "TIMESTAMP" -> "TIMESTAMP '" + LocalDateTime.ofInstant(loadedTimestamp(text), ZoneOffset.UTC) + "'";
                    case "BOOL" -> Boolean.toString(Boolean.parseBoolean(text));
                    case "NUMERIC", "BIGNUMERIC" -> new BigDecimal(text).toPlainString();
                    default -> "'" + text.replace("'", "''") + "'";
                };
            }
            literals.put(parameter.get("name").asText(), literal);
        }
        return literals;
    }

    private static Instant timestamp(String text) {
        String iso = text.contains("T") ? text : text.replaceFirst(" ", "T");
        return OffsetDateTime.parse(iso.endsWith("Z") || iso.matches(".*[+-]\\d\\d:\\d\\d$") ? iso : iso + "Z")
                .toInstant();
    }

    /** BigQuery SQL to DuckDB SQL, for the constructs this project sends. */
    static String translate(String sql, Map<String, String> literals) {
        String translated = TABLE_NAME.matcher(sql).replaceAll("\"$2\".\"$3\"");
        Matcher parameter = PARAMETER.matcher(translated);
        StringBuilder bound = new StringBuilder();
        while (parameter.find()) {
            // Every parameter is declared: the analyzer refused the statement otherwise.
            parameter.appendReplacement(bound, Matcher.quoteReplacement(literals.get(parameter.group(1))));
        }
        parameter.appendTail(bound);
        translated = bound.toString().replace("CURRENT_DATE()", "current_date");
        // A BIGNUMERIC constant is an exact decimal; a parameterized BIGNUMERIC, a DECIMAL of that size.
        translated = translated.replaceAll("BIGNUMERIC '([0-9.]+)'", "$1").replaceAll("BIGNUMERIC\\(", "DECIMAL(");
        translated = rewriteCalls(translated, "DATE_SUB", arguments -> "(" + arguments.get(0) + " - "
                + arguments.get(1) + ")");
        translated = rewriteCalls(translated, "DATE_ADD", arguments -> "CAST(" + arguments.get(0) + " + "
                + arguments.get(1) + " AS DATE)");
        // DATE(timestamp) is the timestamp's UTC day: the fake keeps timestamps as UTC wall times.
        translated = rewriteCalls(translated, "DATE", arguments -> "CAST(" + arguments.get(0) + " AS DATE)");
        translated = rewriteCalls(translated, "DATE_TRUNC", arguments -> "CAST(date_trunc('"
                + arguments.get(1).toLowerCase(Locale.ROOT) + "', " + arguments.get(0) + ") AS DATE)");
        return aliasUnnest(translated);
    }

    /**
     * Each call of {@code function} (upper case, as this project writes BigQuery's functions) replaced by what
     * {@code rewrite} makes of its arguments, themselves rewritten first, so that calls may nest.
     */
    private static String rewriteCalls(String sql, String function, Function<List<String>, String> rewrite) {
        Matcher call = Pattern.compile("\\b" + function + "\\(").matcher(sql);
        if (!call.find()) {
            return sql;
        }
        List<String> arguments = new ArrayList<>();
        int depth = 0;
        int start = call.end();
        int at = start;
        for (; depth >= 0; at++) {
            char c = sql.charAt(at);
            if (c == '\'') {
                at = sql.indexOf('\'', at + 1);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (depth < 0 || c == ',' && depth == 0) {
                arguments.add(rewriteCalls(sql.substring(start, at).strip(), function, rewrite));
                start = at + 1;
            }
        }
        return sql.substring(0, call.start()) + rewrite.apply(arguments)
                + rewriteCalls(sql.substring(at), function, rewrite);
    }

    /** {@code UNNEST(x) AS day} names a column in BigQuery; DuckDB needs {@code UNNEST(x) AS t(day)}. */
    private static String aliasUnnest(String sql) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        int at;
        while ((at = sql.indexOf("UNNEST(", from)) >= 0) {
            int depth = 0;
            int end = at + "UNNEST".length();
            do {
                char c = sql.charAt(end);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                end++;
            } while (depth > 0);
            Matcher alias = Pattern.compile("\\G\\s+AS\\s+(\\w+)").matcher(sql);
            out.append(sql, from, end);
            if (alias.find(end)) {
                out.append(" AS _unnest_").append(alias.group(1)).append('(').append(alias.group(1)).append(')');
                end = alias.end();
            }
            from = end;
        }
        return out.append(sql.substring(from)).toString();
    }

    private static Result result(ResultSet rows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        ArrayNode fields = JSON.createArrayNode();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            fields.addObject().put("name", meta.getColumnLabel(i)).put("type", bigQueryType(meta.getColumnTypeName(i)))
                    .put("mode", "NULLABLE");
        }
        List<List<String>> values = new ArrayList<>();
        while (rows.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                boolean timestamp = "TIMESTAMP".equals(bigQueryType(meta.getColumnTypeName(i)));
                Object value = timestamp ? rows.getObject(i, LocalDateTime.class) : rows.getObject(i);
                if (value instanceof LocalDateTime time) {
                    Instant instant = time.toInstant(ZoneOffset.UTC);
                    row.add(Long.toString(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000));
                } else if (value instanceof BigDecimal decimal) {
                    row.add(decimal.toPlainString());
                } else {
                    row.add(value == null ? null : value.toString());
                }
            }
            values.add(row);
        }
        return new Result(fields, values);
    }

    private static String bigQueryType(String duckType) {
        String type = duckType.toUpperCase(Locale.ROOT);
        if (type.startsWith("DECIMAL")) {
            return "BIGNUMERIC";
        }
        return switch (type) {
            case "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER" -> "INTEGER";
            case "DOUBLE", "FLOAT", "REAL" -> "FLOAT";
            case "BOOLEAN" -> "BOOLEAN";
            case "DATE" -> "DATE";
            case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE" -> "TIMESTAMP";
            default -> "STRING";
        };
    }

    /** Rows as BigQuery sends them: strings in {@code {"f":[{"v":…}]}}; timestamps in micros or float seconds. */
    private static ArrayNode rows(Result result, boolean micros) {
        ArrayNode rows = JSON.createArrayNode();
        for (List<String> row : result.rows()) {
            ArrayNode cells = rows.addObject().putArray("f");
            for (int i = 0; i < row.size(); i++) {
                String value = row.get(i);
                boolean isTimestamp = "TIMESTAMP".equals(result.fields().get(i).get("type").asText());
                if (value != null && isTimestamp && !micros) {
                    value = new BigDecimal(value).movePointLeft(6).toPlainString();
                }
                cells.addObject().put("v", value);
            }
        }
        return rows;
    }
}
