package dev.claudedataingestion.model;

/** The types of the table contract; each backend maps them to its own SQL types. */
public enum ColumnType {
    STRING,
    INT64,
    BOOL,
    DATE,
    /** An instant in UTC. */
    TIMESTAMP,
    /** Cents, exact: 38 digits, {@code Cents.SCALE} of them after the point. */
    CENTS,
    /** Dollars, exact: two more decimal places than cents, so that cents / 100 is never rounded. */
    USD,
    /** A JSON document kept as text. */
    JSON
}
