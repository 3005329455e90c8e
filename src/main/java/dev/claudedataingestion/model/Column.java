package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

/**
 * A column of the table contract: its name and type, what it is for, and whether it may be null. Nullability is
 * checked when a {@link Row} is filled, not declared to the warehouse, so that older tables stay valid.
 */
public record Column(String name, ColumnType type, Role role, boolean nullable) {

    /** What a column is for. */
    public enum Role {
        /** Part of what identifies a row: two rows with the same key values are the same fact. */
        KEY,
        /** A number that is summed across rows. */
        MEASURE,
        /** Anything else: a label, a time, a document, the run that wrote the row. */
        ATTRIBUTE
    }

    public Column {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(role, "role is null");
        Identifiers.require(name);
    }

    /** A nullable attribute. */
    public Column(String name, ColumnType type) {
        this(name, type, Role.ATTRIBUTE, true);
    }
}
