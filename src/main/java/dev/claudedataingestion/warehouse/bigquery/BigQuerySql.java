package dev.claudedataingestion.warehouse.bigquery;

import dev.claudedataingestion.model.Identifiers;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.Tables;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The statements sent to BigQuery, as text; values are always named query parameters ({@code @organization_id},
 * …). Each builder shows what it renders; {@code BigQuerySqlTest} pins the exact text.
 */
final class BigQuerySql {

    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9_]{1,1024}");

    private final String project;
    private final String dataset;

    BigQuerySql(String project, String dataset) {
        if (!PROJECT.matcher(project).matches()) {
            throw new IllegalArgumentException("not a BigQuery project id: " + project);
        }
        if (!DATASET.matcher(dataset).matches()) {
            throw new IllegalArgumentException("not a BigQuery dataset name: " + dataset);
        }
        this.project = project;
        this.dataset = dataset;
    }

    /** How the analysis views are written in BigQuery: names qualified by project and dataset. */
    SqlDialect dialect() {
        return new BigQueryDialect(this::name);
    }

    /** {@code `project.dataset.table`} */
    String name(String table) {
        return "`" + project + "." + dataset + "." + Identifiers.require(table) + "`";
    }

    /** The companion dataset that holds staging tables, out of the way of people browsing the dataset. */
    String stagingDataset() {
        return dataset + "_staging";
    }

    /** {@code `project.dataset_staging.table`} */
    String staged(String table) {
        return "`" + project + "." + stagingDataset() + "." + Identifiers.require(table) + "`";
    }

    /**
     * Replaces a report's days in one transaction, from staging tables loaded beforehand. For the usage report:
     * <pre>
     * BEGIN TRANSACTION;
     * DELETE FROM `p.d.claude_usage` WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day;
     * INSERT INTO `p.d.claude_usage` (organization_id, …, run_id) SELECT organization_id, …, run_id FROM `p.d_staging.stage`;
     * DELETE FROM `p.d.ingestion_coverage` WHERE organization_id = @organization_id AND report = @report AND activity_date BETWEEN @first_day AND @last_day;
     * INSERT INTO `p.d.ingestion_coverage` (organization_id, report, activity_date, row_count, loaded_at, run_id)
     * SELECT @organization_id, @report, day, IFNULL(staged.row_count, 0), @loaded_at, @run_id
     * FROM UNNEST(GENERATE_DATE_ARRAY(@first_day, @last_day)) AS day
     * LEFT JOIN (SELECT activity_date, COUNT(*) AS row_count FROM `p.d_staging.stage` GROUP BY activity_date) AS staged
     * ON staged.activity_date = day;
     * COMMIT TRANSACTION;
     * </pre>
     * The deletes name the partition column, so only the replaced days' partitions are read and written.
     *
     * <p>With {@code restated} revised days, whose values are the parameters
     * {@code @restated_N_day}, {@code _measure}, {@code _old_rows}, {@code _new_rows}, {@code _old_total} and
     * {@code _new_total}; a run's own earlier record of the window is replaced, so that running the script twice
     * records each revision once:
     * <pre>
     * DELETE FROM `p.d.ingestion_restatements` WHERE organization_id = @organization_id AND report = @report
     * AND run_id = @run_id AND activity_date BETWEEN @first_day AND @last_day;
     * INSERT INTO `p.d.ingestion_restatements` (organization_id, report, activity_date, run_id, measure, old_row_count,
     * new_row_count, old_total, new_total, restated_at) VALUES (@organization_id, @report, @restated_0_day, @run_id,
     * @restated_0_measure, @restated_0_old_rows, @restated_0_new_rows, @restated_0_old_total, @restated_0_new_total,
     * @loaded_at), …;
     * </pre>
     *
     * @param staging the staging table of each of {@code tables}, in the same order; the first one's rows are counted
     */
    String replaceDays(List<Table> tables, List<String> staging, int restated) {
        StringBuilder script = new StringBuilder("BEGIN TRANSACTION;\n");
        for (int i = 0; i < tables.size(); i++) {
            Table table = tables.get(i);
            String columns = String.join(", ", table.columnNames());
            script.append("DELETE FROM ").append(name(table.name()))
                    .append(" WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day;\n")
                    .append("INSERT INTO ").append(name(table.name())).append(" (").append(columns).append(")")
                    .append(" SELECT ").append(columns).append(" FROM ").append(staged(staging.get(i))).append(";\n");
        }
        script.append("DELETE FROM ").append(name(Tables.COVERAGE.name()))
                .append(" WHERE organization_id = @organization_id AND report = @report")
                .append(" AND activity_date BETWEEN @first_day AND @last_day;\n")
                .append("INSERT INTO ").append(name(Tables.COVERAGE.name()))
                .append(" (organization_id, report, activity_date, row_count, loaded_at, run_id)\n")
                .append("SELECT @organization_id, @report, day, IFNULL(staged.row_count, 0), @loaded_at, @run_id\n")
                .append("FROM UNNEST(GENERATE_DATE_ARRAY(@first_day, @last_day)) AS day\n")
                .append("LEFT JOIN (SELECT activity_date, COUNT(*) AS row_count FROM ").append(staged(staging.get(0)))
                .append(" GROUP BY activity_date) AS staged\n")
                .append("ON staged.activity_date = day;\n");
        if (restated > 0) {
            script.append("DELETE FROM ").append(name(Tables.RESTATEMENTS.name()))
                    .append(" WHERE organization_id = @organization_id AND report = @report")
                    .append(" AND run_id = @run_id AND activity_date BETWEEN @first_day AND @last_day;\n");
            script.append("INSERT INTO ").append(name(Tables.RESTATEMENTS.name())).append(" (")
                    .append(String.join(", ", Tables.RESTATEMENTS.columnNames())).append(") VALUES ");
            for (int i = 0; i < restated; i++) {
                String p = "@restated_" + i + "_";
                script.append(i == 0 ? "" : ", ").append("(@organization_id, @report, ").append(p).append("day, @run_id, ")
                        .append(p).append("measure, ").append(p).append("old_rows, ").append(p).append("new_rows, ")
                        .append(p).append("old_total, ").append(p).append("new_total, @loaded_at)");
            }
            script.append(";\n");
        }
        script.append("COMMIT TRANSACTION;");
        return script.toString();
    }

    /**
     * Replaces an organization's rows of a dimension table from a staging table:
     * <pre>
     * BEGIN TRANSACTION;
     * DELETE FROM `p.d.t` WHERE organization_id = @organization_id;
     * INSERT INTO `p.d.t` (c1, …) SELECT c1, … FROM `p.d_staging.stage`;
     * COMMIT TRANSACTION;
     * </pre>
     */
    String replaceOrganizationRows(Table table, String staging) {
        String columns = String.join(", ", table.columnNames());
        return "BEGIN TRANSACTION;\nDELETE FROM " + name(table.name()) + " WHERE organization_id = @organization_id;\n"
                + "INSERT INTO " + name(table.name()) + " (" + columns + ") SELECT " + columns + " FROM "
                + staged(staging) + ";\nCOMMIT TRANSACTION;";
    }

    /**
     * Adds the staged rows whose key the table does not hold, each key once:
     * <pre>
     * INSERT INTO `p.d.t` (c1, …) SELECT c1, … FROM `p.d_staging.s` AS s
     * WHERE NOT EXISTS (SELECT 1 FROM `p.d.t` AS t WHERE t.activity_date BETWEEN @first_day AND @last_day
     *     AND t.k = s.k)
     * QUALIFY ROW_NUMBER() OVER (PARTITION BY s.k) = 1
     * </pre>
     */
    String insertNew(Table table, String staging) {
        String key = Tables.telemetryKey(table);
        String columns = String.join(", ", table.columnNames());
        return "INSERT INTO " + name(table.name()) + " (" + columns + ") SELECT " + columns + " FROM "
                + staged(staging) + " AS s WHERE NOT EXISTS (SELECT 1 FROM " + name(table.name()) + " AS t WHERE"
                + " t.activity_date BETWEEN @first_day AND @last_day AND t." + key + " = s." + key + ")"
                + " QUALIFY ROW_NUMBER() OVER (PARTITION BY s." + key + ") = 1";
    }

    /**
     * Inserts the run, or updates it when it is already there:
     * <pre>
     * MERGE INTO `p.d.ingestion_runs` AS target
     * USING (SELECT @run_id AS run_id, @organization_id AS organization_id, … , @version AS version) AS source
     * ON target.run_id = source.run_id
     * WHEN MATCHED THEN UPDATE SET organization_id = source.organization_id, …, version = source.version
     * WHEN NOT MATCHED THEN INSERT (run_id, organization_id, …, version) VALUES (source.run_id, …, source.version)
     * </pre>
     */
    String mergeRun() {
        List<String> columns = Tables.RUNS.columnNames();
        String sources = String.join(", ", columns.stream().map(c -> "@" + c + " AS " + c).toList());
        String updates = String.join(", ", columns.stream().filter(c -> !c.equals("run_id"))
                .map(c -> c + " = source." + c).toList());
        String values = String.join(", ", columns.stream().map(c -> "source." + c).toList());
        return "MERGE INTO " + name(Tables.RUNS.name()) + " AS target\n"
                + "USING (SELECT " + sources + ") AS source\n"
                + "ON target.run_id = source.run_id\n"
                + "WHEN MATCHED THEN UPDATE SET " + updates + "\n"
                + "WHEN NOT MATCHED THEN INSERT (" + String.join(", ", columns) + ") VALUES (" + values + ")";
    }

}
