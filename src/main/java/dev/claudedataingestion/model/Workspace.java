package dev.claudedataingestion.model;

import java.time.Instant;

/**
 * A workspace from {@code GET /v1/organizations/workspaces}; {@code id} null is the default workspace as the older
 * reports show it, and {@code isDefault} marks it and the default workspace's real id, which the Usage and Cost
 * Analytics API shows and {@code include_default=true} lists.
 */
public record Workspace(String id, String name, String displayColor, Instant createdAt, Instant archivedAt,
        boolean isDefault) {

    /** The row that names the default workspace, which the older reports show as a null workspace id. */
    public static final Workspace DEFAULT = new Workspace(null, "Default workspace", null, null, null, true);
}
