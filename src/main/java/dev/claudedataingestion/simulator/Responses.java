package dev.claudedataingestion.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends answers as the API frames them: error bodies with their type, and bodies a fault may spoil on purpose. */
final class Responses {

    private static final JsonFactory JSON = new JsonFactory();

    private Responses() {
    }

    static String errorType(int status) {
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

    static void sendError(HttpExchange exchange, int status, String type, String message, String requestId,
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

    static void send(HttpExchange exchange, JsonBody body, Fault fault) throws IOException {
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

    static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
