package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One result of the messages usage report: a bucket and one tuple of the eight dimensions. A null dimension
 * is kept as null: a null {@code workspaceId} is the default workspace, a null {@code apiKeyId} is Console
 * usage, a null {@code accountId} is a request not made with OAuth.
 */
public record UsageRow(
        Instant bucketStart,
        String bucketWidth,
        String apiKeyId,
        String workspaceId,
        String model,
        String serviceTier,
        String contextWindow,
        String inferenceGeo,
        String accountId,
        String serviceAccountId,
        long uncachedInputTokens,
        long cacheCreation5mInputTokens,
        long cacheCreation1hInputTokens,
        long cacheReadInputTokens,
        long outputTokens,
        long webSearchRequests) implements FactRow {

    public UsageRow {
        requireNonNull(bucketStart, "bucketStart is null");
        requireNonNull(bucketWidth, "bucketWidth is null");
    }

    @Override
    public java.math.BigDecimal headlineTotal() {
        return java.math.BigDecimal.valueOf(uncachedInputTokens + cacheCreation5mInputTokens + cacheCreation1hInputTokens
                + cacheReadInputTokens + outputTokens);
    }

    @Override
    public LocalDate activityDate() {
        return LocalDate.ofInstant(bucketStart, ZoneOffset.UTC);
    }

    /** The bucket and every dimension the report is grouped by. */
    @Override
    public java.util.List<Object> key() {
        return java.util.Arrays.asList(bucketStart, bucketWidth, apiKeyId, workspaceId, model, serviceTier,
                contextWindow, inferenceGeo, accountId, serviceAccountId);
    }
}
