package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How to reach the Admin API: where, with which key, and how politely.
 *
 * @param requestsPerSecond sustained request rate of the client-side limiter
 * @param burst             requests that may be made at once before the sustained rate applies (paging)
 * @param maxRetries        retries of one request after a retryable failure, before the run gives up
 */
public record ApiConfig(
        URI baseUrl,
        AdminKey key,
        Optional<String> organizationId,
        double requestsPerSecond,
        int burst,
        int maxRetries,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        Duration connectTimeout,
        Duration requestTimeout,
        String userAgent) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.anthropic.com");
    public static final double DEFAULT_REQUESTS_PER_SECOND = 2.0;
    public static final int DEFAULT_BURST = 20;
    public static final int DEFAULT_MAX_RETRIES = 8;

    public ApiConfig {
        requireNonNull(baseUrl, "baseUrl is null");
        requireNonNull(key, "key is null");
        requireNonNull(organizationId, "organizationId is null");
        requireNonNull(userAgent, "userAgent is null");
        if (!(requestsPerSecond > 0)) {
            throw new ConfigException("the request rate must be positive, got " + requestsPerSecond);
        }
        if (burst < 1 || maxRetries < 0) {
            throw new ConfigException("burst must be at least 1 and retries at least 0");
        }
    }

    /** Production defaults for everything but where and who. */
    public static ApiConfig of(URI baseUrl, AdminKey key, Optional<String> organizationId, double requestsPerSecond,
            String version) {
        return new ApiConfig(baseUrl, key, organizationId, requestsPerSecond, DEFAULT_BURST, DEFAULT_MAX_RETRIES,
                Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(120),
                "claude-data-ingestion/" + version);
    }

    /** The same settings with other retry timing; tests use it to keep fault cases short. */
    public ApiConfig withRetries(int retries, Duration baseDelay, Duration maxDelay) {
        return new ApiConfig(baseUrl, key, organizationId, requestsPerSecond, burst, retries, baseDelay, maxDelay,
                connectTimeout, requestTimeout, userAgent);
    }

    /** The same settings with another request timeout (time to the response headers). */
    public ApiConfig withRequestTimeout(Duration timeout) {
        return new ApiConfig(baseUrl, key, organizationId, requestsPerSecond, burst, maxRetries, retryBaseDelay,
                retryMaxDelay, connectTimeout, timeout, userAgent);
    }
}
