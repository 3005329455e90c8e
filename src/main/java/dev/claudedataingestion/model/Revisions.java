package dev.claudedataingestion.model;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Anthropic revises a day's usage and cost for up to {@value #DAYS} days after the day ends. A day fetched before
 * then is <em>provisional</em>: its figures may still change, and it is fetched again once they cannot. A day fetched
 * later is <em>final</em>.
 */
public final class Revisions {

    /** How long after a day ends its figures may change. */
    public static final int DAYS = 30;

    private Revisions() {
    }

    /** The instant from which {@code day}'s figures no longer change: {@value #DAYS} days after its end. */
    public static Instant finalFrom(LocalDate day) {
        return day.plusDays(1L + DAYS).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Whether {@code day}, fetched at {@code fetchedAt}, holds its final figures. */
    public static boolean isFinal(LocalDate day, Instant fetchedAt) {
        return !fetchedAt.isBefore(finalFrom(day));
    }
}
