package dev.claudedataingestion.config;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How {@code serve} receives Claude Code's telemetry. The token is a secret: only {@link #acceptsToken} sees it, and
 * {@link #toString()} never shows it.
 *
 * @param bindAddress the address to listen on: loopback unless on Cloud Run
 * @param port the port: {@code PORT} on Cloud Run, else 4318, OTLP/HTTP's own
 * @param maxBodyBytes the largest request body taken, uncompressed
 * @param bufferRows rows received and not yet written, at most; a request beyond them is answered 503
 * @param keepContent whether prompt and response text is stored where Claude Code sends it
 * @param defaultOrganization the organization of telemetry that names none
 */
public record TelemetryConfig(String bindAddress, int port, Optional<byte[]> token, long maxBodyBytes, int bufferRows,
        boolean keepContent, Optional<String> defaultOrganization) {

    public static final String TOKEN = "OTLP_TOKEN";
    public static final String TOKEN_FILE = "OTLP_TOKEN_FILE";
    public static final String MAX_BODY = "TELEMETRY_MAX_BODY";
    public static final String BUFFER_ROWS = "TELEMETRY_BUFFER_ROWS";
    public static final String KEEP_CONTENT = "TELEMETRY_KEEP_CONTENT";

    public TelemetryConfig {
        token = token.map(byte[]::clone);
    }

    /** Whether an {@code Authorization} header carries the token; compared in constant time. */
    public boolean acceptsToken(String authorization) {
        if (token.isEmpty()) {
            return true;
        }
        byte[] given = (authorization == null ? "" : authorization).getBytes(StandardCharsets.UTF_8);
        byte[] expected = ("Bearer " + new String(token.get(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        return java.security.MessageDigest.isEqual(given, expected);
    }

    @Override
    public String toString() {
        return "TelemetryConfig[" + bindAddress + ":" + port + ", token " + (token.isPresent() ? "set" : "none")
                + ", maxBodyBytes " + maxBodyBytes + ", bufferRows " + bufferRows + ", keepContent " + keepContent
                + "]";
    }
}
