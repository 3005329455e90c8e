package dev.claudedataingestion.reports;

import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import java.util.Arrays;
import java.util.List;

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

    /** Every table a report writes, in the order of {@link ReportKind}. */
    public static List<Table> factTables() {
        return Arrays.stream(ReportKind.values()).flatMap(kind -> of(kind).tables().stream()).toList();
    }
}
