package dev.claudedataingestion.warehouse.bigquery;

import dev.claudedataingestion.model.Identifiers;
import dev.claudedataingestion.warehouse.SqlDialect;
import java.math.BigDecimal;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The views' SQL in GoogleSQL: names qualified by project and dataset, BIGNUMERIC for exact amounts. */
final class BigQueryDialect implements SqlDialect {

    private final UnaryOperator<String> names;

    /** @param names a table's name to its qualified one */
    BigQueryDialect(UnaryOperator<String> names) {
        this.names = names;
    }

    @Override
    public String table(String name) {
        return names.apply(name);
    }

    @Override
    public String divide(String a, String b) {
        return "SAFE_DIVIDE(" + a + ", " + b + ")";
    }

    @Override
    public String monthStart(String date) {
        return "DATE_TRUNC(" + date + ", MONTH)";
    }

    @Override
    public String decimal(BigDecimal value) {
        return "BIGNUMERIC '" + value.toPlainString() + "'";
    }

    @Override
    public String fixed(String expression, int precision, int scale) {
        return "CAST(" + expression + " AS BIGNUMERIC(" + precision + ", " + scale + "))";
    }

    @Override
    public String text(String expression) {
        return "CAST(" + expression + " AS STRING)";
    }

    @Override
    public String utcDate(String timestamp) {
        return "DATE(" + timestamp + ")";
    }

    @Override
    public String plusDays(String date, int days) {
        return "DATE_ADD(" + date + ", INTERVAL " + days + " DAY)";
    }

    @Override
    public String dayStart(String date) {
        return "CAST(" + date + " AS TIMESTAMP)";
    }

    @Override
    public String column(String name) {
        return Identifiers.requireCased(name);
    }

    @Override
    public String jsonObject(Map<String, String> fields) {
        return "TO_JSON_STRING(JSON_OBJECT(" + SqlDialect.keysAndValues(fields) + "))";
    }
}
