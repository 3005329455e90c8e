package dev.claudedataingestion.pipeline.notify;

/** The webhook did not take a message; nothing was recorded as sent, so the next {@code notify} sends it again. */
public final class NotifyException extends RuntimeException {

    public NotifyException(String message) {
        super(message);
    }
}
