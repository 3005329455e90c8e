package dev.claudedataingestion.model;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The dimensions the Usage and Cost Analytics reports are grouped by ({@code ANALYTICS_GROUP_BY}): documented, none
 * twice, one to five of them, and each summing to the day's total, so that a day's rows add up to what it cost.
 * Those marked {@code ?} ({@code actor,model,product?}) are {@code optional}: when a day has usage in more groups than
 * the API can return ({@code too_many_report_groups}), the window is asked again without the last of them.
 *
 * @param optional the dimensions that may be left out, a subset of {@code dimensions}
 */
public record AnalyticsGrouping(List<String> dimensions, List<String> optional) {

    /** Every documented group dimension but the actor's and the cost report's own, in the API's order. */
    public static final List<String> PLAIN = List.of("api_key_id", "workspace_id", "model", "product",
            "service_tier", "context_window", "inference_geo", "speed", "organization_id", "rbac_group_id", "agent_id",
            "session_id", "deployment_id", "environment_id", "slack_channel_id", "claude_tag_category",
            "claude_tag_user_id", "user_profile_id");

    /** A user in several RBAC groups counts in each, and Slack users miss some usage: their rows do not sum. */
    private static final List<String> OVERLAPPING = List.of("rbac_group_id", "claude_tag_user_id");
    private static final List<String> GROUPABLE = Stream.concat(Stream.of("actor", "actor_type"),
            PLAIN.stream().filter(dimension -> !OVERLAPPING.contains(dimension))).toList();
    /** The most dimensions one request may group by. */
    private static final int MAX = 5;

    /** Who, with which key, where, with which model, in which product. */
    public static final AnalyticsGrouping DEFAULT = new AnalyticsGrouping(List.of("actor", "api_key_id",
            "workspace_id", "model", "product"));

    /** None optional. */
    public AnalyticsGrouping(List<String> dimensions) {
        this(dimensions, List.of());
    }

    /** @throws IllegalArgumentException naming the dimension that is wrong and why */
    public AnalyticsGrouping {
        dimensions = List.copyOf(dimensions);
        optional = List.copyOf(optional);
        if (!dimensions.containsAll(optional)) {
            throw new IllegalArgumentException("marks optional a dimension it does not group by");
        }
        if (dimensions.isEmpty() || dimensions.size() > MAX) {
            throw new IllegalArgumentException("names " + dimensions.size() + " dimensions; the API groups by 1 to "
                    + MAX);
        }
        for (String dimension : dimensions) {
            if (OVERLAPPING.contains(dimension)) {
                throw new IllegalArgumentException("'" + dimension + "' counts some usage in several rows or in none,"
                        + " so a day's rows would not add up to its total");
            }
            if (!GROUPABLE.contains(dimension)) {
                throw new IllegalArgumentException("'" + dimension + "' is not a group dimension of the Usage and Cost"
                        + " Analytics API; choose up to " + MAX + " of " + String.join(",", GROUPABLE));
            }
        }
        if (new HashSet<>(dimensions).size() < dimensions.size()) {
            throw new IllegalArgumentException("names a dimension twice: " + String.join(",", dimensions));
        }
    }

    /** SQL: whether a row whose {@code column} records its grouping (as {@link #toString}) was grouped by it. */
    public static String sqlGroupedBy(String column, String dimension) {
        return "CONCAT(',', " + column + ", ',') LIKE '%," + Identifiers.require(dimension) + ",%'";
    }

    /** Parses {@code actor,model,product?,…}. */
    public static AnalyticsGrouping parse(String text) {
        List<String> named = Stream.of(text.split(",")).map(String::strip).filter(d -> !d.isEmpty()).toList();
        return new AnalyticsGrouping(named.stream().map(d -> d.endsWith("?") ? d.substring(0, d.length() - 1) : d)
                .toList(), named.stream().filter(d -> d.endsWith("?")).map(d -> d.substring(0, d.length() - 1))
                .toList());
    }

    /** This grouping without its last optional dimension, when it has one and keeps another dimension. */
    public Optional<AnalyticsGrouping> withoutLastOptional() {
        if (optional.isEmpty() || dimensions.size() == 1) {
            return Optional.empty();
        }
        String dropped = optional.get(optional.size() - 1);
        return Optional.of(new AnalyticsGrouping(dimensions.stream().filter(d -> !d.equals(dropped)).toList(),
                optional.subList(0, optional.size() - 1)));
    }

    /** As recorded in the tables' {@code grouped_by} column: the dimensions, without the optional marks. */
    @Override
    public String toString() {
        return String.join(",", dimensions);
    }
}
