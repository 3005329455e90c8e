package dev.claudedataingestion.simulator;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the simulator's report endpoints serve for some days, summed per day: the figures a run that loaded those days
 * must hold. The demo's summary and the tests compare the warehouse with these.
 */
public final class ServedTotals {

    private ServedTotals() {
    }

    /** One day of a report: its rows, its measures' sums in the report's order, and its money in cents. */
    public record Day(long rows, long[] measures, BigDecimal money) {
    }

    /**
     * The messages usage report ({@code /v1/organizations/usage_report/messages}, every dimension): uncached input,
     * 5-minute and 1-hour cache writes, cache reads, output tokens and web searches.
     */
    public static Map<LocalDate, Day> usage(SyntheticOrganization organization, Stream<LocalDate> days) {
        Map<LocalDate, Day> totals = new TreeMap<>();
        days.forEach(day -> {
            long[] sums = new long[6];
            var tuples = organization.usage(day);
            for (var tuple : tuples) {
                long[] measures = {tuple.uncachedInputTokens(), tuple.cacheCreation5m(), tuple.cacheCreation1h(),
                    tuple.cacheRead(), tuple.outputTokens(), tuple.webSearchRequests()};
                for (int i = 0; i < measures.length; i++) {
                    sums[i] += measures[i];
                }
            }
            totals.put(day, new Day(tuples.size(), sums, BigDecimal.ZERO));
        });
        return totals;
    }

    /** The cost report ({@code /v1/organizations/cost_report}): its lines, and their amounts in cents. */
    public static Map<LocalDate, Day> cost(SyntheticOrganization organization, Stream<LocalDate> days) {
        Map<LocalDate, Day> totals = new TreeMap<>();
        days.forEach(day -> {
            var lines = organization.costs(day);
            BigDecimal sum = lines.stream().map(SyntheticOrganization.CostLine::amountCents)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            totals.put(day, new Day(lines.size(), new long[0], sum));
        });
        return totals;
    }

    /**
     * The Claude Code report ({@code /v1/organizations/usage_report/claude_code}): sessions, lines added, lines
     * removed, commits, pull requests, input and output tokens, and the estimated cost in cents.
     */
    public static Map<LocalDate, Day> claudeCode(SyntheticOrganization organization, Stream<LocalDate> days) {
        Map<LocalDate, Day> totals = new TreeMap<>();
        days.forEach(day -> {
            long[] sums = new long[7];
            BigDecimal cost = BigDecimal.ZERO;
            var records = organization.claudeCode(day);
            for (var record : records) {
                sums[0] += record.sessions();
                sums[1] += record.linesAdded();
                sums[2] += record.linesRemoved();
                sums[3] += record.commits();
                sums[4] += record.pullRequests();
                for (var model : record.models()) {
                    sums[5] += model.input();
                    sums[6] += model.output();
                    cost = cost.add(model.estimatedCostCents());
                }
            }
            totals.put(day, new Day(records.size(), sums, cost));
        });
        return totals;
    }
}
