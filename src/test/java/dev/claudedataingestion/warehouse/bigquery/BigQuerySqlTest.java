package dev.claudedataingestion.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.reports.ClaudeCodeReport;
import dev.claudedataingestion.reports.CostReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden tests: the exact text sent to BigQuery. A change here is a change to what runs in production. */
class BigQuerySqlTest {

    private final BigQuerySql sql = new BigQuerySql("my-project", "ai_usage_analytics");

    @Test
    void replacesTheCostReportsDaysAndCoverageInOneTransaction() {
        assertThat(sql.replaceDays(List.of(CostReport.TABLE), List.of("claude_costs_abc"), 0)).isEqualTo("""
                BEGIN TRANSACTION;
                DELETE FROM `my-project.ai_usage_analytics.claude_costs` WHERE organization_id = @organization_id \
                AND activity_date BETWEEN @first_day AND @last_day;
                INSERT INTO `my-project.ai_usage_analytics.claude_costs` (organization_id, activity_date, workspace_id, \
                description, cost_type, model, service_tier, context_window, token_type, inference_geo, currency, \
                amount_cents, amount_usd, ingestion_timestamp, run_id) SELECT organization_id, activity_date, \
                workspace_id, description, cost_type, model, service_tier, context_window, token_type, inference_geo, \
                currency, amount_cents, amount_usd, ingestion_timestamp, run_id FROM \
                `my-project.ai_usage_analytics_staging.claude_costs_abc`;
                DELETE FROM `my-project.ai_usage_analytics.ingestion_coverage` WHERE organization_id = @organization_id \
                AND report = @report AND activity_date BETWEEN @first_day AND @last_day;
                INSERT INTO `my-project.ai_usage_analytics.ingestion_coverage` (organization_id, report, activity_date, \
                row_count, loaded_at, run_id)
                SELECT @organization_id, @report, day, IFNULL(staged.row_count, 0), @loaded_at, @run_id
                FROM UNNEST(GENERATE_DATE_ARRAY(@first_day, @last_day)) AS day
                LEFT JOIN (SELECT activity_date, COUNT(*) AS row_count FROM \
                `my-project.ai_usage_analytics_staging.claude_costs_abc` GROUP BY activity_date) AS staged
                ON staged.activity_date = day;
                COMMIT TRANSACTION;""");
    }

    @Test
    void claudeCodeReplacesBothTablesAndCountsTheFirst() {
        String script = sql.replaceDays(List.of(ClaudeCodeReport.TABLE, ClaudeCodeReport.MODELS_TABLE),
                List.of("stage_a", "stage_b"), 0);
        assertThat(script.lines().filter(line -> line.startsWith("DELETE FROM")).toList()).containsExactly(
                "DELETE FROM `my-project.ai_usage_analytics.claude_code_usage` WHERE organization_id = @organization_id"
                        + " AND activity_date BETWEEN @first_day AND @last_day;",
                "DELETE FROM `my-project.ai_usage_analytics.claude_code_model_usage` WHERE organization_id ="
                        + " @organization_id AND activity_date BETWEEN @first_day AND @last_day;",
                "DELETE FROM `my-project.ai_usage_analytics.ingestion_coverage` WHERE organization_id = @organization_id"
                        + " AND report = @report AND activity_date BETWEEN @first_day AND @last_day;");
        assertThat(script).contains("FROM `my-project.ai_usage_analytics_staging.stage_b`;\n")
                .contains("COUNT(*) AS row_count FROM `my-project.ai_usage_analytics_staging.stage_a` GROUP BY");
    }

    @Test
    void recordsARunWhetherItIsNewOrNot() {
        assertThat(sql.mergeRun()).isEqualTo("""
                MERGE INTO `my-project.ai_usage_analytics.ingestion_runs` AS target
                USING (SELECT @run_id AS run_id, @organization_id AS organization_id, @started_at AS started_at, \
                @finished_at AS finished_at, @status AS status, @reports AS reports, @days_written AS days_written, \
                @rows_written AS rows_written, @error AS error, @version AS version, @trigger AS trigger, \
                @cloud_run_execution AS cloud_run_execution, @report_counts AS report_counts, \
                @requests_made AS requests_made, @retries AS retries, @duration_ms AS duration_ms, \
                @process AS process) AS source
                ON target.run_id = source.run_id
                WHEN MATCHED THEN UPDATE SET organization_id = source.organization_id, started_at = source.started_at, \
                finished_at = source.finished_at, status = source.status, reports = source.reports, \
                days_written = source.days_written, rows_written = source.rows_written, error = source.error, \
                version = source.version, trigger = source.trigger, cloud_run_execution = source.cloud_run_execution, \
                report_counts = source.report_counts, requests_made = source.requests_made, \
                retries = source.retries, duration_ms = source.duration_ms, process = source.process
                WHEN NOT MATCHED THEN INSERT (run_id, organization_id, started_at, finished_at, status, reports, \
                days_written, rows_written, error, version, trigger, cloud_run_execution, report_counts, \
                requests_made, retries, duration_ms, process) VALUES (source.run_id, source.organization_id, \
                source.started_at, source.finished_at, source.status, source.reports, source.days_written, \
                source.rows_written, source.error, source.version, source.trigger, source.cloud_run_execution, \
                source.report_counts, source.requests_made, source.retries, source.duration_ms, source.process)""");
    }

    @Test
    void recordsRevisedDaysInTheSameTransactionOnceWhateverHowOftenItRuns() {
        String script = sql.replaceDays(List.of(CostReport.TABLE), List.of("_stage"), 2);
        assertThat(script).endsWith("""
                ON staged.activity_date = day;
                DELETE FROM `my-project.ai_usage_analytics.ingestion_restatements` WHERE organization_id = \
                @organization_id AND report = @report AND run_id = @run_id AND activity_date BETWEEN @first_day AND \
                @last_day;
                INSERT INTO `my-project.ai_usage_analytics.ingestion_restatements` (organization_id, report, \
                activity_date, run_id, measure, old_row_count, new_row_count, old_total, new_total, restated_at) \
                VALUES (@organization_id, @report, @restated_0_day, @run_id, @restated_0_measure, @restated_0_old_rows, \
                @restated_0_new_rows, @restated_0_old_total, @restated_0_new_total, @loaded_at), \
                (@organization_id, @report, @restated_1_day, @run_id, @restated_1_measure, @restated_1_old_rows, \
                @restated_1_new_rows, @restated_1_old_total, @restated_1_new_total, @loaded_at);
                COMMIT TRANSACTION;""");
    }

    @Test
    void refusesNamesThatCouldCarrySql() {
        assertThatThrownBy(() -> new BigQuerySql("my-project`; DROP", "d")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BigQuerySql("my-project", "d.x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sql.name("t`")).isInstanceOf(IllegalArgumentException.class);
    }
}
