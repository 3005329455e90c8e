package dev.claudedataingestion.source;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** Builds a query string; array parameters repeat with brackets ({@code group_by[]=a&group_by[]=b}). */
final class QueryString {

    private final StringJoiner parts = new StringJoiner("&");

    QueryString add(String name, Object value) {
        if (value != null) {
            parts.add(encode(name) + "=" + encode(value.toString()));
        }
        return this;
    }

    QueryString addAll(String name, Iterable<String> values) {
        for (String value : values) {
            add(name, value);
        }
        return this;
    }

    /** Appends parameters already encoded. */
    QueryString raw(String encoded) {
        parts.add(encoded);
        return this;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return parts.toString();
    }
}
