package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of the contract: its columns in order, the columns that identify a row, and the columns reads filter by
 * first (BigQuery clusters by them; at most four).
 */
public final class Table {

    private final String name;
    private final List<Column> columns;
    private final List<String> key;
    private final List<String> clustering;
    private final Map<String, Integer> positions = new HashMap<>();

    public Table(String name, List<Column> columns, List<String> key, List<String> clustering) {
        requireNonNull(name, "name is null");
        this.name = Identifiers.require(name);
        this.columns = List.copyOf(columns);
        this.key = List.copyOf(key);
        this.clustering = List.copyOf(clustering);
        for (int i = 0; i < columns.size(); i++) {
            if (positions.put(columns.get(i).name(), i) != null) {
                throw new IllegalArgumentException(name + ": column " + columns.get(i).name() + " twice");
            }
        }
        for (String column : concat(key, clustering)) {
            if (columns.stream().noneMatch(c -> c.name().equals(column))) {
                throw new IllegalArgumentException(name + ": " + column + " is not a column");
            }
        }
        if (clustering.size() > 4) {
            throw new IllegalArgumentException(name + ": at most four clustering columns");
        }
    }

    public Table(String name, List<Column> columns, List<String> key) {
        this(name, columns, key, List.of());
    }

    public String name() {
        return name;
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> key() {
        return key;
    }

    public List<String> clustering() {
        return clustering;
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** The position of {@code column} in {@link #columns()}; throws when the table has no such column. */
    public int indexOf(String column) {
        Integer index = positions.get(column);
        if (index == null) {
            throw new IllegalArgumentException(name + " has no column " + column);
        }
        return index;
    }

    /** A table declared column by column; its key is its {@link Column.Role#KEY} columns, in order. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Table table && table.name.equals(name) && table.columns.equals(columns)
                && table.key.equals(key) && table.clustering.equals(clustering);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }

    public static final class Builder {
        private final String name;
        private final List<Column> columns = new ArrayList<>();
        private List<String> clustering = List.of();

        private Builder(String name) {
            this.name = name;
        }

        /** A nullable part of the row's identity. */
        public Builder key(String column, ColumnType type) {
            return add(new Column(column, type, Column.Role.KEY, true));
        }

        /** A count or an amount, summed across rows; never null. */
        public Builder measure(String column, ColumnType type) {
            return add(new Column(column, type, Column.Role.MEASURE, false));
        }

        /** A nullable attribute. */
        public Builder attribute(String column, ColumnType type) {
            return add(new Column(column, type, Column.Role.ATTRIBUTE, true));
        }

        /** The column added last may not be null. */
        public Builder required() {
            return nullable(false);
        }

        /** The column added last may be null (a measure the source does not always give). */
        public Builder optional() {
            return nullable(true);
        }

        private Builder nullable(boolean nullable) {
            Column last = columns.remove(columns.size() - 1);
            return add(new Column(last.name(), last.type(), last.role(), nullable));
        }

        public Builder add(Column column) {
            columns.add(column);
            return this;
        }

        public Builder clusterBy(String... names) {
            clustering = List.of(names);
            return this;
        }

        public Table build() {
            List<String> key = columns.stream().filter(c -> c.role() == Column.Role.KEY).map(Column::name).toList();
            return new Table(name, columns, key, clustering);
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
