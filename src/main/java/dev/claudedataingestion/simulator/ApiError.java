package dev.claudedataingestion.simulator;

/** A request the API refuses: its status, its error type and its message, as the error body gives them. */
final class ApiError extends RuntimeException {
    final int status;
    final String type;

    ApiError(int status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }
}
