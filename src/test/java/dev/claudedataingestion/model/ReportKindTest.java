package dev.claudedataingestion.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportKindTest {

    @Test
    void anOrganizationIsExpectedToHoldWhatItLoadsAndTheOlderReportsUnlessItLoadsTheAnalyticsOnes() {
        Set<ReportKind> older = EnumSet.of(ReportKind.USAGE, ReportKind.COST, ReportKind.CLAUDE_CODE);
        assertThat(ReportKind.expected(Set.of())).isEqualTo(older);
        assertThat(ReportKind.expected(EnumSet.of(ReportKind.USAGE_HOURLY)))
                .containsExactlyInAnyOrderElementsOf(List.of(ReportKind.USAGE, ReportKind.COST,
                        ReportKind.CLAUDE_CODE, ReportKind.USAGE_HOURLY));
        assertThat(ReportKind.expected(EnumSet.of(ReportKind.ANALYTICS_COST))).containsExactly(ReportKind.ANALYTICS_COST);
        assertThat(ReportKind.expected(EnumSet.of(ReportKind.COST, ReportKind.ANALYTICS_USAGE)))
                .contains(ReportKind.CLAUDE_CODE, ReportKind.ANALYTICS_USAGE);
    }
}
