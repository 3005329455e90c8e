package dev.claudedataingestion.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Reads {@value #TOKEN} or the file {@value #TOKEN_FILE} names, as the Admin key is read. */
    static Optional<byte[]> token(Optional<String> value, Optional<String> file) {
        if (value.isPresent() && file.isPresent()) {
            throw new ConfigException("both " + TOKEN + " and " + TOKEN_FILE + " are set; keep one");
        }
        if (file.isPresent()) {
            try {
                String text = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new ConfigException(TOKEN_FILE + " names an empty file; write the token into it");
                }
                return Optional.of(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConfigException(TOKEN_FILE + " names a file that cannot be read (" + e.getClass()
                        .getSimpleName() + "); give the path of a readable file holding the token");
            }
        }
        return value.map(text -> text.getBytes(StandardCharsets.UTF_8));
    }
}
