package dev.claudedataingestion.analysis.views;

import dev.claudedataingestion.warehouse.Warehouse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The default workspace, which the older reports name by a null workspace id and the Usage and Cost Analytics API by
 * its real id: {@code claude_workspaces} records that id ({@code is_default}) where the API lists it.
 */
public final class DefaultWorkspace {

    private DefaultWorkspace() {
    }

    /** The real ids {@code organizationId}'s default workspace has had; empty where none was listed. */
    public static Set<String> realIds(Warehouse warehouse, String organizationId) {
        return new TreeSet<>(warehouse.read("SELECT DISTINCT workspace_id FROM claude_workspaces WHERE organization_id"
                + " = @organization_id AND is_default AND workspace_id IS NOT NULL",
                Map.of("organization_id", organizationId), row -> row.string("workspace_id")));
    }
}
