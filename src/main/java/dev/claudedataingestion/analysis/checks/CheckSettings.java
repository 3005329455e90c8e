package dev.claudedataingestion.analysis.checks;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.config.PriceTable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * What the checks compare against.
 *
 * @param startDate          the first day the warehouse must cover ({@code INGEST_START_DATE})
 * @param staleWarnDays      days a report may lag behind its last complete day before a warning
 * @param staleFailDays      … before a failure
 * @param recentDays         days back from the latest loaded day that reconciliation and anomalies look at
 * @param tolerance          relative difference between estimated and billed cost that reconciliation accepts
 * @param toleranceFloorUsd  absolute difference, in dollars, that is always accepted (rounding of small groups)
 * @param monthlyBudgetUsd   the monthly budget, when there is one
 * @param anomalySpreads     how many robust spreads above the trailing median a day's cost must be to stand out
 * @param anomalyFloorUsd    a day's cost must also exceed the median by this many dollars
 * @param windowDays         how many days back from today the duplicates and units checks read; empty: every day
 */
public record CheckSettings(LocalDate startDate, Instant now, int staleWarnDays, int staleFailDays, int recentDays,
        BigDecimal tolerance, BigDecimal toleranceFloorUsd, Optional<BigDecimal> monthlyBudgetUsd, PriceTable prices,
        double anomalySpreads, BigDecimal anomalyFloorUsd, Optional<Integer> windowDays) {

    /** The days the duplicates and units checks read unless told to read every day: a BigQuery scan stays bounded. */
    public static final int DEFAULT_WINDOW_DAYS = 90;

    public CheckSettings {
        requireNonNull(startDate, "startDate is null");
        requireNonNull(now, "now is null");
        requireNonNull(monthlyBudgetUsd, "monthlyBudgetUsd is null");
        requireNonNull(prices, "prices is null");
        requireNonNull(windowDays, "windowDays is null");
        if (staleFailDays < staleWarnDays) {
            throw new IllegalArgumentException("the failing staleness must be at least the warning one");
        }
    }

    /** The defaults the command line uses. */
    public static CheckSettings defaults(LocalDate startDate, Instant now) {
        return new CheckSettings(startDate, now, 2, 3, 35, new BigDecimal("0.02"), new BigDecimal("0.05"),
                Optional.empty(), PriceTable.builtIn(), 5.0, BigDecimal.ONE, Optional.of(DEFAULT_WINDOW_DAYS));
    }

    public CheckSettings withBudget(Optional<BigDecimal> budget) {
        return new CheckSettings(startDate, now, staleWarnDays, staleFailDays, recentDays, tolerance,
                toleranceFloorUsd, budget, prices, anomalySpreads, anomalyFloorUsd, windowDays);
    }

    /** These settings, with usage priced by {@code catalog}. */
    public CheckSettings withPrices(PriceTable catalog) {
        return new CheckSettings(startDate, now, staleWarnDays, staleFailDays, recentDays, tolerance,
                toleranceFloorUsd, monthlyBudgetUsd, catalog, anomalySpreads, anomalyFloorUsd, windowDays);
    }

    /** These settings, with the duplicates and units checks reading {@code days} days back, or every day. */
    public CheckSettings withWindowDays(Optional<Integer> days) {
        return new CheckSettings(startDate, now, staleWarnDays, staleFailDays, recentDays, tolerance,
                toleranceFloorUsd, monthlyBudgetUsd, prices, anomalySpreads, anomalyFloorUsd, days);
    }

    /** The first day the duplicates and units checks read. */
    public LocalDate windowStart() {
        return windowDays.map(days -> LocalDate.ofInstant(now, java.time.ZoneOffset.UTC).minusDays(days))
                .orElse(LocalDate.EPOCH);
    }
}
