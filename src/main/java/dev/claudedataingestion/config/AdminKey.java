package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * An Anthropic Admin API key, or an API key with the read:analytics scope where only the Usage and Cost Analytics
 * API is read. It is never printed: {@link #toString()} is redacted, and {@link #redact(String)}
 * removes anything shaped like an Anthropic key from text that is about to be logged or shown.
 */
public final class AdminKey {

    /** Everything {@link #parse} accepts after the prefix: any printable ASCII but a space. */
    private static final Pattern ANY_ANTHROPIC_KEY = Pattern.compile("sk-ant-[A-Za-z]+[0-9]*-[\\x21-\\x7E]+");

    private final String value;
    private final boolean admin;

    private AdminKey(String value, boolean admin) {
        this.value = value;
        this.admin = admin;
    }

    /** {@link #parse(String, String, boolean)} for a run that needs an Admin key. */
    public static AdminKey parse(String raw, String source) {
        return parse(raw, source, false);
    }

    /**
     * Checks that {@code raw} is an Admin key, or an API key when {@code analyticsOnly}, before any request is made.
     * {@code source} names where it came from (a variable or a file) for the error message, which never contains
     * the key itself.
     */
    public static AdminKey parse(String raw, String source, boolean analyticsOnly) {
        requireNonNull(raw, "raw is null");
        String key = raw.strip();
        if (key.isEmpty()) {
            throw new ConfigException(source + " is empty; set it to an Admin API key (sk-ant-admin…)");
        }
        boolean apiKey = key.startsWith("sk-ant-api");
        if (apiKey && !analyticsOnly) {
            throw new ConfigException("The key in " + source + " starts with sk-ant-api; the usage, cost and Claude"
                    + " Code reports and the dimension tables need an Admin key (sk-ant-admin…), created by an"
                    + " organization admin in the Console. An API key with the read:analytics scope reads only"
                    + " --reports analytics_usage,analytics_cost");
        }
        if (!apiKey && !key.startsWith("sk-ant-admin")) {
            throw new ConfigException("The key in " + source + " is not an Anthropic Admin key: Admin keys start with"
                    + " sk-ant-admin");
        }
        if (key.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new ConfigException("The key in " + source + " contains spaces or non-ASCII characters;"
                    + " copy it again from the Console");
        }
        return new AdminKey(key, !apiKey);
    }

    /** Whether this is an Admin key; if not, it is an API key that reads the Usage and Cost Analytics API only. */
    public boolean isAdmin() {
        return admin;
    }

    /** The key, for the request header only. */
    public String reveal() {
        return value;
    }

    /** {@code text} with every Anthropic key in it replaced by a redaction mark. */
    public static String redact(String text) {
        return text == null ? null : ANY_ANTHROPIC_KEY.matcher(text).replaceAll("sk-ant-…[redacted]");
    }

    private static final java.util.regex.Pattern LINE_BREAKS = java.util.regex.Pattern.compile("\\s*[\\r\\n]+\\s*");

    /**
     * {@code text} for one line of a log or a terminal: keys redacted, line breaks folded into a space and other
     * control characters escaped, so that a newline in something the API sent cannot forge a line of its own.
     */
    public static String forDisplay(String text) {
        String redacted = redact(text);
        // A message of several lines (a server's "ERROR: …" and its "Position: …") reads as one line.
        return redacted == null ? null : escapeControls(LINE_BREAKS.matcher(redacted).replaceAll(" "), Integer.MAX_VALUE);
    }

    /**
     * {@code text} with control characters (and U+2028/U+2029) written as {@code \\uXXXX}, cut with "…" once it
     * reaches {@code limit} characters.
     */
    public static String escapeControls(String text, int limit) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), limit));
        int next = 0;
        for (; next < text.length() && out.length() < limit; next++) {
            char c = text.charAt(next);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return next < text.length() ? out + "…" : out.toString();
    }

    @Override
    public String toString() {
        return admin ? "sk-ant-admin…[redacted]" : "sk-ant-api…[redacted]";
    }
}
