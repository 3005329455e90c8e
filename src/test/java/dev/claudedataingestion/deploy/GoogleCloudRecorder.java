package dev.claudedataingestion.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A recording stand-in for the Google Cloud APIs the deployment scripts call, reached by the real gcloud through
 * an HTTP proxy setting (absolute-form requests to dummy hosts such as {@code run.fake}) and by bq directly. It
 * keeps what is created, so that a second run finds it; answers as the APIs do in shape; and records every
 * request. A {@code CONNECT} is refused and recorded: it would mean something tried to reach Google over HTTPS.
 */
public final class GoogleCloudRecorder implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Collections that a GET lists, under a field of the same name, as the Monitoring API does. */
    private static final java.util.Set<String> LISTS = java.util.Set.of("alertPolicies", "notificationChannels",
            "dashboards");
    private static final Pattern ID_PARAMETER = Pattern.compile("(?:secretId|repositoryId|jobId)=([^&]+)");

    /** One request: method, host, path, query and body (gunzipped). */
    public record Request(String method, String host, String path, String query, String body) {
        public JsonNode json() {
            try {
                return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        public boolean creates() {
            return "POST".equals(method) && !path.contains(":");
        }

        @Override
        public String toString() {
            return method + " " + host + path + (query == null ? "" : "?" + query);
        }
    }

    private final HttpServer server;
    private final java.net.ServerSocket proxy;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<String> refusedTunnels = new CopyOnWriteArrayList<>();
    private volatile String denied;
    private final Map<String, ObjectNode> resources = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> policies = new ConcurrentHashMap<>();

    public GoogleCloudRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        server.createContext("/", this::handle);
        server.start();
        proxy = new java.net.ServerSocket(0, 32, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptProxyConnections, "recorder-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The recorder itself, for clients that are pointed at it directly (bq's {@code --api}). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The HTTP proxy port for gcloud and bq: it relays to the recorder and refuses tunnels to anywhere else. */
    public int proxyPort() {
        return proxy.getLocalPort();
    }

    /** Permissions that testIamPermissions says the caller lacks. */
    private final java.util.Set<String> withheld = ConcurrentHashMap.newKeySet();

    /** From now on the caller lacks {@code permission}, as testIamPermissions tells it; null gives all back. */
    public void withhold(String permission) {
        if (permission == null) {
            withheld.clear();
        } else {
            withheld.add(permission);
        }
    }

    /** Answers 403 PERMISSION_DENIED to every request whose path contains {@code fragment}; null stops it. */
    public void deny(String fragment) {
        this.denied = fragment;
    }

    /** {@code CONNECT} targets refused: something tried to reach a real host. */
    public List<String> refusedTunnels() {
        return List.copyOf(refusedTunnels);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** A resource as it was last written, by path (for example {@code /v1/projects/p/secrets/s}). */
    public ObjectNode resource(String path) {
        return resources.get(path);
    }

    /** Stores {@code resource} at {@code path}, as if something else had made it: what a script expects to find. */
    public void put(String path, ObjectNode resource) {
        resources.put(path, resource);
    }

    @Override
    public void close() {
        server.stop(0);
        try {
            proxy.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    /**
     * A relay in front of the recorder. gcloud sends absolute-form requests through it, which it passes on as they
     * are; bq's HTTP library tunnels with {@code CONNECT} even to plain-HTTP hosts, which it allows to the recorder
     * only. Everything else is refused and remembered.
     */
    private void acceptProxyConnections() {
        while (!proxy.isClosed()) {
            try {
                java.net.Socket client = proxy.accept();
                Thread relay = new Thread(() -> relay(client), "recorder-relay");
                relay.setDaemon(true);
                relay.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(java.net.Socket client) {
        try (client; java.net.Socket upstream = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port())) {
            InputStream fromClient = client.getInputStream();
            java.io.ByteArrayOutputStream firstLine = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = fromClient.read()) != -1 && b != '\n') {
                firstLine.write(b);
            }
            String line = firstLine.toString(StandardCharsets.ISO_8859_1).trim();
            if (line.startsWith("CONNECT ")) {
                String target = line.split(" ")[1];
                // Read the rest of the CONNECT request's headers.
                int newlines = 0;
                while (newlines < 2 && (b = fromClient.read()) != -1) {
                    newlines = b == '\n' ? newlines + 1 : b == '\r' ? newlines : 0;
                }
                if (!target.equals("127.0.0.1:" + port()) && !target.equals("localhost:" + port())) {
                    refusedTunnels.add(target);
                    client.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
            } else {
                upstream.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            Thread back = new Thread(() -> pipe(upstream, client), "recorder-relay-back");
            back.setDaemon(true);
            back.start();
            pipe(client, upstream);
            back.join(5000);
        } catch (IOException e) {
            // The client went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pipe(java.net.Socket from, java.net.Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // One side closed.
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            String host = uri.getHost() != null ? uri.getHost() : "127.0.0.1";
            String path = uri.getRawPath();
            if (host.contains(".fake")) {
                // Overrides such as http://run.fake/ keep the API's own path prefix after the host.
                path = path.replaceFirst("^//", "/");
            }
            InputStream in = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(method, host, path, uri.getRawQuery(), body);
            requests.add(request);
            if ("CONNECT".equals(method)) {
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            respond(exchange, request);
        }
    }

    private void respond(HttpExchange exchange, Request request) throws IOException {
        String path = request.path();
        String refused = denied;
        if (refused != null && path.contains(refused)) {
            send(exchange, 403, error(403, "PERMISSION_DENIED", "Permission denied on resource " + path));
            return;
        }
        String method = request.method();
        if (path.contains("/services/") && path.contains("serviceusage") || request.host().startsWith("serviceusage")) {
            send(exchange, 200, JSON.createObjectNode().put("name", path).put("state", "ENABLED"));
            return;
        }
        int colon = path.lastIndexOf(':');
        String action = colon > path.lastIndexOf('/') ? path.substring(colon + 1) : null;
        String resource = action == null ? path : path.substring(0, colon);
        if (action != null) {
            switch (action) {
                case "getIamPolicy" -> send(exchange, 200, policies.getOrDefault(resource,
                        JSON.createObjectNode().put("etag", "BwAAAA==").put("version", 1)));
                case "setIamPolicy" -> {
                    ObjectNode policy = (ObjectNode) request.json().get("policy");
                    policies.put(resource, policy);
                    send(exchange, 200, policy);
                }
                case "testIamPermissions" -> {
                    // The caller holds every permission it asks about, except those withheld.
                    ArrayNode held = JSON.createArrayNode();
                    request.json().path("permissions").forEach(permission -> {
                        if (!withheld.contains(permission.asText())) {
                            held.add(permission);
                        }
                    });
                    ObjectNode answer = JSON.createObjectNode();
                    answer.set("permissions", held);
                    send(exchange, 200, answer);
                }
                case "addVersion" -> send(exchange, 200, JSON.createObjectNode()
                        .put("name", resource.replaceFirst("^/v[0-9a-z]+/", "") + "/versions/1").put("state", "ENABLED")
                        // As the API answers a request whose payload carries a checksum, which gcloud checks.
                        .put("clientSpecifiedPayloadChecksum", true));
                case "run" -> {
                    // A Cloud Run job's execution, finished at once and successfully, as 'execute --wait' polls it.
                    String job = resource.substring(resource.lastIndexOf('/') + 1);
                    String execution = job + "-smk" + resources.size();
                    String executions = resource.substring(0, resource.indexOf("/jobs/")) + "/executions";
                    ObjectNode body = JSON.createObjectNode().put("apiVersion", "run.googleapis.com/v1")
                            .put("kind", "Execution");
                    String namespace = executions.replaceFirst(".*/namespaces/([^/]+)/executions$", "$1");
                    body.putObject("metadata").put("name", execution).put("namespace", namespace)
                            .putObject("labels").put("run.googleapis.com/job", job);
                    body.putObject("spec").put("taskCount", 1);
                    ObjectNode status = body.putObject("status").put("succeededCount", 1)
                            .put("completionTime", "2026-01-01T00:00:00Z");
                    ArrayNode conditions = status.putArray("conditions");
                    for (String type : List.of("Completed", "ResourcesAvailable", "Started")) {
                        conditions.addObject().put("type", type).put("status", "True");
                    }
                    resources.put(executions + "/" + execution, body);
                    send(exchange, 200, body);
                }
                case "pause", "resume" -> {
                    ObjectNode job = found(resource);
                    job.put("state", "pause".equals(action) ? "PAUSED" : "ENABLED");
                    send(exchange, 200, job);
                }
                default -> send(exchange, 200, JSON.createObjectNode());
            }
            return;
        }
        switch (method) {
            case "GET" -> {
                ObjectNode stored = resources.get(path);
                if (stored != null) {
                    send(exchange, 200, stored);
                } else if (LISTS.contains(path.substring(path.lastIndexOf('/') + 1))) {
                    // Unfiltered: gcloud applies --filter itself, to the whole list, and the scripts search it.
                    send(exchange, 200, list(path, path.substring(path.lastIndexOf('/') + 1)));
                } else {
                    notFound(exchange, path);
                }
            }
            case "POST" -> create(exchange, request);
            case "PUT", "PATCH" -> {
                ObjectNode stored = resources.get(path);
                if (stored == null) {
                    notFound(exchange, path);
                    return;
                }
                ObjectNode update = (ObjectNode) request.json();
                stored.setAll(update);
                decorate(path, stored);
                send(exchange, 200, stored);
            }
            case "DELETE" -> {
                resources.remove(path);
                send(exchange, 200, JSON.createObjectNode());
            }
            default -> send(exchange, 405, JSON.createObjectNode());
        }
    }

    /** Creates a resource in the collection {@code path}, named by the id the API takes for it. */
    private void create(HttpExchange exchange, Request request) throws IOException {
        ObjectNode body = request.json().isObject() ? (ObjectNode) request.json() : JSON.createObjectNode();
        String id = null;
        Matcher parameter = ID_PARAMETER.matcher(request.query() == null ? "" : request.query());
        if (parameter.find()) {
            id = URLDecoder.decode(parameter.group(1), StandardCharsets.UTF_8);
        } else if (body.has("accountId")) {
            id = body.get("accountId").asText() + "@" + project(request.path()) + ".iam.gserviceaccount.com";
            body = (ObjectNode) body.path("serviceAccount").deepCopy();
            body.put("email", id);
        } else if (body.at("/metadata/name").isTextual()) {
            id = body.at("/metadata/name").asText();
        } else if (body.at("/datasetReference/datasetId").isTextual()) {
            id = body.at("/datasetReference/datasetId").asText();
        } else if (body.path("name").isTextual()) {
            String name = body.get("name").asText();
            id = name.substring(name.lastIndexOf('/') + 1);
        } else {
            id = "generated" + resources.size();
        }
        String key = request.path() + "/" + id;
        if (request.path().contains("/serviceAccounts")) {
            key = "/v1/projects/-/serviceAccounts/" + id;
        }
        if (resources.containsKey(key)) {
            send(exchange, 409, error(409, "ALREADY_EXISTS", key + " already exists"));
            return;
        }
        if (!body.has("name") && !body.has("metadata")) {
            body.put("name", key.replaceFirst("^/v[0-9a-z]+/", ""));
        }
        decorate(key, body);
        resources.put(key, body);
        if (request.path().contains("/repositories")) {
            // Artifact Registry answers a create with a long-running operation, done at once here.
            ObjectNode operation = JSON.createObjectNode().put("name", "projects/p/locations/l/operations/op1")
                    .put("done", true);
            operation.set("response", body);
            send(exchange, 200, operation);
            return;
        }
        send(exchange, 200, body);
    }

    /** What the real APIs add to what they keep: an etag, a ready Cloud Run job. */
    private static void decorate(String key, ObjectNode resource) {
        if (key.startsWith("/bigquery/")) {
            resource.put("etag", "etag-" + Math.abs(resource.toString().hashCode()));
        }
        if (key.contains("serving.knative.dev/v1/namespaces/") && resource.get("metadata") instanceof ObjectNode service) {
            // A Cloud Run service, ready at once at its URL with its first revision, as 'gcloud run deploy' waits for.
            String name = service.path("name").asText();
            ObjectNode status = resource.putObject("status");
            status.put("observedGeneration", 1).put("url", "https://" + name + "-abc123-uc.a.run.app")
                    .put("latestCreatedRevisionName", name + "-00001").put("latestReadyRevisionName", name + "-00001");
            ArrayNode conditions = status.putArray("conditions");
            for (String type : List.of("Ready", "ConfigurationsReady", "RoutesReady")) {
                conditions.addObject().put("type", type).put("status", "True");
            }
            status.putObject("address").put("url", "https://" + name + "-abc123-uc.a.run.app");
            service.put("generation", 1);
            return;
        }
        if (key.contains("run.googleapis.com/v1/namespaces/")) {
            ObjectNode status = resource.putObject("status");
            status.put("observedGeneration", 1);
            ArrayNode conditions = status.putArray("conditions");
            conditions.addObject().put("type", "Ready").put("status", "True");
            if (resource.get("metadata") instanceof ObjectNode metadata) {
                metadata.put("generation", 1);
            }
        }
    }

    private ObjectNode list(String path, String field) {
        ObjectNode list = JSON.createObjectNode();
        ArrayNode items = list.putArray(field);
        resources.forEach((key, value) -> {
            if (key.startsWith(path + "/") && key.indexOf('/', path.length() + 1) < 0) {
                items.add(value);
            }
        });
        return list;
    }

    private ObjectNode found(String path) {
        ObjectNode resource = resources.get(path);
        if (resource == null) {
            throw new IllegalStateException("no " + path);
        }
        return resource;
    }

    private static String project(String path) {
        Matcher project = Pattern.compile("/projects/([^/]+)").matcher(path);
        return project.find() ? project.group(1) : "p";
    }

    private static ObjectNode error(int code, String status, String message) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode inner = error.putObject("error").put("code", code).put("message", message).put("status", status);
        inner.putArray("errors").addObject().put("reason", code == 404 ? "notFound" : code == 403 ? "forbidden" : "duplicate")
                .put("message", message).put("domain", "global");
        return error;
    }

    private static void notFound(HttpExchange exchange, String path) throws IOException {
        send(exchange, 404, error(404, "NOT_FOUND", "Resource " + path + " was not found"));
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Serves until killed and prints each request: for watching what gcloud sends. */
    public static void main(String[] args) throws Exception {
        GoogleCloudRecorder recorder = new GoogleCloudRecorder();
        System.out.println("port " + recorder.proxyPort() + " " + recorder.port());
        System.out.flush();
        int seen = 0;
        while (true) {
            Thread.sleep(200);
            List<Request> all = recorder.requests();
            for (; seen < all.size(); seen++) {
                System.out.println(all.get(seen) + " " + all.get(seen).body().replace('\n', ' '));
                System.out.flush();
            }
        }
    }
}
