package dev.claudedataingestion.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/** An inclusive range of whole UTC days. */
public record DayRange(LocalDate first, LocalDate last) {

    public DayRange {
        requireNonNull(first, "first is null");
        requireNonNull(last, "last is null");
        if (last.isBefore(first)) {
            throw new IllegalArgumentException("day range ends (" + last + ") before it starts (" + first + ")");
        }
    }

    public static DayRange of(LocalDate first, LocalDate last) {
        return new DayRange(first, last);
    }

    public static DayRange single(LocalDate day) {
        return new DayRange(day, day);
    }

    /** Number of days in the range. */
    /** The range from the earlier first day to the later last day of the two. */
    public DayRange span(DayRange other) {
        return of(first.isBefore(other.first) ? first : other.first, last.isAfter(other.last) ? last : other.last);
    }

    public int size() {
        return Math.toIntExact(ChronoUnit.DAYS.between(first, last) + 1);
    }

    public boolean contains(LocalDate day) {
        return !day.isBefore(first) && !day.isAfter(last);
    }

    public Stream<LocalDate> days() {
        return first.datesUntil(last.plusDays(1));
    }

    /** Midnight UTC that starts the first day. */
    public Instant startInstant() {
        return first.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Midnight UTC that ends the last day (exclusive). */
    public Instant endInstant() {
        return last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Splits the range into consecutive ranges of at most {@code maxDays} days, oldest first. */
    public List<DayRange> split(int maxDays) {
        if (maxDays < 1) {
            throw new IllegalArgumentException("maxDays must be at least 1");
        }
        List<DayRange> parts = new ArrayList<>();
        LocalDate start = first;
        while (!start.isAfter(last)) {
            LocalDate end = start.plusDays(maxDays - 1L);
            if (end.isAfter(last)) {
                end = last;
            }
            parts.add(new DayRange(start, end));
            start = end.plusDays(1);
        }
        return parts;
    }

    /** Groups days into maximal runs of consecutive days, oldest first. Duplicates are ignored. */
    public static List<DayRange> contiguousRuns(Collection<LocalDate> days) {
        List<DayRange> runs = new ArrayList<>();
        LocalDate runStart = null;
        LocalDate previous = null;
        for (LocalDate day : new TreeSet<>(days)) {
            if (previous != null && !day.equals(previous.plusDays(1))) {
                runs.add(new DayRange(runStart, previous));
                runStart = null;
            }
            if (runStart == null) {
                runStart = day;
            }
            previous = day;
        }
        if (runStart != null) {
            runs.add(new DayRange(runStart, previous));
        }
        return runs;
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.toString() : first + ".." + last;
    }
}
