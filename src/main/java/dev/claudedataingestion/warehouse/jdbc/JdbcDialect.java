package dev.claudedataingestion.warehouse.jdbc;

import dev.claudedataingestion.model.Identifiers;
import dev.claudedataingestion.warehouse.SqlDialect;
import java.util.Map;

/**
 * The views' SQL as DuckDB writes it, and a JDBC backend unless it says otherwise: unqualified names, instants stored
 * as UTC wall times, {@code json_object}.
 */
public class JdbcDialect implements SqlDialect {

    @Override
    public String table(String name) {
        return Identifiers.require(name);
    }

    @Override
    public String divide(String a, String b) {
        return "CAST(" + a + " AS DOUBLE PRECISION) / NULLIF(" + b + ", 0)";
    }

    @Override
    public String monthStart(String date) {
        return "CAST(date_trunc('month', " + date + ") AS DATE)";
    }

    @Override
    public String text(String expression) {
        return "CAST(" + expression + " AS VARCHAR)";
    }

    @Override
    public String utcDate(String timestamp) {
        return "CAST(" + timestamp + " AS DATE)";
    }

    @Override
    public String plusDays(String date, int days) {
        return "(" + date + " + " + days + ")";
    }

    @Override
    public String dayStart(String date) {
        return "CAST(" + date + " AS TIMESTAMP)";
    }

    @Override
    public String jsonObject(Map<String, String> fields) {
        return "CAST(json_object(" + SqlDialect.keysAndValues(fields) + ") AS VARCHAR)";
    }
}
