package dev.claudedataingestion.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Admin API reports this pipeline copies, by the name used on the command line and in the ledger. Each is
 * declared in {@code reports}, which says everything else about it.
 */
public enum ReportKind {
    USAGE("usage"),
    COST("cost"),
    CLAUDE_CODE("claude_code"),
    /** The messages usage report in hourly buckets, kept apart from the daily one ({@code --bucket-width 1h}). */
    USAGE_HOURLY("usage_hourly"),
    /** Usage from the Usage and Cost Analytics API, attributed to actors, keys and products. */
    ANALYTICS_USAGE("analytics_usage"),
    /** Billed and list cost from the Usage and Cost Analytics API, attributed likewise. */
    ANALYTICS_COST("analytics_cost");

    private final String id;

    ReportKind(String id) {
        this.id = id;
    }

    /** The name used in {@code --reports}, in {@code ingestion_coverage.report} and in logs. */
    public String id() {
        return id;
    }

    /** Parses one report name as written in {@code --reports}; throws with the accepted names otherwise. */
    public static ReportKind fromId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (ReportKind kind : values()) {
            if (kind.id.equals(wanted)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown report '" + id + "'; known reports: " + allIds());
    }

    /** Every report's name, comma-separated, in declaration order. */
    public static String allIds() {
        return Arrays.stream(values()).map(ReportKind::id).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return id;
    }
}
