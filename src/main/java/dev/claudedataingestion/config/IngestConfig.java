package dev.claudedataingestion.config;

import static java.util.Objects.requireNonNull;

import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Revisions;
import dev.claudedataingestion.reports.Reports;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What one {@code ingest} run should do.
 *
 * @param startDate    first UTC day the warehouse must cover (incremental runs heal every gap after it)
 * @param lookbackDays recent complete days re-pulled on every incremental run
 * @param dimensions   whether to refresh the workspaces, API keys and users tables
 * @param explicitDays when present, exactly these days are fetched and replaced, and nothing else
 * @param deadline     how long after its start the run may begin a new window
 * @param spoolLimit   the most bytes one window may take in the local spool ({@code INGEST_SPOOL_LIMIT})
 * @param analyticsGrouping the dimensions the analytics reports are grouped by ({@code ANALYTICS_GROUP_BY})
 * @param prices       the price catalog the views price list cost with where no report gives it ({@code --prices})
 */
public record IngestConfig(
        LocalDate startDate,
        int lookbackDays,
        Set<ReportKind> reports,
        boolean dimensions,
        Optional<DayRange> explicitDays,
        Optional<Duration> deadline,
        long spoolLimit,
        AnalyticsGrouping analyticsGrouping,
        PriceTable prices) {

    public static final LocalDate DEFAULT_START_DATE = LocalDate.of(2025, 1, 1);
    /** Every day that may still be revised. */
    public static final int DEFAULT_LOOKBACK_DAYS = Revisions.DAYS;
    /** Cloud Run gives a task 15 minutes; stop starting windows early enough to finish the current one. */
    public static final Duration CLOUD_RUN_DEADLINE = Duration.ofMinutes(12);
    /**
     * A window's spool may take 128 MB: the largest window of a 2,000-key organization takes about 20 MB, and on
     * Cloud Run the spool is in the task's 512 MiB of memory, so an answer that never ends must stop well before.
     */
    public static final long DEFAULT_SPOOL_LIMIT = 128_000_000L;

    /** With the default spool limit and the default grouping of the analytics reports. */
    public IngestConfig(LocalDate startDate, int lookbackDays, Set<ReportKind> reports, boolean dimensions,
            Optional<DayRange> explicitDays, Optional<Duration> deadline) {
        this(startDate, lookbackDays, reports, dimensions, explicitDays, deadline, DEFAULT_SPOOL_LIMIT,
                AnalyticsGrouping.DEFAULT, PriceTable.builtIn());
    }

    public IngestConfig {
        requireNonNull(startDate, "startDate is null");
        requireNonNull(explicitDays, "explicitDays is null");
        requireNonNull(deadline, "deadline is null");
        if (lookbackDays < 0) {
            throw new ConfigException("INGEST_LOOKBACK_DAYS must be 0 or more, got " + lookbackDays);
        }
        if (spoolLimit <= 0) {
            throw new ConfigException("the spool limit must be positive, got " + spoolLimit);
        }
        if (reports.isEmpty() && !dimensions) {
            throw new ConfigException("--reports names no report; choose from " + ReportKind.allIds() + ",dimensions");
        }
        reports = reports.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reports));
        requireNonNull(analyticsGrouping, "analyticsGrouping is null");
        requireNonNull(prices, "prices is null");
    }

    /** The same, with {@code catalog} for the views' list cost. */
    public IngestConfig withPrices(PriceTable catalog) {
        return new IngestConfig(startDate, lookbackDays, reports, dimensions, explicitDays, deadline, spoolLimit,
                analyticsGrouping, catalog);
    }

    /** Whether the run reads the Usage and Cost Analytics API only, which an API key with read:analytics may do. */
    public boolean analyticsOnly() {
        return !dimensions && reports.stream().allMatch(report -> Reports.of(report).isAnalytics());
    }

    /** The run's deadline when it starts now on {@code clock}; none without {@code --deadline}. */
    public Deadline deadlineFrom(Clock clock) {
        return deadline.map(after -> Deadline.after(after, clock)).orElse(Deadline.none(clock));
    }
}
