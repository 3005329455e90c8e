package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.analysis.AnalysisViews;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a whole (small) result, for assertions: {@link #select} through the tests' own read path
 * ({@link Warehouse#read}); {@link #query}, and {@link #select} with an organization, through {@code query}'s sealed
 * path, whose refusals and scoping are then under test (allowed the tests' PostgreSQL superuser).
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
        return organization.isEmpty() ? select(warehouse, sql) : query(warehouse, sql, organization);
    }

    /** Through {@code query}'s own sealed path, for the tests of what it refuses. */
    public static List<List<Object>> query(Warehouse warehouse, String sql) {
        return query(warehouse, sql, Optional.empty());
    }

    private static List<List<Object>> query(Warehouse warehouse, String sql, Optional<String> organization) {
        List<List<Object>> rows = new ArrayList<>();
        warehouse.query(sql, UserQuery.of(organization, AnalysisViews.catalog()).allowingPrivilegedRole(), collect(rows));
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
