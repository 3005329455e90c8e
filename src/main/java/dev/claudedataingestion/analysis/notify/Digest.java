package dev.claudedataingestion.analysis.notify;

import dev.claudedataingestion.analysis.spend.Spend;
import dev.claudedataingestion.model.DayRange;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A spend digest: the period's billed spend against the period before, the month to date against the budget and
 * its straight-line forecast, and what moved most, by workspace and by model. Every figure is read from the FOCUS
 * view through {@link Spend}, so it is the figure the views and the budget check give; a day no cost report loaded
 * is named, never counted as zero.
 *
 * @param spend         the period's spend, empty when no day of it is loaded
 * @param notLoaded     the days of the period no cost report has loaded
 * @param monthToDate   the month's spend through {@code through}, the latest loaded day of the period's month
 */
public record Digest(Schedule schedule, DayRange period, Optional<BigDecimal> spend, Set<LocalDate> notLoaded,
        DayRange previous, Optional<BigDecimal> previousSpend, Optional<LocalDate> through,
        Optional<BigDecimal> monthToDate, Optional<BigDecimal> forecast, Optional<BigDecimal> budget,
        List<Mover> movers) {

    /** How many movers a digest names. */
    static final int MOVERS = 5;

    /** When digests are sent, and which days each covers. */
    public enum Schedule {
        DAILY, WEEKLY;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The period the digest sent after {@code lastCompleteDay} covers: that day, or the last whole ISO week. */
        public DayRange period(LocalDate lastCompleteDay) {
            if (this == DAILY) {
                return DayRange.single(lastCompleteDay);
            }
            LocalDate sunday = lastCompleteDay.with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
            return DayRange.of(sunday.minusDays(6), sunday);
        }
    }

    /** A workspace or model whose spend changed: {@code dimension} is {@code workspace} or {@code model}. */
    public record Mover(String dimension, String name, BigDecimal spend, BigDecimal previousSpend) {
        public BigDecimal change() {
            return spend.subtract(previousSpend);
        }
    }

    /** The digest of {@code schedule}'s period after {@code lastCompleteDay}, from {@code spend}. */
    public static Digest of(Spend spend, Schedule schedule, LocalDate lastCompleteDay, Optional<BigDecimal> budget) {
        DayRange period = schedule.period(lastCompleteDay);
        DayRange previous = DayRange.of(period.first().minusDays(period.size()), period.first().minusDays(1));
        LocalDate monthStart = period.last().withDayOfMonth(1);
        TreeSet<LocalDate> loaded = spend.loadedDays(DayRange.of(monthStart.isBefore(previous.first()) ? monthStart
                : previous.first(), period.last()));
        Set<LocalDate> notLoaded = new TreeSet<>(period.days().filter(day -> !loaded.contains(day)).toList());
        boolean periodLoaded = notLoaded.size() < period.size();
        boolean previousLoaded = previous.days().anyMatch(loaded::contains);

        Optional<LocalDate> through = Optional.ofNullable(loaded.floor(period.last()))
                .filter(day -> !day.isBefore(monthStart));
        Optional<BigDecimal> monthToDate = through.map(day -> spend.total(DayRange.of(monthStart, day)));
        Optional<BigDecimal> forecast = monthToDate.map(total -> Spend.forecast(total, through.get()));

        List<Mover> movers = new ArrayList<>();
        if (periodLoaded && previousLoaded) {
            movers.addAll(movers("workspace", spend.by("SubAccountName", period), spend.by("SubAccountName",
                    previous)));
            movers.addAll(movers("model", spend.by("SkuId", period), spend.by("SkuId", previous)));
            movers.sort(Comparator.comparing((Mover m) -> m.change().abs()).reversed()
                    .thenComparing(Mover::dimension).thenComparing(Mover::name));
        }
        return new Digest(schedule, period, periodLoaded ? Optional.of(spend.total(period)) : Optional.empty(),
                notLoaded, previous, previousLoaded ? Optional.of(spend.total(previous)) : Optional.empty(), through,
                monthToDate, forecast, budget, List.copyOf(movers.subList(0, Math.min(MOVERS, movers.size()))));
    }

    private static List<Mover> movers(String dimension, Map<String, BigDecimal> now, Map<String, BigDecimal> before) {
        Map<String, Mover> movers = new TreeMap<>();
        now.forEach((name, spent) -> movers.put(name, new Mover(dimension, name, spent,
                before.getOrDefault(name, BigDecimal.ZERO))));
        before.forEach((name, spent) -> movers.putIfAbsent(name, new Mover(dimension, name, BigDecimal.ZERO, spent)));
        return movers.values().stream().filter(mover -> mover.change().signum() != 0).toList();
    }
}
