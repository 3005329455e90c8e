package dev.claudedataingestion.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Usage and Cost Analytics API's rows of a day, computed from the same synthetic facts as the older reports (the
 * usage tuples and the priced parts of them), so that the two APIs agree: summed over any grouping, a day's tokens
 * equal the usage report's and its amounts the cost report's.
 */
final class AnalyticsAnswers {

    /** The group dimensions, in the order the answer writes them. */
    static final List<String> DIMENSIONS = List.of("actor", "actor_type", "api_key_id", "workspace_id", "model",
            "product", "service_tier", "context_window", "inference_geo", "speed", "organization_id", "rbac_group_id",
            "agent_id", "session_id", "deployment_id", "environment_id", "slack_channel_id", "claude_tag_category",
            "claude_tag_user_id", "user_profile_id");
    /** The cost report's own dimensions, which do not count toward the five. */
    static final List<String> FAN_OUT = List.of("cost_type", "token_type");

    /**
     * Whom usage is attributed to: {@code id} is the user's, the service account's, the federated subject or the API
     * key's; {@code provider} is a federated identity's (aws or oidc).
     */
    record Actor(String type, String id, String email, String name, boolean deleted, String provider) {
    }

    /** One row: its group's values by dimension, and its measures. */
    record Grouped(Map<String, Object> group, long[] usage, BigDecimal amount, BigDecimal list, Long requests) {
    }

    private final SyntheticOrganization organization;
    private final Map<String, Actor> users = new HashMap<>();
    private final Map<String, Actor> federated = new HashMap<>();

    AnalyticsAnswers(SyntheticOrganization organization) {
        this.organization = organization;
        for (SyntheticOrganization.User user : organization.everyone()) {
            users.put(user.id(), new Actor("user_actor", user.id(), user.email(), user.name(),
                    organization.isFormerMember(user), null));
        }
        // Every fourth key, from the third, is used by a workload with a cloud identity: an AWS role or an OIDC subject.
        List<SyntheticOrganization.ApiKey> keys = organization.apiKeys();
        for (int k = 2; k < keys.size(); k += 4) {
            federated.put(keys.get(k).id(), k % 8 == 2
                    ? new Actor("federated_actor", "arn:aws:iam::123456789012:role/batch-" + k, null, null, false, "aws")
                    : new Actor("federated_actor", "repo:example/service-" + k + ":ref:refs/heads/main", null, null,
                            false, "oidc"));
        }
    }

    /** The usage rows of {@code day}, grouped by {@code groupBy}: tokens, web searches, total tokens, requests. */
    List<Grouped> usage(LocalDate day, List<String> groupBy) {
        Map<List<Object>, Grouped> rows = new LinkedHashMap<>();
        for (SyntheticOrganization.UsageTuple tuple : organization.usage(day)) {
            Map<String, Object> group = group(dimensions(tuple, null), groupBy);
            long[] m = tuple.measures();
            long total = m[0] + m[1] + m[2] + m[3] + m[4];
            long[] measures = {m[0], m[1], m[2], m[3], m[4], m[5], total, requests(tuple)};
            rows.merge(new ArrayList<>(group.values()), new Grouped(group, measures, null, null, null),
                    (a, b) -> new Grouped(a.group(), add(a.usage(), b.usage()), null, null, null));
        }
        return new ArrayList<>(rows.values());
    }

    /**
     * The decimal places of a cent each amount is served with, rounded half to even: as the real API does, each row
     * is rounded on its own, so a day's rows may sum to a little more or less than the cost report's lines.
     */
    static final int SERVED_PLACES = 6;

    /**
     * The cost rows of {@code day}, grouped by {@code groupBy}: amount, list amount (each rounded to
     * {@link #SERVED_PLACES}), and requests (null when grouped by cost or token type).
     */
    List<Grouped> cost(LocalDate day, List<String> groupBy) {
        boolean fannedOut = groupBy.stream().anyMatch(FAN_OUT::contains);
        Map<List<Object>, Grouped> rows = new LinkedHashMap<>();
        int unnamed = 0;
        for (SyntheticOrganization.AttributedCost cost : organization.attributedCosts(day)) {
            Map<String, Object> values = dimensions(cost.tuple(), cost);
            Map<String, Object> group = group(values, groupBy);
            List<Object> key = new ArrayList<>(group.values());
            if (groupBy.contains("actor") && group.get("actor") == null) {
                // Each identity the API cannot name is a row of its own, all with a null actor.
                key.add(unnamed++);
            }
            // A tuple's requests are counted once, with its first priced part; code execution counts one span.
            boolean first = cost.tuple() == null || !"tokens".equals(cost.costType())
                    || "uncached_input_tokens".equals(cost.tokenType());
            long requests = !first ? 0 : cost.tuple() == null ? 1 : requests(cost.tuple());
            rows.merge(key, new Grouped(group, null, cost.amountCents(), cost.listCents(),
                    fannedOut ? null : requests), (a, b) -> new Grouped(a.group(), null, a.amount().add(b.amount()),
                    a.list().add(b.list()), a.requests() == null ? null : a.requests() + b.requests()));
        }
        return rows.values().stream().map(row -> new Grouped(row.group(), null, served(row.amount()),
                served(row.list()), row.requests())).toList();
    }

    private static BigDecimal served(BigDecimal cents) {
        return cents.setScale(SERVED_PLACES, RoundingMode.HALF_EVEN).stripTrailingZeros();
    }

    /** Requests a tuple stands for: one per 400 output tokens, at least one. */
    private static long requests(SyntheticOrganization.UsageTuple tuple) {
        return 1 + tuple.outputTokens() / 400;
    }

    /** The analytics API names the default workspace by its real id, where the older reports give null. */
    private String realWorkspaceId(String workspaceId) {
        return workspaceId == null ? organization.defaultWorkspaceId() : workspaceId;
    }

    /**
     * What a person's account used, Claude Code for about half of the people (by their id) and the Console for the
     * rest; an API key's requests, the Messages or Batches API.
     */
    static String product(SyntheticOrganization.UsageTuple tuple) {
        if (tuple.accountId() != null) {
            return Math.floorMod(tuple.accountId().hashCode(), 2) == 0 ? "claude_code" : "claude_console";
        }
        return "batch".equals(tuple.serviceTier()) ? "message_batches_api" : "messages_api";
    }

    private Map<String, Object> dimensions(SyntheticOrganization.UsageTuple tuple,
            SyntheticOrganization.AttributedCost cost) {
        Map<String, Object> values = new HashMap<>();
        if (tuple != null) {
            Actor actor = actor(tuple);
            values.put("actor", actor);
            values.put("actor_type", actor == null ? null : actor.type());
            values.put("api_key_id", tuple.apiKeyId());
            values.put("workspace_id", realWorkspaceId(tuple.workspaceId()));
            values.put("model", tuple.model());
            values.put("product", product(tuple));
            values.put("service_tier", tuple.serviceTier());
            values.put("context_window", tuple.contextWindow());
            values.put("inference_geo", tuple.inferenceGeo());
            values.put("speed", "standard");
        }
        if (cost != null) {
            values.put("workspace_id", realWorkspaceId(cost.workspaceId()));
            values.put("cost_type", cost.costType());
            values.put("token_type", cost.tokenType());
            if (!"tokens".equals(cost.costType())) {
                values.put("model", null);
                values.put("service_tier", null);
                values.put("context_window", null);
                values.put("inference_geo", null);
            }
        }
        return values;
    }

    /** The user if any, else the service account, else the federated identity, else the API key. */
    private Actor actor(SyntheticOrganization.UsageTuple tuple) {
        if (tuple.accountId() != null) {
            return users.get(tuple.accountId());
        }
        if (tuple.serviceAccountId() != null) {
            return new Actor("service_account_actor", tuple.serviceAccountId(), null, null, false, null);
        }
        if (federated.containsKey(tuple.apiKeyId())) {
            return federated.get(tuple.apiKeyId());
        }
        return tuple.apiKeyId() == null ? null : new Actor("api_actor", tuple.apiKeyId(), null, null, false, null);
    }

    /** {@code values} of the dimensions grouped by, every other dimension null, in a fixed order. */
    private static Map<String, Object> group(Map<String, Object> values, List<String> groupBy) {
        Map<String, Object> group = new LinkedHashMap<>();
        for (String dimension : DIMENSIONS) {
            group.put(dimension, groupBy.contains(dimension) ? values.get(dimension) : null);
        }
        for (String dimension : FAN_OUT) {
            group.put(dimension, groupBy.contains(dimension) ? values.get(dimension) : null);
        }
        return group;
    }

    private static long[] add(long[] a, long[] b) {
        long[] sum = Arrays.copyOf(a, a.length);
        for (int i = 0; i < sum.length; i++) {
            sum[i] += b[i];
        }
        return sum;
    }
}
