package dev.claudedataingestion.warehouse.postgres;

import dev.claudedataingestion.warehouse.SqlDialect;
import dev.claudedataingestion.warehouse.jdbc.JdbcDialect;
import java.util.Map;

/** The views' SQL on PostgreSQL: instants are {@code timestamptz}, read at UTC; JSON by {@code json_build_object}. */
final class PostgresDialect extends JdbcDialect {

    /** A timestamptz read in the session's time zone would give a local day; the UTC one is asked for. */
    @Override
    public String utcDate(String timestamp) {
        return "CAST((" + timestamp + " AT TIME ZONE 'UTC') AS DATE)";
    }

    @Override
    public String dayStart(String date) {
        return "(CAST(" + date + " AS timestamp) AT TIME ZONE 'UTC')";
    }

    @Override
    public String jsonObject(Map<String, String> fields) {
        return "CAST(json_build_object(" + SqlDialect.keysAndValues(fields) + ") AS text)";
    }
}
