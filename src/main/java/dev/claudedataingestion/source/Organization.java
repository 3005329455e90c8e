package dev.claudedataingestion.source;

import static java.util.Objects.requireNonNull;

/** The organization an Admin key belongs to, from {@code GET /v1/organizations/me}. */
public record Organization(String id, String name) {

    public Organization {
        requireNonNull(id, "id is null");
    }
}
