package dev.claudedataingestion.sink;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Receives the values of one table row in column order, then {@link #endRow()}. Each backend implements it
 * over its bulk path (an appender, COPY, a load file). Nulls are passed as null.
 */
public interface RowWriter {

    void string(String value);

    void int64(long value);

    void bool(Boolean value);

    void date(LocalDate value);

    void timestamp(Instant value);

    void decimal(BigDecimal value);

    void endRow();

    /** Writes a whole row of {@code values}, one per column and of the column's type, then ends it. */
    default void row(java.util.List<Column> columns, Object[] values) {
        for (int i = 0; i < columns.size(); i++) {
            Object value = values[i];
            switch (columns.get(i).type()) {
                case STRING, JSON -> string((String) value);
                case INT64 -> int64(value == null ? 0 : ((Number) value).longValue());
                case BOOL -> bool((Boolean) value);
                case DATE -> date((LocalDate) value);
                case TIMESTAMP -> timestamp((Instant) value);
                case CENTS, USD -> decimal((BigDecimal) value);
            }
        }
        endRow();
    }
}
