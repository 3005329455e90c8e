package dev.claudedataingestion.warehouse;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * A day whose re-pulled data differs from what the warehouse held: its rows and headline total before and after.
 * Written to {@code ingestion_restatements} in the same transaction as the new rows.
 */
public record Restatement(LocalDate day, String measure, long oldRows, long newRows, BigDecimal oldTotal,
        BigDecimal newTotal) {

    public Restatement {
        requireNonNull(day, "day is null");
        requireNonNull(measure, "measure is null");
        requireNonNull(oldTotal, "oldTotal is null");
        requireNonNull(newTotal, "newTotal is null");
    }
}
