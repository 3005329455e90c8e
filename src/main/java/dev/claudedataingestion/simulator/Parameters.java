package dev.claudedataingestion.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A request's query parameters as the API reads and checks them, and its page cursors. */
final class Parameters {

    private Parameters() {
    }

    static Map<String, List<String>> parseQuery(String raw) {
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

    static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static String required(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        if (value == null || value.isEmpty()) {
            throw new ApiError(400, "invalid_request_error", name + ": Field required");
        }
        return value;
    }

    static Instant instant(String text, String name) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new ApiError(400, "invalid_request_error", name + ": Input should be a valid datetime (RFC 3339)");
        }
    }

    static int limit(Map<String, List<String>> query, int defaultLimit, int maxLimit) {
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

    static List<String> groupBy(Map<String, List<String>> query, Set<String> allowed) {
        List<String> groupBy = query.getOrDefault("group_by[]", List.of());
        for (String dimension : groupBy) {
            if (!allowed.contains(dimension)) {
                throw new ApiError(400, "invalid_request_error", "group_by: Input should be one of "
                        + String.join(", ", allowed.stream().sorted().toList()) + "; got '" + dimension + "'");
            }
        }
        return groupBy;
    }

    static String encodeCursor(Instant instant) {
        return "page_" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(instant.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Instant decodeCursor(String cursor) {
        try {
            return Instant.parse(new String(Base64.getUrlDecoder().decode(cursor.substring("page_".length())),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
    }

    static int decodeOffset(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor.substring("page_".length())),
                    StandardCharsets.UTF_8);
            return Integer.parseInt(text.substring("offset:".length()));
        } catch (RuntimeException e) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
    }
}
