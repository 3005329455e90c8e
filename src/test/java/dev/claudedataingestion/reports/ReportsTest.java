package dev.claudedataingestion.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportsTest {

    @Test
    void anOrganizationIsExpectedToHoldWhatItLoadsAndTheOlderReportsUnlessItLoadsTheAnalyticsOnes() {
        Set<ReportKind> older = EnumSet.of(ReportKind.USAGE, ReportKind.COST, ReportKind.CLAUDE_CODE);
        assertThat(Reports.expected(Set.of())).isEqualTo(older);
        assertThat(Reports.expected(EnumSet.of(ReportKind.USAGE_HOURLY)))
                .containsExactlyInAnyOrderElementsOf(List.of(ReportKind.USAGE, ReportKind.COST,
                        ReportKind.CLAUDE_CODE, ReportKind.USAGE_HOURLY));
        assertThat(Reports.expected(EnumSet.of(ReportKind.ANALYTICS_COST))).containsExactly(ReportKind.ANALYTICS_COST);
        assertThat(Reports.expected(EnumSet.of(ReportKind.COST, ReportKind.ANALYTICS_USAGE)))
                .contains(ReportKind.CLAUDE_CODE, ReportKind.ANALYTICS_USAGE);
    }

    @Test
    void aPlainIngestCopiesEveryReportButTheOnesOnRequest() {
        assertThat(Reports.defaults()).containsExactly(ReportKind.USAGE, ReportKind.COST, ReportKind.CLAUDE_CODE,
                ReportKind.ANALYTICS_USAGE, ReportKind.ANALYTICS_COST);
        assertThat(Reports.of(ReportKind.USAGE_HOURLY).policy()).isEqualTo(Report.Policy.ON_REQUEST);
    }
}
