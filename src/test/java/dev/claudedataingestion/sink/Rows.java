package dev.claudedataingestion.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a whole (small) result, for assertions. The tests' own read path ({@link Warehouse#read}), not the sealed
 * one of {@code query}, which refuses the tests' PostgreSQL superuser; with an organization, {@code query}'s scoping
 * is what is under test, so that goes through {@code query}, allowed the privileged login.
 */
public final class Rows {

    private Rows() {
    }

    public static List<List<Object>> select(Warehouse warehouse, String sql) {
        List<List<Object>> rows = new ArrayList<>();
        warehouse.read(sql, Map.of(), collect(rows));
        return rows;
    }

    public static List<List<Object>> select(Warehouse warehouse, String sql, Optional<String> organization) {
        if (organization.isEmpty()) {
            return select(warehouse, sql);
        }
        List<List<Object>> rows = new ArrayList<>();
        warehouse.query(sql, UserQuery.of(organization).allowingPrivilegedRole(), collect(rows));
        return rows;
    }

    private static Warehouse.QueryVisitor collect(List<List<Object>> rows) {
        return new Warehouse.QueryVisitor() {
            @Override
            public void columns(List<String> names) {
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        };
    }
}
