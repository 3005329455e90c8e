package dev.claudedataingestion.model;

import java.time.Instant;

/** An API key from {@code GET /v1/organizations/api_keys}; {@code workspaceId} null is the default workspace. */
public record ApiKey(String id, String name, String workspaceId, String status, Instant createdAt, String createdById,
        String partialKeyHint, Instant expiresAt) {
}
