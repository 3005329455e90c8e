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
}
