package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * One Claude Code analytics record: a day, an actor, a terminal and a remote flag. Actors are users
 * ({@code actorEmail}) or API keys ({@code actorApiKeyName}). {@code toolActions} maps a tool name to its
 * accepted and rejected counts and keeps tools this version does not know.
 */
public record ClaudeCodeRow(
        LocalDate activityDate,
        String actorType,
        String actorEmail,
        String actorApiKeyName,
        String terminalType,
        Boolean isRemote,
        String customerType,
        String subscriptionType,
        long numSessions,
        long linesAdded,
        long linesRemoved,
        long commits,
        long pullRequests,
        Map<String, ToolActions> toolActions,
        List<ClaudeCodeModelRow> models) implements FactRow {

    /** The tools that have their own columns; others are kept in the {@code tool_actions} JSON only. */
    public static final List<String> KNOWN_TOOLS = List.of("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool");

    public record ToolActions(long accepted, long rejected) {
    }

    public ClaudeCodeRow {
        requireNonNull(activityDate, "activityDate is null");
        requireNonNull(actorType, "actorType is null");
        toolActions = Map.copyOf(toolActions);
        models = List.copyOf(models);
    }

    public ToolActions tool(String name) {
        return toolActions.getOrDefault(name, new ToolActions(0, 0));
    }

    public long inputTokens() {
        return models.stream().mapToLong(ClaudeCodeModelRow::inputTokens).sum();
    }

    public long outputTokens() {
        return models.stream().mapToLong(ClaudeCodeModelRow::outputTokens).sum();
    }

    public long cacheReadTokens() {
        return models.stream().mapToLong(ClaudeCodeModelRow::cacheReadTokens).sum();
    }

    public long cacheCreationTokens() {
        return models.stream().mapToLong(ClaudeCodeModelRow::cacheCreationTokens).sum();
    }

    @Override
    public BigDecimal headlineTotal() {
        return estimatedCostUsd();
    }

    public BigDecimal estimatedCostUsd() {
        return models.stream().map(ClaudeCodeModelRow::estimatedCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The day, the actor, the terminal, the remote flag, the customer and the subscription type. */
    @Override
    public List<Object> key() {
        return java.util.Arrays.asList(activityDate, actorType, actorEmail, actorApiKeyName, terminalType, isRemote,
                customerType, subscriptionType);
    }
}
