package dev.claudedataingestion.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * RFC 4180 text, as {@code query --format csv} and the FOCUS export write it: a field is quoted when it holds a comma,
 * a quote or a line break, and when it is empty, so that an empty string and a null (an unquoted empty field) stay
 * apart; lines end with CRLF.
 */
public final class Csv {

    private Csv() {
    }

    /** One field; null is written as nothing. */
    public static String field(String value) {
        if (value == null) {
            return "";
        }
        if (value.isEmpty() || value.contains(",") || value.contains("\"") || value.contains("\n")
                || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    /** One line of {@code fields}, with its CRLF. */
    public static String line(List<String> fields) {
        return fields.stream().map(Csv::field).collect(Collectors.joining(",")) + "\r\n";
    }
}
