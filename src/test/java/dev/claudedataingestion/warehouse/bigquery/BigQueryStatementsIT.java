package dev.claudedataingestion.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.analysis.AnalysisViews;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code target/bigquery-statements.sql}, what the BigQuery fakes of this build accepted (the unit tests' at least,
 * which run first), analyzed again from nothing: a catalog made only of the file's own {@code CREATE} statements,
 * and each statement with the parameters and default dataset the file gives it.
 */
class BigQueryStatementsIT {

    @Test
    void everyRecordedStatementPassesAnAnalysisBuiltFromTheRecordAlone() throws Exception {
        List<StatementRecord.Entry> entries = StatementRecord.read();

        assertThat(entries).anyMatch(entry -> entry.sql().startsWith("CREATE TABLE `"))
                .anyMatch(entry -> entry.sql().startsWith("BEGIN TRANSACTION;"))
                .anyMatch(entry -> entry.sql().startsWith("MERGE INTO `"))
                .anyMatch(entry -> entry.sql().contains("FROM `") && entry.sql().startsWith("SELECT"));
        for (String view : AnalysisViews.all(new BigQuerySql("some-project", "some_dataset").dialect()).keySet()) {
            assertThat(entries).as(view).anyMatch(entry -> entry.sql().matches("(?s)CREATE OR REPLACE VIEW `[^`]*\\."
                    + view + "` AS\\n.*"));
        }
        ZetaSqlAnalyzer independent = new ZetaSqlAnalyzer();
        try {
            for (StatementRecord.Entry entry : entries) {
                Map<String, com.google.zetasql.Type> parameters = new LinkedHashMap<>();
                entry.parameters().forEach((name, type) -> parameters.put(name, ZetaSqlAnalyzer.fromSqlName(type)));
                try {
                    independent.analyze(entry.sql(), parameters, "unnamed-project", entry.defaultDataset());
                } catch (ZetaSqlAnalyzer.Refused e) {
                    throw new AssertionError(e.getMessage() + " in\n" + entry.sql(), e);
                }
            }
        } finally {
            independent.close();
        }
    }
}
