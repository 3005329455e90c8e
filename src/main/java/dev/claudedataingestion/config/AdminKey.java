package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;


/**
 * An Anthropic Admin API key, or an API key with the read:analytics scope where only the Usage and Cost Analytics
 * API is read. It is never printed: {@link #toString()} is redacted, and
 * {@link dev.claudedataingestion.model.SafeText#redact(String)} removes anything shaped like an Anthropic key from
 * text that is about to be logged or shown.
 */
public final class AdminKey {

    /** Everything {@link #parse} accepts after the prefix: any printable ASCII but a space. */
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

    @Override
    public String toString() {
        return admin ? "sk-ant-admin…[redacted]" : "sk-ant-api…[redacted]";
    }
}
