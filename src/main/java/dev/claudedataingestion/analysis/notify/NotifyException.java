package dev.claudedataingestion.analysis.notify;

/**
 * The webhook did not confirm a message. Either nothing reached it, and nothing was recorded as sent, so the next
 * {@code notify} sends it again; or it took the whole message and then did not answer ({@link #deliveryUnknown()}),
 * so the message may have arrived, and is recorded as such rather than sent again.
 */
public final class NotifyException extends RuntimeException {

    private final boolean deliveryUnknown;

    public NotifyException(String message) {
        this(message, false);
    }

    private NotifyException(String message, boolean deliveryUnknown) {
        super(message);
        this.deliveryUnknown = deliveryUnknown;
    }

    /** The webhook took the whole message and gave no answer: it may or may not have arrived. */
    public static NotifyException deliveryUnknown(String message) {
        return new NotifyException(message, true);
    }

    public boolean deliveryUnknown() {
        return deliveryUnknown;
    }
}
