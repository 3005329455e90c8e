package dev.claudedataingestion.warehouse;

/** The warehouse could not be reached, read or written. Whatever was being written was rolled back. */
public class WarehouseException extends RuntimeException {

    public WarehouseException(String message, Throwable cause) {
        super(message, cause);
    }

    public WarehouseException(String message) {
        super(message);
    }
}
