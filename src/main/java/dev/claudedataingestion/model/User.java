package dev.claudedataingestion.model;

import java.time.Instant;

/** A member of the organization from {@code GET /v1/organizations/users}. */
public record User(String id, String email, String name, String role, Instant addedAt) {
}
