package dev.claudedataingestion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AnalyticsGroupingTest {

    @Test
    void parsesWhatTheVariableHoldsAndWritesItBackTheSame() {
        AnalyticsGrouping grouping = AnalyticsGrouping.parse(" actor, model ,product,");
        assertThat(grouping.dimensions()).containsExactly("actor", "model", "product");
        assertThat(grouping).hasToString("actor,model,product");
        assertThat(AnalyticsGrouping.parse(AnalyticsGrouping.DEFAULT.toString())).isEqualTo(AnalyticsGrouping.DEFAULT);
    }

    @Test
    void optionalDimensionsAreLeftOutLastFirstAndNeverAll() {
        AnalyticsGrouping grouping = AnalyticsGrouping.parse("actor?,model,product?");
        assertThat(grouping).hasToString("actor,model,product");
        assertThat(grouping.optional()).containsExactly("actor", "product");
        AnalyticsGrouping fewer = grouping.withoutLastOptional().orElseThrow();
        assertThat(fewer).hasToString("actor,model");
        assertThat(fewer.withoutLastOptional().orElseThrow()).hasToString("model");
        assertThat(fewer.withoutLastOptional().orElseThrow().withoutLastOptional()).isEmpty();
        assertThat(AnalyticsGrouping.parse("model?").withoutLastOptional()).isEmpty();
        assertThat(AnalyticsGrouping.DEFAULT.withoutLastOptional()).isEmpty();
        assertThatThrownBy(() -> AnalyticsGrouping.parse("model?,speed??")).hasMessageContaining("is not");
    }

    @Test
    void refusesWhatTheApiOrTheTablesCannotTake() {
        assertThatThrownBy(() -> AnalyticsGrouping.parse("")).hasMessageContaining("1 to 5");
        assertThatThrownBy(() -> AnalyticsGrouping.parse("actor,api_key_id,workspace_id,model,product,speed"))
                .hasMessageContaining("1 to 5");
        assertThatThrownBy(() -> AnalyticsGrouping.parse("actor,rbac_group_id")).hasMessageContaining("add up");
        assertThatThrownBy(() -> AnalyticsGrouping.parse("claude_tag_user_id")).hasMessageContaining("add up");
        // The cost report's own dimensions are added by the report, not chosen.
        assertThatThrownBy(() -> AnalyticsGrouping.parse("actor,cost_type")).hasMessageContaining("'cost_type'");
        assertThatThrownBy(() -> AnalyticsGrouping.parse("model,model")).hasMessageContaining("twice");
        assertThatThrownBy(() -> AnalyticsGrouping.parse("model; DROP TABLE x")).hasMessageContaining("is not");
    }

    @Test
    void theSqlOfAGroupingMatchesWholeDimensionsOnly() {
        assertThat(AnalyticsGrouping.sqlGroupedBy("c.grouped_by", "model"))
                .isEqualTo("CONCAT(',', c.grouped_by, ',') LIKE '%,model,%'");
        assertThatThrownBy(() -> AnalyticsGrouping.sqlGroupedBy("grouped_by", "x'")).isInstanceOf(
                IllegalArgumentException.class);
    }
}
