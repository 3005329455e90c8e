package dev.claudedataingestion.sink;

import static java.util.Objects.requireNonNull;

/** A column of the table contract. */
public record Column(String name, ColumnType type) {

    public Column {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        Identifiers.require(name);
    }
}
