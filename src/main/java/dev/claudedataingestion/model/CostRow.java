package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.LocalDate;

/** One result of the cost report grouped by workspace and description. {@code amountCents} is exact. */
public record CostRow(
        LocalDate activityDate,
        String workspaceId,
        String description,
        String costType,
        String model,
        String serviceTier,
        String contextWindow,
        String tokenType,
        String inferenceGeo,
        String currency,
        BigDecimal amountCents) implements FactRow {

    public CostRow {
        requireNonNull(activityDate, "activityDate is null");
        requireNonNull(amountCents, "amountCents is null");
        Cents.requireStorable(amountCents);
    }

    @Override
    public BigDecimal headlineTotal() {
        return amountCents;
    }

    public BigDecimal amountUsd() {
        return Cents.toUsd(amountCents);
    }

    /**
     * The day, the workspace and the description with every field it fills: lines of one description can differ
     * by context window or inference region.
     */
    @Override
    public java.util.List<Object> key() {
        return java.util.Arrays.asList(activityDate, workspaceId, description, costType, model, serviceTier,
                contextWindow, tokenType, inferenceGeo, currency);
    }
}
