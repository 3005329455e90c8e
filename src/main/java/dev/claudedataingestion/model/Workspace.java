package dev.claudedataingestion.model;

import java.time.Instant;

/** A workspace from {@code GET /v1/organizations/workspaces}; {@code id} null is the default workspace. */
public record Workspace(String id, String name, String displayColor, Instant createdAt, Instant archivedAt) {

    /** The row that names the default workspace, which the reports show as a null workspace id. */
    public static final Workspace DEFAULT = new Workspace(null, "Default workspace", null, null, null);
}
