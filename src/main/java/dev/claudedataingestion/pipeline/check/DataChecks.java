package dev.claudedataingestion.pipeline.check;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.pipeline.Planner;
import dev.claudedataingestion.pipeline.check.CheckResult.Status;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.sink.Warehouse;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The data checks of {@code claude-ingest check}, the same on every warehouse: each reads with plain SQL that
 * DuckDB, PostgreSQL and BigQuery all run (no parameters, table names as in the contract; dates only as literals
 * written from {@link LocalDate}) and decides in Java. Each result says what it found and shows the evidence.
 */
public final class DataChecks {

    private static final int EVIDENCE = 5;
    private static final MathContext PRECISION = MathContext.DECIMAL64;

    private final Warehouse warehouse;
    private final CheckSettings settings;

    public DataChecks(Warehouse warehouse, CheckSettings settings) {
        this.warehouse = warehouse;
        this.settings = settings;
    }

    /** The checks of one organization. */
    public record OrganizationChecks(String organizationId, List<CheckResult> results) {
        public Status worst() {
            return results.stream().map(CheckResult::status).max(Comparator.naturalOrder()).orElse(Status.OK);
        }
    }

    public List<OrganizationChecks> run() {
        List<Warehouse.CoverageSummary> coverage = warehouse.coverage();
        Set<String> organizations = new TreeSet<>();
        coverage.forEach(summary -> organizations.add(summary.organizationId()));
        if (organizations.isEmpty()) {
            return List.of(new OrganizationChecks(null, List.of(new CheckResult("freshness", Status.FAIL,
                    "no data loaded: the coverage ledger is empty; run 'claude-ingest ingest'", List.of()))));
        }
        List<OrganizationChecks> all = new ArrayList<>();
        for (String organization : organizations) {
            // The reports every ingest loads, and any other that this organization has loaded (hourly usage).
            Map<ReportKind, TreeSet<LocalDate>> covered = new TreeMap<>();
            for (ReportKind report : ReportKind.defaults()) {
                covered.put(report, new TreeSet<>());
            }
            coverage.stream().filter(s -> s.organizationId().equals(organization))
                    .forEach(s -> covered.computeIfAbsent(s.report(), r -> new TreeSet<>()).addAll(s.days()));
            all.add(new OrganizationChecks(organization, List.of(
                    freshness(covered),
                    gaps(covered),
                    duplicates(organization),
                    units(organization, covered),
                    reconciliation(organization, covered),
                    budget(organization, covered),
                    anomaly(organization, covered))));
        }
        return all;
    }

    // ---- freshness and gaps ----------------------------------------------------------------------------------

    /** Each report's latest day against its last complete day; a stalled source says when it stopped, never "$0". */
    CheckResult freshness(Map<ReportKind, TreeSet<LocalDate>> covered) {
        Status status = Status.OK;
        List<String> findings = new ArrayList<>();
        for (Map.Entry<ReportKind, TreeSet<LocalDate>> entry : covered.entrySet()) {
            LocalDate lastComplete = Planner.lastCompleteDay(entry.getKey(), settings.now());
            if (entry.getValue().isEmpty()) {
                status = Status.FAIL;
                findings.add(entry.getKey() + ": no data loaded");
                continue;
            }
            LocalDate latest = entry.getValue().last();
            long behind = Math.max(0, ChronoUnit.DAYS.between(latest, lastComplete));
            Status report = behind >= settings.staleFailDays() ? Status.FAIL
                    : behind >= settings.staleWarnDays() ? Status.WARN : Status.OK;
            status = worst(status, report);
            findings.add(report == Status.OK ? entry.getKey() + " through " + latest
                    : entry.getKey() + ": no data since " + latest + " (" + behind + " days behind " + lastComplete + ")");
        }
        return new CheckResult("freshness", status, String.join("; ", findings), List.of());
    }

    /** Days since the start date, up to the latest loaded day, that were never loaded; a day without usage is not one. */
    CheckResult gaps(Map<ReportKind, TreeSet<LocalDate>> covered) {
        List<String> evidence = new ArrayList<>();
        int missingDays = 0;
        for (Map.Entry<ReportKind, TreeSet<LocalDate>> entry : covered.entrySet()) {
            if (entry.getValue().isEmpty() || entry.getValue().last().isBefore(settings.startDate())) {
                continue;
            }
            List<LocalDate> missing = DayRange.of(settings.startDate(), entry.getValue().last()).days()
                    .filter(day -> !entry.getValue().contains(day)).toList();
            if (!missing.isEmpty()) {
                missingDays += missing.size();
                List<DayRange> ranges = DayRange.contiguousRuns(missing);
                evidence.add(entry.getKey() + ": " + missing.size() + " day" + (missing.size() == 1 ? "" : "s")
                        + " never loaded: " + ranges.stream().limit(EVIDENCE).map(DayRange::toString)
                        .collect(Collectors.joining(", ")) + (ranges.size() > EVIDENCE ? ", …" : ""));
            }
        }
        if (missingDays == 0) {
            return CheckResult.ok("gaps", "no day missing since " + settings.startDate());
        }
        // The per-report ranges are the evidence; the message only counts them, so that nothing is said twice.
        return new CheckResult("gaps", Status.FAIL, missingDays + " day" + (missingDays == 1 ? "" : "s")
                + " never loaded since " + settings.startDate() + "; 'claude-ingest ingest' heals them", evidence);
    }

    // ---- duplicates -------------------------------------------------------------------------------------------

    /** No two rows of a fact table share its key. */
    CheckResult duplicates(String organization) {
        List<String> evidence = new ArrayList<>();
        long groups = 0;
        for (Table table : Reports.factTables()) {
            String key = String.join(", ", table.key());
            long[] found = {0};
            // SELECT <key>, COUNT(*) FROM t GROUP BY <key> HAVING COUNT(*) > 1
            select("SELECT " + key + ", COUNT(*) FROM " + table.name() + " GROUP BY " + key + " HAVING COUNT(*) > 1",
                    row -> {
                        if (organization.equals(row.get(0))) {
                            found[0]++;
                            if (evidence.size() < EVIDENCE) {
                                evidence.add(table.name() + " " + row.subList(1, row.size() - 1) + " appears "
                                        + row.get(row.size() - 1) + " times");
                            }
                        }
                    });
            groups += found[0];
        }
        if (groups == 0) {
            return CheckResult.ok("duplicates", "no key appears twice in the fact tables");
        }
        return new CheckResult("duplicates", Status.FAIL, groups + " keys appear more than once; rows are counted"
                + " twice", evidence);
    }

    // ---- units and sanity -------------------------------------------------------------------------------------

    CheckResult units(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        Status status = Status.OK;
        List<String> evidence = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        List<List<Object>> wrongUnits = rows(organization, "SELECT organization_id, activity_date, description,"
                + " amount_cents, amount_usd FROM claude_costs WHERE amount_usd * 100 <> amount_cents");
        if (!wrongUnits.isEmpty()) {
            status = Status.FAIL;
            problems.add(wrongUnits.size() + " cost rows where amount_usd is not amount_cents / 100");
            wrongUnits.stream().limit(EVIDENCE).forEach(row -> evidence.add("claude_costs " + row.get(1) + " "
                    + row.get(2) + ": " + plain(row.get(3)) + " cents but $" + plain(row.get(4))));
        }
        long negative = count(organization, "SELECT organization_id, COUNT(*) FROM claude_costs WHERE amount_cents < 0"
                + " GROUP BY organization_id");
        if (negative > 0) {
            status = worst(status, Status.WARN);
            problems.add(negative + " cost rows below zero (credits?)");
        }
        // A million dollars for one line of one day, or a trillion tokens in one row, is a unit error, not usage.
        long absurdCost = count(organization, "SELECT organization_id, COUNT(*) FROM claude_costs"
                + " WHERE amount_cents > 100000000 GROUP BY organization_id");
        long badTokens = count(organization, "SELECT organization_id, COUNT(*) FROM claude_usage"
                + " WHERE uncached_input_tokens < 0 OR cache_creation_5m_input_tokens < 0"
                + " OR cache_creation_1h_input_tokens < 0 OR cache_read_input_tokens < 0 OR output_tokens < 0"
                + " OR web_search_requests < 0 OR uncached_input_tokens > 1000000000000 OR output_tokens > 1000000000000"
                + " GROUP BY organization_id");
        if (absurdCost > 0 || badTokens > 0) {
            status = Status.FAIL;
            problems.add((absurdCost > 0 ? absurdCost + " cost rows above $1,000,000 " : "")
                    + (badTokens > 0 ? badTokens + " usage rows with negative or absurd token counts" : "").strip());
        }

        // Usage billed at standard or batch prices should have cost rows the same day, and the reverse.
        Set<LocalDate> both = new TreeSet<>(covered.get(ReportKind.USAGE));
        both.retainAll(covered.get(ReportKind.COST));
        Set<LocalDate> usageDays = days(organization, "SELECT organization_id, activity_date, COUNT(*) FROM claude_usage"
                + " WHERE service_tier IS NULL OR service_tier NOT LIKE 'priority%' GROUP BY organization_id, activity_date");
        Set<LocalDate> costDays = days(organization, "SELECT organization_id, activity_date, COUNT(*) FROM claude_costs"
                + " WHERE cost_type = 'tokens' GROUP BY organization_id, activity_date");
        usageDays.retainAll(both);
        costDays.retainAll(both);
        List<LocalDate> usageWithoutCost = usageDays.stream().filter(day -> !costDays.contains(day)).toList();
        List<LocalDate> costWithoutUsage = costDays.stream().filter(day -> !usageDays.contains(day)).toList();
        if (!usageWithoutCost.isEmpty()) {
            status = worst(status, Status.WARN);
            problems.add("usage without token cost on " + ranges(usageWithoutCost));
        }
        if (!costWithoutUsage.isEmpty()) {
            status = worst(status, Status.WARN);
            problems.add("token cost without usage on " + ranges(costWithoutUsage));
        }
        if (status == Status.OK) {
            return CheckResult.ok("units", "dollars are cents / 100 exactly, amounts and token counts are plausible,"
                    + " usage and cost cover the same days");
        }
        return new CheckResult("units", status, String.join("; ", problems), evidence);
    }

    // ---- reconciliation ---------------------------------------------------------------------------------------

    private record Group(LocalDate day, String workspace, String model) {
    }

    /**
     * Usage priced with the price table against the billed token cost, per day, workspace and model, over the recent
     * days both reports cover. Priority Tier is never in the cost report: it is estimated apart.
     */
    CheckResult reconciliation(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        TreeSet<LocalDate> both = new TreeSet<>(covered.get(ReportKind.USAGE));
        both.retainAll(covered.get(ReportKind.COST));
        if (both.isEmpty()) {
            return CheckResult.ok("reconciliation", "nothing to compare: usage and cost share no loaded day");
        }
        LocalDate last = both.last();
        LocalDate first = last.minusDays(settings.recentDays() - 1L);
        String since = " WHERE activity_date >= DATE '" + first + "' AND activity_date <= DATE '" + last + "'";
        Map<Group, BigDecimal> estimated = new HashMap<>();
        BigDecimal[] priority = {BigDecimal.ZERO};
        Set<String> unpriced = new TreeSet<>();
        select("SELECT organization_id, activity_date, workspace_id, model, service_tier, context_window,"
                + " SUM(uncached_input_tokens), SUM(cache_creation_5m_input_tokens), SUM(cache_creation_1h_input_tokens),"
                + " SUM(cache_read_input_tokens), SUM(output_tokens) FROM claude_usage" + since
                + " GROUP BY organization_id, activity_date, workspace_id, model, service_tier, context_window", row -> {
                    LocalDate day = (LocalDate) row.get(1);
                    if (!organization.equals(row.get(0)) || !both.contains(day)) {
                        return;
                    }
                    String model = (String) row.get(3);
                    String tier = (String) row.get(4);
                    PriceTable.Tokens tokens = new PriceTable.Tokens(whole(row.get(6)), whole(row.get(7)),
                            whole(row.get(8)), whole(row.get(9)), whole(row.get(10)));
                    var estimate = settings.prices().estimateUsd(model, tier, (String) row.get(5), tokens);
                    if (estimate.isEmpty()) {
                        unpriced.add(String.valueOf(model));
                    } else if (tier != null && tier.startsWith("priority")) {
                        priority[0] = priority[0].add(estimate.get());
                    } else {
                        estimated.merge(new Group(day, (String) row.get(2), model), estimate.get(), BigDecimal::add);
                    }
                });
        Map<Group, BigDecimal> billed = new HashMap<>();
        select("SELECT organization_id, activity_date, workspace_id, model, SUM(amount_usd) FROM claude_costs" + since
                + " AND cost_type = 'tokens' GROUP BY organization_id, activity_date, workspace_id, model", row -> {
                    if (organization.equals(row.get(0)) && both.contains((LocalDate) row.get(1))
                            && !unpriced.contains(String.valueOf(row.get(3)))) {
                        billed.merge(new Group((LocalDate) row.get(1), (String) row.get(2), (String) row.get(3)),
                                decimal(row.get(4)), BigDecimal::add);
                    }
                });
        record Difference(Group group, BigDecimal billed, BigDecimal estimated) {
            BigDecimal size() {
                return billed.subtract(estimated).abs();
            }
        }
        List<Difference> differences = new ArrayList<>();
        Set<Group> groups = new java.util.HashSet<>(estimated.keySet());
        groups.addAll(billed.keySet());
        for (Group group : groups) {
            BigDecimal b = billed.getOrDefault(group, BigDecimal.ZERO);
            BigDecimal e = estimated.getOrDefault(group, BigDecimal.ZERO);
            BigDecimal allowed = settings.tolerance().multiply(b.max(e)).max(settings.toleranceFloorUsd());
            if (b.subtract(e).abs().compareTo(allowed) > 0) {
                differences.add(new Difference(group, b, e));
            }
        }
        differences.sort(Comparator.comparing(Difference::size).reversed());
        String scope = " for " + ChronoUnit.DAYS.between(first, last.plusDays(1)) + " days to " + last
                + " (prices " + settings.prices().version() + ")";
        String priorityNote = priority[0].signum() == 0 ? ""
                : "; Priority Tier usage of about $" + money(priority[0]) + " is billed outside the cost report";
        if (!differences.isEmpty()) {
            List<String> evidence = differences.stream().limit(EVIDENCE).map(d -> d.group().day() + " "
                    + workspace(d.group().workspace()) + " " + d.group().model() + ": billed $" + money(d.billed())
                    + ", usage priced at $" + money(d.estimated())).toList();
            return new CheckResult("reconciliation", Status.FAIL, differences.size() + " day, workspace and model"
                    + " groups differ from usage × price by more than " + percent(settings.tolerance()) + scope
                    + priorityNote, evidence);
        }
        if (!unpriced.isEmpty()) {
            return new CheckResult("reconciliation", Status.WARN, "billed and estimated cost agree" + scope
                    + ", but the price table has no price for " + String.join(", ", unpriced)
                    + "; give one with --prices" + priorityNote, List.of());
        }
        return CheckResult.ok("reconciliation", "billed token cost equals usage × price within "
                + percent(settings.tolerance()) + scope + priorityNote);
    }

    // ---- budget -----------------------------------------------------------------------------------------------

    /** Month-to-date spend against the monthly budget, and where a straight line from here ends the month. */
    CheckResult budget(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        if (settings.monthlyBudgetUsd().isEmpty()) {
            return CheckResult.ok("budget", "no monthly budget set (--monthly-budget or CHECK_MONTHLY_BUDGET_USD)");
        }
        BigDecimal budget = settings.monthlyBudgetUsd().get();
        TreeSet<LocalDate> costDays = covered.get(ReportKind.COST);
        LocalDate monthStart = Planner.lastCompleteDay(ReportKind.COST, settings.now()).withDayOfMonth(1);
        if (costDays.isEmpty() || costDays.last().isBefore(monthStart)) {
            return new CheckResult("budget", Status.WARN, "no cost data for " + monthStart.format(
                    java.time.format.DateTimeFormatter.ofPattern("MMMM yyyy", java.util.Locale.ENGLISH)) + " yet"
                    + (costDays.isEmpty() ? "" : " (data through " + costDays.last() + ")")
                    + "; month-to-date spend is unknown, not zero", List.of());
        }
        LocalDate through = costDays.last();
        BigDecimal[] spent = {BigDecimal.ZERO};
        select("SELECT organization_id, SUM(amount_usd) FROM claude_costs WHERE activity_date >= DATE '" + monthStart
                + "' AND activity_date <= DATE '" + through + "' GROUP BY organization_id", row -> {
                    if (organization.equals(row.get(0))) {
                        spent[0] = decimal(row.get(1));
                    }
                });
        BigDecimal forecast = spent[0].multiply(BigDecimal.valueOf(monthStart.lengthOfMonth()))
                .divide(BigDecimal.valueOf(through.getDayOfMonth()), 2, RoundingMode.HALF_UP);
        String month = monthStart.format(java.time.format.DateTimeFormatter.ofPattern("MMMM yyyy", java.util.Locale.ENGLISH));
        String message = "$" + money(spent[0]) + " spent in " + month + " through " + through + " of a $"
                + money(budget) + " budget; straight-line forecast $" + money(forecast) + " by month end";
        Status status = spent[0].compareTo(budget) > 0 ? Status.FAIL
                : forecast.compareTo(budget) > 0 ? Status.WARN : Status.OK;
        return new CheckResult("budget", status, message, List.of());
    }

    // ---- anomaly ----------------------------------------------------------------------------------------------

    /** The latest day's cost of each workspace against its trailing 28-day median and median absolute deviation. */
    CheckResult anomaly(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        TreeSet<LocalDate> costDays = covered.get(ReportKind.COST);
        if (costDays.size() < 8) {
            return CheckResult.ok("anomaly", "not enough cost history yet (" + costDays.size() + " days; 8 needed)");
        }
        LocalDate latest = costDays.last();
        List<LocalDate> history = costDays.headSet(latest, false).descendingSet().stream().limit(28).toList();
        Map<String, Map<LocalDate, BigDecimal>> byWorkspace = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        select("SELECT organization_id, workspace_id, activity_date, SUM(amount_usd) FROM claude_costs"
                + " WHERE activity_date >= DATE '" + history.get(history.size() - 1) + "' AND activity_date <= DATE '"
                + latest + "' GROUP BY organization_id, workspace_id, activity_date", row -> {
                    if (organization.equals(row.get(0))) {
                        byWorkspace.computeIfAbsent((String) row.get(1), w -> new TreeMap<>())
                                .put((LocalDate) row.get(2), decimal(row.get(3)));
                    }
                });
        List<String> evidence = new ArrayList<>();
        byWorkspace.forEach((workspace, costs) -> {
            double today = costs.getOrDefault(latest, BigDecimal.ZERO).doubleValue();
            double[] past = history.stream().mapToDouble(day -> costs.getOrDefault(day, BigDecimal.ZERO).doubleValue())
                    .toArray();
            double median = median(past);
            double[] deviations = java.util.Arrays.stream(past).map(value -> Math.abs(value - median)).toArray();
            double spread = Math.max(1.4826 * median(deviations), 0.01);
            if (today - median > settings.anomalySpreads() * spread
                    && today - median > settings.anomalyFloorUsd().doubleValue()) {
                evidence.add(workspace(workspace) + " spent $" + money(BigDecimal.valueOf(today)) + " on " + latest
                        + " against a median of $" + money(BigDecimal.valueOf(median)) + " over the "
                        + past.length + " days before");
            }
        });
        if (evidence.isEmpty()) {
            return CheckResult.ok("anomaly", "no workspace's cost on " + latest + " stands out from its last "
                    + history.size() + " days");
        }
        return new CheckResult("anomaly", Status.WARN, evidence.size() + " workspace" + (evidence.size() == 1 ? "" : "s")
                + " spent far above their usual on " + latest, evidence);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void select(String sql, Consumer<List<Object>> row) {
        warehouse.query(sql, new Warehouse.QueryVisitor() {
            @Override
            public void columns(List<String> names) {
            }

            @Override
            public void row(List<Object> values) {
                row.accept(values);
            }
        });
    }

    private List<List<Object>> rows(String organization, String sql) {
        List<List<Object>> rows = new ArrayList<>();
        select(sql, row -> {
            if (organization.equals(row.get(0))) {
                rows.add(row);
            }
        });
        return rows;
    }

    /** The count in the second column of the organization's row of a {@code GROUP BY organization_id} query. */
    private long count(String organization, String sql) {
        long[] count = {0};
        select(sql, row -> {
            if (organization.equals(row.get(0))) {
                count[0] = whole(row.get(1));
            }
        });
        return count[0];
    }

    private Set<LocalDate> days(String organization, String sql) {
        Set<LocalDate> days = new TreeSet<>();
        select(sql, row -> {
            if (organization.equals(row.get(0))) {
                days.add((LocalDate) row.get(1));
            }
        });
        return days;
    }

    private static Status worst(Status a, Status b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static long whole(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    private static BigDecimal decimal(Object value) {
        return value == null ? BigDecimal.ZERO
                : value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

    private static String plain(Object value) {
        return decimal(value).stripTrailingZeros().toPlainString();
    }

    private static String money(BigDecimal value) {
        return String.format("%,.2f", value.round(PRECISION));
    }

    private static String percent(BigDecimal fraction) {
        return fraction.movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    private static String workspace(String id) {
        return Objects.requireNonNullElse(id, "default workspace");
    }

    private static String ranges(List<LocalDate> days) {
        List<DayRange> ranges = DayRange.contiguousRuns(days);
        return ranges.stream().limit(EVIDENCE).map(DayRange::toString).collect(Collectors.joining(", "))
                + (ranges.size() > EVIDENCE ? ", …" : "");
    }
}
