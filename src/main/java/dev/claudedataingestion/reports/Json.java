package dev.claudedataingestion.reports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.model.Cents;
import dev.claudedataingestion.model.SafeText;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads the values of a report's JSON elements for its declaration. Strict where a wrong value would change a total (numbers
 * must be numbers, counts must fit 64 bits, amounts must fit the warehouse's columns, times must be plausible);
 * lenient about vocabulary (unknown fields are ignored, unknown enum values are kept). Failures are
 * {@link InvalidResponse}s that name the field and show at most a short excerpt of the value.
 */
public final class Json {

    /** Whole digits an amount may have: cents up to 10^18, far beyond any bill, and what the columns hold. */
    public static final int AMOUNT_DIGITS = 18;
    /** Fractional digits an amount may have, as the columns keep them exactly. */
    public static final int AMOUNT_SCALE = Cents.SCALE;
    /** Times outside these years are not the API's data but a broken answer. */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");
    private static final int EXCERPT = 40;

    /** {@code text} for a message: control characters escaped, at most 40 characters. */
    public static String excerpt(String text) {
        return excerpt(text, EXCERPT);
    }

    /** {@code text} for a message: control characters escaped, an Admin key redacted, at most {@code limit} characters. */
    public static String excerpt(String text, int limit) {
        return SafeText.redact(SafeText.escapeControls(text, limit));
    }

    /** A value in a response that breaks the documented structure. */
    public static final class InvalidResponse extends RuntimeException {
        public InvalidResponse(String message) {
            super(message);
        }
    }

    private Json() {
    }

    /** A dimension or label: null when absent, the text otherwise (unknown values are kept as they come). */
    public static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isContainerNode()) {
            throw new InvalidResponse(field + " is " + node.getNodeType().name().toLowerCase() + ", not a value");
        }
        return node.asText();
    }

    /** A count: absent or null is zero; anything but a whole number fails, since it would change a total. */
    public static long count(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            BigDecimal number = node.decimalValue();
            // A scale check first: 1e999999999 must not be expanded to find out it is too large.
            if (number.precision() - number.scale() <= 19 && node.canConvertToExactIntegral()) {
                try {
                    return number.longValueExact();
                } catch (ArithmeticException e) {
                    // reported below
                }
            }
            throw new InvalidResponse(field + " is " + excerpt(number.toString()) + ", not a whole number that fits"
                    + " 64 bits");
        }
        throw new InvalidResponse(field + " is '" + excerpt(node.asText()) + "', not a whole number");
    }

    /** An RFC 3339 time, or null when absent. */
    public static Instant instant(JsonNode parent, String field) {
        String text = text(parent, field);
        if (text == null) {
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidResponse(field + " '" + excerpt(text) + "' is not an RFC 3339 time");
        }
        if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
            throw new InvalidResponse(field + " '" + excerpt(text) + "' is not a plausible time (before 1970 or after"
                    + " 2199)");
        }
        return instant;
    }

    public static Boolean bool(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new InvalidResponse(field + " is '" + excerpt(node.asText()) + "', not true or false");
        }
        return node.booleanValue();
    }

    /** An amount of cents, exact, that the warehouse's columns can hold. */
    public static BigDecimal cents(JsonNode parent, String field, String what) {
        try {
            return Cents.requireStorable(decimal(parent, field, what));
        } catch (ArithmeticException e) {
            throw new InvalidResponse(e.getMessage());
        }
    }

    /** An exact decimal, from a JSON string or number; never through a double. */
    public static BigDecimal decimal(JsonNode parent, String field, String what) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidResponse(what + " has no " + field);
        }
        BigDecimal amount;
        if (node.isNumber()) {
            amount = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                amount = new BigDecimal(node.asText().strip());
            } catch (NumberFormatException e) {
                throw new InvalidResponse(what + " " + field + " '" + excerpt(node.asText()) + "' is not a number");
            }
        } else {
            throw new InvalidResponse(what + " " + field + " is not a number");
        }
        // Checked by its digits, never by writing it out: 1e999999999 has a billion.
        BigDecimal normalized = amount.signum() == 0 ? BigDecimal.ZERO : amount.stripTrailingZeros();
        if (normalized.precision() - normalized.scale() > AMOUNT_DIGITS || normalized.scale() > AMOUNT_SCALE) {
            throw new InvalidResponse(what + " " + field + " " + excerpt(node.isTextual() ? node.asText().strip()
                    : amount.toString()) + " is outside what an amount can be (at most " + AMOUNT_DIGITS
                    + " whole and " + AMOUNT_SCALE + " decimal digits)");
        }
        return amount;
    }
}
