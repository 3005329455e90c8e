package dev.claudedataingestion.warehouse;

import dev.claudedataingestion.model.Column;
import dev.claudedataingestion.model.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Receives the values of one table row in column order, then {@link #endRow()}. Each backend implements it
 * over its bulk path (an appender, COPY, a load file). Nulls are passed as null.
 */
public interface RowWriter {

    void string(String value);

    /** A whole number; null is SQL NULL. */
    void int64(Long value);

    void bool(Boolean value);

    void date(LocalDate value);

    void timestamp(Instant value);

    void decimal(BigDecimal value);

    void endRow();

    /**
     * Writes {@code row}, its values in the order of its table's columns, then ends it. A null measure (a count) is
     * written as 0; any other null as NULL.
     */
    default void row(Row row) {
        List<Column> columns = row.table().columns();
        for (int i = 0; i < columns.size(); i++) {
            Object value = row.get(i);
            switch (columns.get(i).type()) {
                case STRING, JSON -> string((String) value);
                case INT64 -> int64(value == null && columns.get(i).role() == Column.Role.MEASURE ? Long.valueOf(0)
                        : (Long) value);
                case BOOL -> bool((Boolean) value);
                case DATE -> date((LocalDate) value);
                case TIMESTAMP -> timestamp((Instant) value);
                case CENTS, USD -> decimal((BigDecimal) value);
            }
        }
        endRow();
    }
}
