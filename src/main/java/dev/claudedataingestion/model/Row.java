package dev.claudedataingestion.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One row of a {@link Table}, whose values are set and read by column name and checked against the column's type,
 * so that a declaration and a table can never disagree silently. Unset values are null.
 */
public final class Row {

    private final Table table;
    private final Object[] values;

    public Row(Table table) {
        this.table = table;
        this.values = new Object[table.columns().size()];
    }

    private Row(Table table, Object[] values) {
        this.table = table;
        this.values = values;
    }

    public Table table() {
        return table;
    }

    /** Sets {@code column} to {@code value}, which must be of the column's type (an {@code int} is taken as a long). */
    public Row set(String column, Object value) {
        int index = table.indexOf(column);
        Column declared = table.columns().get(index);
        values[index] = checked(declared, value instanceof Integer small ? Long.valueOf(small) : value);
        return this;
    }

    public Object get(String column) {
        return values[table.indexOf(column)];
    }

    /** The value of the column at {@code index} of {@link Table#columns()}, for writers that go through them in order. */
    public Object get(int index) {
        return values[index];
    }

    public String string(String column) {
        return (String) get(column);
    }

    /** A count; null reads as zero. */
    public long int64(String column) {
        Object value = get(column);
        return value == null ? 0 : (Long) value;
    }

    public BigDecimal decimal(String column) {
        return (BigDecimal) get(column);
    }

    public LocalDate date(String column) {
        return (LocalDate) get(column);
    }

    public Instant timestamp(String column) {
        return (Instant) get(column);
    }

    /** The values of the table's key columns, in key order. */
    public List<Object> key() {
        List<Object> key = new ArrayList<>(table.key().size());
        for (String column : table.key()) {
            key.add(get(column));
        }
        return key;
    }

    /** A copy that can be changed without changing this row. */
    public Row copy() {
        return new Row(table, values.clone());
    }

    /** Throws naming the first column that may not be null and is. */
    public Row requireComplete() {
        for (int i = 0; i < values.length; i++) {
            Column column = table.columns().get(i);
            if (values[i] == null && !column.nullable()) {
                throw new IllegalArgumentException(table.name() + "." + column.name() + " may not be null");
            }
        }
        return this;
    }

    private Object checked(Column column, Object value) {
        if (value == null) {
            return null;
        }
        Class<?> expected = switch (column.type()) {
            case STRING, JSON -> String.class;
            case INT64 -> Long.class;
            case BOOL -> Boolean.class;
            case DATE -> LocalDate.class;
            case TIMESTAMP -> Instant.class;
            case CENTS, USD -> BigDecimal.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(table.name() + "." + column.name() + " is " + column.type() + ", not "
                    + value.getClass().getSimpleName());
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Row row && row.table.equals(table) && Arrays.equals(row.values, values);
    }

    @Override
    public int hashCode() {
        return table.name().hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(table.name()).append('{');
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ", ").append(table.columns().get(i).name()).append('=').append(values[i]);
        }
        return text.append('}').toString();
    }
}
