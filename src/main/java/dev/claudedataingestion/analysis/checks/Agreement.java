package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.BETWEEN;
import static dev.claudedataingestion.analysis.checks.CheckContext.EVIDENCE;
import static dev.claudedataingestion.analysis.checks.CheckContext.PRECISION;
import static dev.claudedataingestion.analysis.checks.CheckContext.plain;
import static dev.claudedataingestion.analysis.checks.CheckContext.worst;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.ReportKind;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code agreement} check: the older reports and the Usage and Cost Analytics API count the same usage and bill
 * the same cost: per day both
 * cover, the usage report's tokens against the attributed usage's, and the cost report's cents against the
 * attributed cost's. Each API rounds each amount it serves to some decimal places of a cent (not documented, so
 * read from what was served: the most places any amount of the day has), so two sums of the same cost may differ
 * by up to half a unit of the last place per row summed on each side: that is the bound. A difference beyond it
 * fails where both were fetched final, and warns where either is provisional: Anthropic may still be revising it.
 */
final class Agreement implements Check {

    /** Decimal places the rounding of a served amount is looked for in; a stored amount has at most this many. */
    private static final int MOST_PLACES = 12;

    @Override
    public CheckResult run(CheckContext c) {
        String organization = c.organization();
        Map<ReportKind, TreeSet<LocalDate>> covered = c.covered();
        Optional<CheckResult> nothing = c.nothingInWindow("agreement");
        if (nothing.isPresent()) {
            return nothing.get();
        }
        String tokens = "uncached_input_tokens + cache_creation_5m_input_tokens + cache_creation_1h_input_tokens"
                + " + cache_read_input_tokens + output_tokens";
        List<String> evidence = new ArrayList<>();
        Status status = Status.OK;
        int compared = 0;
        String largest = "";
        BigDecimal largestShare = BigDecimal.valueOf(-1);
        for (String[] pair : new String[][] {{"usage", "claude_usage", "claude_usage_attributed", tokens, "tokens"},
            {"cost", "claude_costs", "claude_cost_attributed", "amount_cents", "cents"}}) {
            ReportKind older = ReportKind.fromId(pair[0]);
            ReportKind attributed = ReportKind.fromId("analytics_" + pair[0]);
            TreeSet<LocalDate> both = new TreeSet<>(covered.getOrDefault(older, new TreeSet<>()));
            both.retainAll(covered.getOrDefault(attributed, new TreeSet<>()));
            both.removeIf(day -> day.isBefore(c.settings().windowStart()));
            if (both.isEmpty()) {
                continue;
            }
            compared += both.size();
            boolean rounded = pair[0].equals("cost");
            Map<LocalDate, DaySum> first = dailySum(c, pair[1], pair[3], rounded, organization, both);
            Map<LocalDate, DaySum> second = dailySum(c, pair[2], pair[3], rounded, organization, both);
            Set<LocalDate> provisionalDays = new HashSet<>();
            c.coverage().stream().filter(s -> s.organizationId().equals(organization)
                    && (s.report() == older || s.report() == attributed))
                    .forEach(s -> provisionalDays.addAll(s.provisional()));
            for (LocalDate day : both) {
                DaySum a = first.getOrDefault(day, DaySum.NONE);
                DaySum b = second.getOrDefault(day, DaySum.NONE);
                BigDecimal difference = a.total().subtract(b.total()).abs();
                BigDecimal bound = a.roundingBound().add(b.roundingBound());
                String figures = pair[0] + " " + day + (provisionalDays.contains(day) ? " (provisional)" : "") + ": "
                        + plain(a.total()) + " " + pair[4] + " in " + pair[1] + ", " + plain(b.total()) + " in "
                        + pair[2] + " (difference " + plain(difference)
                        + (rounded ? ", rounding allows " + plain(bound) : "") + ")";
                BigDecimal share = difference.signum() == 0 ? BigDecimal.ZERO : bound.signum() == 0
                        ? BigDecimal.valueOf(Long.MAX_VALUE) : difference.divide(bound, PRECISION);
                if (share.compareTo(largestShare) > 0) {
                    largestShare = share;
                    largest = figures;
                }
                if (difference.compareTo(bound) > 0) {
                    status = worst(status, provisionalDays.contains(day) ? Status.WARN : Status.FAIL);
                    if (evidence.size() < EVIDENCE) {
                        evidence.add(figures);
                    }
                }
            }
        }
        if (compared == 0) {
            return CheckResult.ok("agreement", "nothing to compare: the attributed reports (analytics_usage,"
                    + " analytics_cost) and the older ones share no loaded day " + c.windowText());
        }
        if (status == Status.OK) {
            return CheckResult.ok("agreement", "the usage and cost reports and the Usage and Cost Analytics API agree"
                    + " on " + compared + " report-days " + c.windowText() + ", within the rounding of"
                    + " the amounts each serves" + (largestShare.signum() > 0 ? "; the largest difference: " + largest
                            : ""));
        }
        return new CheckResult("agreement", status, "the two APIs disagree on some days beyond the rounding of the"
                + " amounts each serves: a difference on a final day fails, on a provisional one (fetched while"
                + " Anthropic could still revise it) warns", evidence);
    }

    /** A day's sum of one table, and how far the rounding of its rows' amounts may have moved it. */
    private record DaySum(BigDecimal total, BigDecimal roundingBound) {
        static final DaySum NONE = new DaySum(BigDecimal.ZERO, BigDecimal.ZERO);
    }

    /**
     * Per day of {@code days}, the sum of {@code measure}; where the measure is a served decimal ({@code rounded}),
     * with half a unit of the last place its amounts have, times the rows summed.
     */
    private static Map<LocalDate, DaySum> dailySum(CheckContext c, String table, String measure, boolean rounded,
            String organization,
            TreeSet<LocalDate> days) {
        StringBuilder places = new StringBuilder("CASE");
        for (int place = 0; place < MOST_PLACES; place++) {
            places.append(" WHEN ").append(measure).append(" = ROUND(").append(measure).append(", ").append(place)
                    .append(") THEN ").append(place);
        }
        places.append(" ELSE ").append(MOST_PLACES).append(" END");
        Map<LocalDate, DaySum> sums = new HashMap<>();
        c.warehouse().forEach("SELECT activity_date, SUM(" + measure + ") AS total, COUNT(*) AS row_count"
                + (rounded ? ", MAX(" + places + ") AS places" : "") + " FROM " + table + BETWEEN
                + " GROUP BY activity_date", Map.of("organization_id", organization, "first_day", days.first(),
                        "last_day", days.last()), row -> sums.put(row.date("activity_date"), new DaySum(
                                row.decimal("total"), rounded ? new BigDecimal("0.5").movePointLeft(
                                        (int) row.int64("places")).multiply(BigDecimal.valueOf(
                                                row.int64("row_count"))) : BigDecimal.ZERO)));
        return sums;
    }
}
