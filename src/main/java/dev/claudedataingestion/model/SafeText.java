package dev.claudedataingestion.model;

import java.util.regex.Pattern;

/**
 * Text from outside (the API, a server, a file) made safe to log or show: keys redacted, control characters escaped.
 */
public final class SafeText {

    private static final Pattern ANY_ANTHROPIC_KEY = Pattern.compile("sk-ant-[A-Za-z]+[0-9]*-[\\x21-\\x7E]+");

    private SafeText() {
    }

    /** {@code text} with every Anthropic key in it replaced by a redaction mark. */
    public static String redact(String text) {
        return text == null ? null : ANY_ANTHROPIC_KEY.matcher(text).replaceAll("sk-ant-…[redacted]");
    }

    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*[\\r\\n]+\\s*");

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
}
