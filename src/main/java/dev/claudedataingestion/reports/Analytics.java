package dev.claudedataingestion.reports;

import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * A report of the Usage and Cost Analytics API, which serves days from 2026-01-01 and none older than 365 days, and
 * refuses organizations with HIPAA readiness and keys without access for good.
 */
abstract class Analytics extends Declaration<Endpoint.Rows> {

    /** The first day the API has. */
    static final LocalDate FIRST_DAY = LocalDate.of(2026, 1, 1);
    /** How far back from today the API answers. */
    static final int DAYS_BACK = 365;

    private final AnalyticsGrouping grouping;
    private final String groupedBy;

    Analytics(String id, String label, Endpoint.Rows endpoint, Table table, Headline headline,
            AnalyticsGrouping grouping) {
        super(id, label, Policy.ONCE_LOADED, endpoint, List.of(table), MONTH_OF_DAYS, headline);
        this.grouping = grouping;
        this.groupedBy = String.join(",", endpoint.groupBy());
    }

    @Override
    public final boolean isAnalytics() {
        return true;
    }

    /** What a row records in {@code grouped_by}: every dimension the request grouped by. */
    final String groupedBy() {
        return groupedBy;
    }

    /** The dimensions the report is grouped by. */
    final AnalyticsGrouping grouping() {
        return grouping;
    }

    /** The report grouped by {@code grouping} instead. */
    abstract Analytics groupedBy(AnalyticsGrouping grouping);

    @Override
    public final boolean mayRepeat(Row row) {
        return row.get("actor_id") == null && grouping.dimensions().contains("actor");
    }

    @Override
    public final Optional<String> repeatable() {
        return Optional.of("actor_id IS NULL AND " + AnalyticsGrouping.sqlGroupedBy("grouped_by", "actor"));
    }

    @Override
    public final boolean namesActors() {
        return true;
    }

    @Override
    public final LocalDate firstDayOffered(LocalDate today) {
        LocalDate oldest = today.minusDays(DAYS_BACK - 1L);
        return oldest.isAfter(FIRST_DAY) ? oldest : FIRST_DAY;
    }

    @Override
    public final Optional<String> unavailable(int status, String message) {
        // A 403: the key may not read these reports; a 400 that names HIPAA: the organization has HIPAA readiness.
        if (status == 403) {
            return Optional.of("the key may not read the Usage and Cost Analytics API; it takes an Admin key, or an"
                    + " API key with the read:analytics scope");
        }
        if (status == 400 && message != null && message.contains("HIPAA")) {
            return Optional.of("the organization has HIPAA readiness enabled, and the Usage and Cost Analytics API is"
                    + " not available to it");
        }
        return Optional.empty();
    }
}
