package dev.claudedataingestion.model;

import java.math.BigDecimal;

/** The API reports money in cents; the warehouse keeps cents and dollars, both exact. */
public final class Cents {

    /** Decimal places kept for cents; larger scales are refused rather than rounded. */
    public static final int SCALE = 20;

    private Cents() {
    }

    /** Dollars from cents, by moving the decimal point: exact, never through a double. */
    public static BigDecimal toUsd(BigDecimal cents) {
        return cents.movePointLeft(2);
    }

    /**
     * An exact number (an amount, a quantity) as plain text, the same whatever scale a warehouse gave it: no trailing
     * zeros, no exponent, and {@code 0} for zero.
     */
    public static String plain(BigDecimal number) {
        return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
    }

    /**
     * Checks that {@code cents} can be stored exactly in a column of {@link #SCALE} decimal places
     * and 38 digits, and returns it.
     */
    public static BigDecimal requireStorable(BigDecimal cents) {
        BigDecimal normalized = cents.stripTrailingZeros();
        // The messages never write the amount out in full: 1e999999999 cents has a billion digits.
        if (normalized.scale() > SCALE) {
            throw new ArithmeticException("an amount has more than " + SCALE
                    + " decimal places of cents and cannot be stored exactly");
        }
        if (normalized.precision() - normalized.scale() > 38 - SCALE - 2) {
            throw new ArithmeticException("an amount of " + (normalized.precision() - normalized.scale())
                    + " whole digits is too large to store");
        }
        return cents;
    }
}
