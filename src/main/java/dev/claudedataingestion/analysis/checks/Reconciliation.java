package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.BETWEEN;
import static dev.claudedataingestion.analysis.checks.CheckContext.EVIDENCE;
import static dev.claudedataingestion.analysis.checks.CheckContext.money;
import static dev.claudedataingestion.analysis.checks.CheckContext.percent;
import static dev.claudedataingestion.analysis.checks.CheckContext.workspace;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.analysis.checks.PricedUsage.Group;
import dev.claudedataingestion.analysis.views.DefaultWorkspace;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.ReportKind;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The {@code reconciliation} check: usage priced with the price table against the billed token cost, per day,
 * workspace and model, over the recent days both reports cover. Priority Tier is never in the cost report: it is
 * estimated apart. Where the attributed cost holds the day (grouped by workspace and model), its list price is the
 * reference instead: usage × the price table must equal Anthropic's own list price, and a bill below it is a
 * discount, not a difference (but a bill above it is).
 */
final class Reconciliation implements Check {

    @Override
    public CheckResult run(CheckContext c) {
        String organization = c.organization();
        TreeSet<LocalDate> both = new TreeSet<>(c.days(ReportKind.USAGE));
        both.retainAll(c.days(ReportKind.COST));
        if (both.isEmpty()) {
            return CheckResult.ok("reconciliation", "nothing to compare: usage and cost share no loaded day");
        }
        LocalDate last = both.last();
        LocalDate first = last.minusDays(c.settings().recentDays() - 1L);
        Map<String, Object> days = Map.of("organization_id", organization, "first_day", first, "last_day", last);
        PricedUsage usage = PricedUsage.read(c, days, both);
        Map<Group, PriceTable.Estimate> estimated = usage.estimated();
        Set<String> unpriced = usage.unpriced();
        Set<String> ranged = usage.ranged();
        BigDecimal priority = usage.priority();
        Map<Group, BigDecimal> billed = new HashMap<>();
        c.warehouse().forEach("SELECT activity_date, workspace_id, model, SUM(amount_usd) AS amount_usd FROM"
                + " claude_costs"
                + BETWEEN + " AND cost_type = 'tokens' GROUP BY activity_date, workspace_id, model", days, row -> {
                    if (both.contains(row.date("activity_date")) && !unpriced.contains(String.valueOf(row.string("model")))) {
                        billed.merge(new Group(row.date("activity_date"), row.string("workspace_id"),
                                row.string("model")), row.decimal("amount_usd"), BigDecimal::add);
                    }
                });
        Map<Group, BigDecimal> listed = new HashMap<>();
        Set<LocalDate> listedDays = c.days(ReportKind.ANALYTICS_COST);
        // The analytics API names the default workspace by its real id, the older reports by null.
        Set<String> defaultWorkspace = DefaultWorkspace.realIds(c.warehouse(), organization);
        if (!listedDays.isEmpty()) {
            String grouped = " AND " + AnalyticsGrouping.sqlGroupedBy("grouped_by", "workspace_id") + " AND "
                    + AnalyticsGrouping.sqlGroupedBy("grouped_by", "model");
            c.warehouse().forEach("SELECT activity_date, workspace_id, model, SUM(list_amount_usd) AS list_usd FROM"
                    + " claude_cost_attributed" + BETWEEN + " AND cost_type = 'tokens'" + grouped
                    + " GROUP BY activity_date, workspace_id, model", days, row -> {
                        LocalDate day = row.date("activity_date");
                        if (both.contains(day) && !unpriced.contains(String.valueOf(row.string("model")))) {
                            String workspace = row.string("workspace_id");
                            listed.merge(new Group(day, defaultWorkspace.contains(workspace) ? null : workspace,
                                    row.string("model")), row.decimal("list_usd"), BigDecimal::add);
                        }
                    });
        }
        /** What a difference is: what the evidence and the message call it. */
        enum Kind {
            CATALOG("the catalog's price is not the API's list price (correct it with --prices)"),
            ABOVE_LIST("billed above the API's list price"),
            BILLED("billed differs from usage × price (no list price loaded for the day)");

            final String meaning;

            Kind(String meaning) {
                this.meaning = meaning;
            }
        }
        record Difference(Group group, BigDecimal billed, BigDecimal list, PriceTable.Estimate estimated, Kind kind) {
            BigDecimal size() {
                return list == null ? outside(estimated, billed) : outside(estimated, list).max(billed.subtract(list));
            }
        }
        List<Difference> differences = new ArrayList<>();
        Set<Group> groups = new HashSet<>(estimated.keySet());
        groups.addAll(billed.keySet());
        BigDecimal discounts = BigDecimal.ZERO;
        int checkedAgainstList = 0;
        int discounted = 0;
        int unknown = 0;
        for (Group group : groups) {
            BigDecimal b = billed.getOrDefault(group, BigDecimal.ZERO);
            BigDecimal l = listed.get(group);
            PriceTable.Estimate e = estimated.getOrDefault(group, PriceTable.Estimate.ZERO);
            if (l == null && listedDays.contains(group.day())) {
                // The API lists every priced group of a day it serves: one it does not is not known, not wrong.
                unknown++;
                continue;
            }
            BigDecimal reference = l == null ? b : l;
            BigDecimal allowed = c.settings().tolerance().multiply(reference.max(e.high()))
                    .max(c.settings().toleranceFloorUsd());
            Kind kind = null;
            if (l == null) {
                kind = outside(e, b).compareTo(allowed) > 0 ? Kind.BILLED : null;
            } else {
                checkedAgainstList++;
                if (b.compareTo(l) < 0) {
                    // Billed below list, and list = usage × price: a negotiated discount, not a difference.
                    discounts = discounts.add(l.subtract(b));
                    discounted++;
                }
                if (outside(e, l).compareTo(allowed) > 0) {
                    kind = Kind.CATALOG;
                } else if (b.subtract(l).compareTo(c.settings().tolerance().multiply(l)
                        .max(c.settings().toleranceFloorUsd())) > 0) {
                    kind = Kind.ABOVE_LIST;
                }
            }
            if (kind != null) {
                differences.add(new Difference(group, b, l, e, kind));
            }
        }
        String listNote = (checkedAgainstList == 0 ? "" : "; " + checkedAgainstList + " of " + groups.size()
                + " groups checked against the list price of analytics_cost" + (discounted == 0 ? ""
                        : ", " + discounted + " billed $" + money(discounts) + " below it in all: a negotiated"
                                + " discount, not a difference"))
                + (unknown == 0 ? "" : "; " + unknown + " groups unknown: analytics_cost lists no price for them"
                        + (defaultWorkspace.isEmpty() ? " (the default workspace's real id is not loaded: run ingest"
                                + " with the dimensions)" : ""));
        differences.sort(Comparator.comparing(Difference::size).reversed());
        String scope = " for " + ChronoUnit.DAYS.between(first, last.plusDays(1)) + " days to " + last
                + " (prices " + c.settings().prices().version() + ")";
        String priorityNote = (priority.signum() == 0 ? ""
                : "; Priority Tier usage of about $" + money(priority) + " is billed outside the cost report")
                + (ranged.isEmpty() ? "" : "; " + String.join(", ", ranged) + " compared against a range: its price"
                        + " depends on each prompt's size, which daily usage does not give") + listNote;
        if (!differences.isEmpty()) {
            Map<Kind, Long> byKind = differences.stream().collect(Collectors.groupingBy(
                    Difference::kind, () -> new EnumMap<>(Kind.class), Collectors.counting()));
            List<String> evidence = differences.stream().limit(EVIDENCE).map(d -> d.group().day() + " "
                    + workspace(d.group().workspace()) + " " + d.group().model() + ": billed $" + money(d.billed())
                    + (d.list() == null ? "" : ", list $" + money(d.list())) + ", usage priced at $"
                    + money(d.estimated().low()) + (d.estimated().isRange() ? " to $" + money(d.estimated().high())
                            : "") + " (" + d.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")").toList();
            return new CheckResult("reconciliation", Status.FAIL, differences.size() + " day, workspace and model"
                    + " groups differ by more than " + percent(c.settings().tolerance()) + ": " + byKind.entrySet()
                            .stream().map(k -> k.getValue() + " " + k.getKey().meaning)
                            .collect(Collectors.joining(", ")) + scope + priorityNote, evidence);
        }
        if (!unpriced.isEmpty()) {
            return new CheckResult("reconciliation", Status.WARN, "billed and estimated cost agree" + scope
                    + ", but usage of " + String.join(", ", unpriced) + " is unpriced: the price table has no price"
                    + " for it; give one with --prices" + priorityNote, List.of());
        }
        return CheckResult.ok("reconciliation", "token cost equals usage × price within "
                + percent(c.settings().tolerance()) + scope + priorityNote);
    }

    /** How far {@code amount} lies outside the range of {@code estimated}. */
    private static BigDecimal outside(PriceTable.Estimate estimated, BigDecimal amount) {
        return estimated.low().subtract(amount).max(amount.subtract(estimated.high())).max(BigDecimal.ZERO);
    }
}
