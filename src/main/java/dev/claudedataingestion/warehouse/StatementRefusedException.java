package dev.claudedataingestion.warehouse;

/**
 * The warehouse refused a statement a user gave {@code query}, or stopped it, for what the statement is or does
 * (a syntax error, an unknown column, a write, a forbidden function, its timeout) rather than for a fault of the
 * warehouse itself. The fix is in the statement or the command line.
 */
public final class StatementRefusedException extends WarehouseException {

    public StatementRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    public StatementRefusedException(String message) {
        super(message);
    }
}
