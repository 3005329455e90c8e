package dev.claudedataingestion.reports;

import dev.claudedataingestion.model.Table;
import java.util.List;

/** What every report states the same way: its name, label, endpoint, tables, window and headline. */
abstract class Declaration<E extends Endpoint> implements Report {

    private final String id;
    private final String label;
    private final E endpoint;
    private final List<Table> tables;
    /** The most days of one window of a report read by the month: a month's page of daily buckets. */
    static final int MONTH_OF_DAYS = 31;
    /** The most days of one window of hourly buckets: a week's page. */
    static final int WEEK_OF_DAYS = 7;

    private final int maxWindowDays;
    private final Headline headline;
    private final Policy policy;

    Declaration(String id, String label, Policy policy, E endpoint, List<Table> tables, int maxWindowDays,
            Headline headline) {
        this.id = id;
        this.policy = policy;
        this.label = label;
        this.endpoint = endpoint;
        this.tables = List.copyOf(tables);
        this.maxWindowDays = maxWindowDays;
        this.headline = headline;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String label() {
        return label;
    }

    @Override
    public final Policy policy() {
        return policy;
    }

    @Override
    public final E endpoint() {
        return endpoint;
    }

    @Override
    public final List<Table> tables() {
        return tables;
    }

    @Override
    public final int maxWindowDays() {
        return maxWindowDays;
    }

    @Override
    public final Headline headline() {
        return headline;
    }

    @Override
    public final String toString() {
        return id;
    }
}
