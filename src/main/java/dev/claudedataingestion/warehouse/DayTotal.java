package dev.claudedataingestion.warehouse;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/** A report's rows and headline total on one day, as stored. */
public record DayTotal(long rows, BigDecimal total) {

    public DayTotal {
        requireNonNull(total, "total is null");
    }

    /** Whether {@code other} holds different numbers; totals compare by value, whatever their scale. */
    public boolean differsFrom(DayTotal other) {
        return rows != other.rows || total.compareTo(other.total) != 0;
    }
}
