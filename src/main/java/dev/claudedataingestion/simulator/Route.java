package dev.claudedataingestion.simulator;

import java.util.Arrays;
import java.util.Optional;

/** Every endpoint the simulator serves, by its path, and whether it is a report: the faults aim at reports. */
enum Route {
    ORGANIZATION("/v1/organizations/me", false),
    USAGE_REPORT("/v1/organizations/usage_report/messages", true),
    COST_REPORT("/v1/organizations/cost_report", true),
    CLAUDE_CODE_REPORT("/v1/organizations/usage_report/claude_code", true),
    ANALYTICS_USAGE(AdminApiSimulator.ANALYTICS + "usage", true),
    ANALYTICS_COST(AdminApiSimulator.ANALYTICS + "cost", true),
    WORKSPACES("/v1/organizations/workspaces", false),
    API_KEYS("/v1/organizations/api_keys", false),
    USERS("/v1/organizations/users", false);

    private final String path;
    private final boolean report;

    Route(String path, boolean report) {
        this.path = path;
        this.report = report;
    }

    /** Whether the endpoint is a report, whose requests a fault without a path of its own is applied to. */
    boolean isReport() {
        return report;
    }

    /** The endpoint at {@code path}, exactly; empty for a path the API does not have. */
    static Optional<Route> of(String path) {
        return Arrays.stream(values()).filter(route -> route.path.equals(path)).findFirst();
    }
}
