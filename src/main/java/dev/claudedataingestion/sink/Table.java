package dev.claudedataingestion.sink;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A table of the contract: its columns in order, the columns that identify a row, and whether it is a fact
 * table replaced by {@code activity_date}.
 */
public record Table(String name, List<Column> columns, List<String> key) {

    public Table {
        requireNonNull(name, "name is null");
        Identifiers.require(name);
        columns = List.copyOf(columns);
        key = List.copyOf(key);
        for (String keyColumn : key) {
            if (columns.stream().noneMatch(c -> c.name().equals(keyColumn))) {
                throw new IllegalArgumentException(name + ": key column " + keyColumn + " is not a column");
            }
        }
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
