package dev.claudedataingestion.warehouse.bigquery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ZetaSQL, BigQuery's analyzer, takes what BigQuery takes and refuses what it refuses, in its words. */
class ZetaSqlAnalyzerTest {

    private final ZetaSqlAnalyzer analyzer = new ZetaSqlAnalyzer();

    private void costs() {
        Map<String, com.google.zetasql.Type> columns = new LinkedHashMap<>();
        columns.put("activity_date", ZetaSqlAnalyzer.type("DATE"));
        columns.put("model", ZetaSqlAnalyzer.type("STRING"));
        columns.put("amount_usd", ZetaSqlAnalyzer.type("NUMERIC"));
        columns.put("amount_cents", ZetaSqlAnalyzer.type("BIGNUMERIC"));
        analyzer.put(new ZetaSqlAnalyzer.Relation("p", "ds", "claude_costs", columns));
    }

    @Test
    void takesTheScriptsTheWarehouseSends() {
        costs();
        analyzer.analyze("BEGIN TRANSACTION;\nDELETE FROM `p.ds.claude_costs` WHERE activity_date BETWEEN @a AND @b;\n"
                + "INSERT INTO `p.ds.claude_costs` (activity_date, model) SELECT d, 'm' FROM"
                + " UNNEST(GENERATE_DATE_ARRAY(@a, @b)) AS d;\nCOMMIT TRANSACTION;\n",
                Map.of("a", ZetaSqlAnalyzer.type("DATE"), "b", ZetaSqlAnalyzer.type("DATE")), "p", null);
        analyzer.analyze("CREATE OR REPLACE VIEW `p.ds.by_month` AS SELECT DATE_TRUNC(activity_date, MONTH)"
                + " AS month, SAFE_DIVIDE(SUM(amount_usd), COUNT(*)) AS average FROM `p.ds.claude_costs` GROUP BY 1",
                Map.of(), "p", null);
        // The view is in the catalog now, with its columns, and a bare name reads the default dataset.
        analyzer.analyze("SELECT month, average FROM by_month", Map.of(), "p", "ds");
        assertThatThrownBy(() -> analyzer.analyze("SELECT model FROM by_month", Map.of(), "p", "ds"))
                .hasMessageContaining("Unrecognized name: model");
        assertThatThrownBy(() -> analyzer.analyze("SELECT month FROM by_month", Map.of(), "p", null))
                .hasMessageContaining("Table not found: by_month");
        // A script's table is there for its next statement, and after it.
        analyzer.analyze("CREATE TABLE `p.ds.staged` (d DATE);\nINSERT INTO `p.ds.staged` (d) VALUES (@a);\n",
                Map.of("a", ZetaSqlAnalyzer.type("DATE")), "p", null);
        analyzer.analyze("SELECT d FROM `p.ds.staged`", Map.of(), "p", null);
    }

    @Test
    void refusesWhatBigQueryRefusesInItsWords() {
        costs();
        assertThatThrownBy(() -> analyzer.analyze("SELECT date_trunc('month', activity_date) FROM `p.ds.claude_costs`",
                Map.of(), "p", null)).hasMessageContaining("A valid date part name is required");
        assertThatThrownBy(() -> analyzer.analyze("SELECT 1 FROM `p.ds.claude_costs` WHERE model = @x", Map.of(), "p",
                null)).hasMessageContaining("Query parameter 'x' not found");
        assertThatThrownBy(() -> analyzer.analyze("INSERT INTO `p.ds.claude_costs` (amount_usd) SELECT amount_cents"
                + " FROM `p.ds.claude_costs`", Map.of(), "p", null))
                .hasMessageContaining("has type BIGNUMERIC which cannot be inserted into column amount_usd");
        assertThatThrownBy(() -> analyzer.analyze("SELECT nope FROM `p.ds.claude_costs`", Map.of(), "p", null))
                .hasMessageContaining("Unrecognized name: nope");
    }
}
