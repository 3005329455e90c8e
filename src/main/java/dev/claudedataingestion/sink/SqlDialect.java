package dev.claudedataingestion.sink;

/** The few things the analysis views say differently on each warehouse. */
public interface SqlDialect {

    /** A table or view of the contract, as the warehouse names it. */
    String table(String name);

    /** {@code a / b} as a fraction, null where {@code b} is zero. */
    String divide(String a, String b);

    /** The first day of the month of a date, as a date. */
    String monthStart(String date);

    /** A value as text. */
    String text(String expression);

    /** The UTC day of an instant (a TIMESTAMP column), as a date. */
    String utcDate(String timestamp);

    /** A date {@code days} later. */
    String plusDays(String date, int days);
}
