package dev.claudedataingestion.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a whole (small) query result, for assertions. */
public final class Rows {

    private Rows() {
    }

    public static List<List<Object>> select(Warehouse warehouse, String sql) {
        return select(warehouse, sql, Optional.empty());
    }

    public static List<List<Object>> select(Warehouse warehouse, String sql, Optional<String> organization) {
        List<List<Object>> rows = new ArrayList<>();
        warehouse.query(sql, organization, new Warehouse.QueryVisitor() {
            @Override
            public void columns(List<String> names) {
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        });
        return rows;
    }
}
