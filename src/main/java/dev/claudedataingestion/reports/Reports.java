package dev.claudedataingestion.reports;

import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The declaration of each report; the switch makes the compiler name a report without one. */
public final class Reports {

    private Reports() {
    }

    public static Report of(ReportKind kind) {
        return switch (kind) {
            case USAGE -> UsageReport.DAILY;
            case USAGE_HOURLY -> UsageReport.HOURLY;
            case COST -> CostReport.INSTANCE;
            case CLAUDE_CODE -> ClaudeCodeReport.INSTANCE;
            case ANALYTICS_USAGE -> AnalyticsUsageReport.INSTANCE;
            case ANALYTICS_COST -> AnalyticsCostReport.INSTANCE;
        };
    }

    /** {@code kind}'s declaration, the analytics reports grouped by {@code analyticsGrouping}. */
    public static Report of(ReportKind kind, AnalyticsGrouping analyticsGrouping) {
        Report report = of(kind);
        return report instanceof Analytics analytics && !analytics.grouping().equals(analyticsGrouping)
                ? analytics.groupedBy(analyticsGrouping) : report;
    }

    /** The reports a plain {@code ingest} copies ({@link Report.Policy#onByDefault}). */
    public static Set<ReportKind> defaults() {
        return Arrays.stream(ReportKind.values()).filter(kind -> of(kind).policy().onByDefault())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ReportKind.class)));
    }

    /**
     * The reports an organization's data is expected to hold, given those it has {@code loaded}: each of those, and
     * every {@link Report.Policy#EVERY_ORGANIZATION} report unless it loads only the Usage and Cost Analytics API (a
     * Claude Enterprise organization, or a key that reads nothing else).
     */
    public static Set<ReportKind> expected(Set<ReportKind> loaded) {
        Set<ReportKind> expected = EnumSet.noneOf(ReportKind.class);
        expected.addAll(loaded);
        if (loaded.isEmpty() || !loaded.stream().allMatch(kind -> of(kind).isAnalytics())) {
            Arrays.stream(ReportKind.values()).filter(kind -> of(kind).policy() == Report.Policy.EVERY_ORGANIZATION)
                    .forEach(expected::add);
        }
        return expected;
    }

    /** Every table a report writes, in the order of {@link ReportKind}. */
    public static List<Table> factTables() {
        return Arrays.stream(ReportKind.values()).flatMap(kind -> of(kind).tables().stream()).toList();
    }
}
