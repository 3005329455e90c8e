package dev.claudedataingestion.sink;

import java.util.ArrayList;
import java.util.List;

/** Reads a whole (small) query result, for assertions. */
public final class Rows {

    private Rows() {
    }

    public static List<List<Object>> select(Warehouse warehouse, String sql) {
        List<List<Object>> rows = new ArrayList<>();
        warehouse.query(sql, new Warehouse.QueryVisitor() {
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
