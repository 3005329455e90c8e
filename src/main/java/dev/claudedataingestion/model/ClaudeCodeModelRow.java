package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/** One entry of a Claude Code record's model breakdown. */
public record ClaudeCodeModelRow(
        String model,
        long inputTokens,
        long outputTokens,
        long cacheReadTokens,
        long cacheCreationTokens,
        BigDecimal estimatedCostCents) {

    public ClaudeCodeModelRow {
        requireNonNull(estimatedCostCents, "estimatedCostCents is null");
        Cents.requireStorable(estimatedCostCents);
    }

    public BigDecimal estimatedCostUsd() {
        return Cents.toUsd(estimatedCostCents);
    }
}
