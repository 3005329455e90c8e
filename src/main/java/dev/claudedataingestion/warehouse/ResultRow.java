package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.model.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * One row of a read, its values taken by column name and given as the contract's Java types whatever the warehouse's
 * driver returned (a sum of counts can come back as a long, a {@code BigInteger} or a {@code BigDecimal}).
 */
public final class ResultRow {

    private final Map<String, Integer> columns;
    private final List<Object> values;

    ResultRow(Map<String, Integer> columns, List<Object> values) {
        this.columns = columns;
        this.values = values;
    }

    /** The value as the driver returned it; null when SQL's is. */
    public Object get(String column) {
        Integer index = columns.get(column);
        if (index == null) {
            throw new IllegalArgumentException("the read has no column " + column + "; it has " + columns.keySet());
        }
        return values.get(index);
    }

    public String string(String column) {
        Object value = get(column);
        return value == null ? null : value.toString();
    }

    /** A whole number; null reads as zero (the sum of no rows). */
    public long int64(String column) {
        Object value = get(column);
        return value == null ? 0 : value instanceof Number number ? number.longValue() : Long.parseLong(value.toString());
    }

    /** An exact number; null reads as zero (the sum of no rows). */
    public BigDecimal decimal(String column) {
        Object value = get(column);
        return value == null ? BigDecimal.ZERO
                : value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

    public LocalDate date(String column) {
        Object value = get(column);
        return value == null ? null : value instanceof LocalDate date ? date : LocalDate.parse(value.toString());
    }

    public Instant timestamp(String column) {
        return (Instant) get(column);
    }

    public Boolean bool(String column) {
        return (Boolean) get(column);
    }

    /** This row as a row of {@code table}, read by the table's column names, each as its column's type. */
    public Row toRow(Table table) {
        Row row = new Row(table);
        for (Column column : table.columns()) {
            if (get(column.name()) != null) {
                row.set(column.name(), switch (column.type()) {
                    case STRING, JSON -> string(column.name());
                    case INT64 -> int64(column.name());
                    case BOOL -> bool(column.name());
                    case DATE -> date(column.name());
                    case TIMESTAMP -> timestamp(column.name());
                    case CENTS, USD -> decimal(column.name());
                });
            }
        }
        return row;
    }
}
