package dev.claudedataingestion.analysis.checks;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.analysis.spend.Spend;
import dev.claudedataingestion.analysis.views.DefaultWorkspace;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.AnalyticsGrouping;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Warehouse;
import java.math.BigDecimal;
import java.math.MathContext;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The data checks of {@code claude-ingest check}, the same on every warehouse: each reads with plain SQL that
 * DuckDB, PostgreSQL and BigQuery all run (table names as in the contract, the organization and the days as bound
 * parameters, so that BigQuery scans only the days a check reports on) and decides in Java. Each result says what it
 * found and shows the evidence.
 */
public final class DataChecks {

    private static final int EVIDENCE = 5;
    /** An organization's days {@code first_day} to {@code last_day}, bound as parameters. */
    private static final String BETWEEN = " WHERE organization_id = @organization_id AND activity_date BETWEEN"
            + " @first_day AND @last_day";
    private static final MathContext PRECISION = MathContext.DECIMAL64;

    private final Warehouse warehouse;
    private final CheckSettings settings;
    private List<Warehouse.CoverageSummary> coverage;

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

    /** The organizations the warehouse holds, by its coverage ledger. */
    public List<String> organizations() {
        return coverage().stream().map(Warehouse.CoverageSummary::organizationId).distinct().sorted().toList();
    }

    /** The checks of every organization the warehouse holds. */
    public List<OrganizationChecks> run() {
        return run(organizations());
    }

    /** The checks of {@code organizations}; nothing is read of the others. */
    public List<OrganizationChecks> run(List<String> organizations) {
        if (organizations.isEmpty()) {
            return List.of(new OrganizationChecks(null, List.of(new CheckResult("freshness", Status.FAIL,
                    "no data loaded: the coverage ledger is empty; run 'claude-ingest ingest'", List.of()))));
        }
        List<OrganizationChecks> all = new ArrayList<>();
        for (String organization : organizations) {
            Map<ReportKind, TreeSet<LocalDate>> covered = covered(organization);
            all.add(new OrganizationChecks(organization, List.of(
                    freshness(covered),
                    gaps(covered),
                    duplicates(organization, covered),
                    units(organization, covered),
                    reconciliation(organization, covered),
                    prices(organization, covered),
                    agreement(organization, covered),
                    budget(organization, covered),
                    anomaly(organization, covered))));
        }
        return all;
    }

    /** The prices check alone, which {@code ingest} runs to warn of a stale catalog once per run. */
    public CheckResult prices(String organization) {
        return prices(organization, covered(organization));
    }

    /** The reports {@code organization} is expected to hold, each with the days it has loaded. */
    private Map<ReportKind, TreeSet<LocalDate>> covered(String organization) {
        Map<ReportKind, TreeSet<LocalDate>> covered = new TreeMap<>();
        coverage().stream().filter(s -> s.organizationId().equals(organization))
                .forEach(s -> covered.computeIfAbsent(s.report(), r -> new TreeSet<>()).addAll(s.days()));
        Reports.expected(covered.keySet()).forEach(report -> covered.putIfAbsent(report, new TreeSet<>()));
        return covered;
    }

    // ---- freshness and gaps ----------------------------------------------------------------------------------

    /** Each report's latest day against its last complete day; a stalled source says when it stopped, never "$0". */
    CheckResult freshness(Map<ReportKind, TreeSet<LocalDate>> covered) {
        Status status = Status.OK;
        List<String> findings = new ArrayList<>();
        for (Map.Entry<ReportKind, TreeSet<LocalDate>> entry : covered.entrySet()) {
            LocalDate lastComplete = Reports.of(entry.getKey()).lastCompleteDay(settings.now());
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
            LocalDate offered = Reports.of(entry.getKey()).firstDayOffered(LocalDate.ofInstant(settings.now(),
                    java.time.ZoneOffset.UTC));
            LocalDate from = settings.startDate().isBefore(offered) ? offered : settings.startDate();
            if (entry.getValue().isEmpty() || entry.getValue().last().isBefore(from)) {
                continue;
            }
            List<LocalDate> missing = DayRange.of(from, entry.getValue().last()).days()
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

    /** No two rows of a fact table share its key, in the window of days checked. */
    CheckResult duplicates(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        Optional<CheckResult> nothing = nothingInWindow("duplicates", covered);
        if (nothing.isPresent()) {
            return nothing.get();
        }
        List<String> evidence = new ArrayList<>();
        long groups = 0;
        for (ReportKind kind : ReportKind.values()) {
            Report report = Reports.of(kind);
            for (Table table : report.tables()) {
                String key = String.join(", ", table.key());
                List<String> identity = table.key().subList(1, table.key().size());
                // Rows the API gives a key of their own only in name (identities it cannot name) may share one.
                String repeatable = table.equals(report.tables().get(0))
                        ? report.repeatable().map(where -> " AND NOT (" + where + ")").orElse("") : "";
                // SELECT <key>, COUNT(*) AS copies FROM t WHERE organization_id = @… AND activity_date >= @… GROUP BY <key> HAVING COUNT(*) > 1
                List<String> found = warehouse.read("SELECT " + key + ", COUNT(*) AS copies FROM " + table.name()
                        + " WHERE organization_id = @organization_id AND activity_date >= @first_day" + repeatable
                        + " GROUP BY " + key + " HAVING COUNT(*) > 1", window(organization), row -> table.name() + " "
                        + identity.stream().map(row::get).toList() + " appears " + row.int64("copies") + " times");
                groups += found.size();
                found.stream().limit(Math.max(0, EVIDENCE - evidence.size())).forEach(evidence::add);
            }
        }
        if (groups == 0) {
            return CheckResult.ok("duplicates", "no key appears twice in the fact tables " + window(covered));
        }
        return new CheckResult("duplicates", Status.FAIL, groups + " keys appear more than once " + window(covered)
                + "; rows are counted twice", evidence);
    }

    // ---- units and sanity -------------------------------------------------------------------------------------

    CheckResult units(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        Optional<CheckResult> nothing = nothingInWindow("units", covered);
        if (nothing.isPresent()) {
            return nothing.get();
        }
        Status status = Status.OK;
        List<String> evidence = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        Map<String, Object> window = window(organization);
        String inWindow = " WHERE organization_id = @organization_id AND activity_date >= @first_day AND ";
        List<String> wrongUnits = warehouse.read("SELECT activity_date, description, amount_cents, amount_usd"
                + " FROM claude_costs" + inWindow + "amount_usd * 100 <> amount_cents ORDER BY activity_date", window,
                row -> "claude_costs " + row.date("activity_date") + " " + row.string("description") + ": "
                        + plain(row.decimal("amount_cents")) + " cents but $" + plain(row.decimal("amount_usd")));
        if (!wrongUnits.isEmpty()) {
            status = Status.FAIL;
            problems.add(wrongUnits.size() + " cost rows where amount_usd is not amount_cents / 100");
            wrongUnits.stream().limit(EVIDENCE).forEach(evidence::add);
        }
        long negative = count("SELECT COUNT(*) AS n FROM claude_costs" + inWindow + "amount_cents < 0", window);
        if (negative > 0) {
            status = worst(status, Status.WARN);
            problems.add(negative + " cost rows below zero (credits?)");
        }
        // A million dollars for one line of one day, or a trillion tokens in one row, is a unit error, not usage.
        long absurdCost = count("SELECT COUNT(*) AS n FROM claude_costs" + inWindow + "amount_cents > 100000000",
                window);
        long absurdTokens = count("SELECT COUNT(*) AS n FROM claude_usage" + inWindow + "(uncached_input_tokens"
                + " > 1000000000000 OR output_tokens > 1000000000000)", window);
        if (absurdCost > 0 || absurdTokens > 0) {
            status = Status.FAIL;
            problems.add((absurdCost > 0 ? absurdCost + " cost rows above $1,000,000 " : "")
                    + (absurdTokens > 0 ? absurdTokens + " usage rows with absurd token counts" : "").strip());
        }
        long negativeTokens = count("SELECT COUNT(*) AS n FROM claude_usage" + inWindow + "(uncached_input_tokens < 0"
                + " OR cache_creation_5m_input_tokens < 0 OR cache_creation_1h_input_tokens < 0"
                + " OR cache_read_input_tokens < 0 OR output_tokens < 0 OR web_search_requests < 0)", window);
        if (negativeTokens > 0) {
            status = worst(status, Status.WARN);
            problems.add(negativeTokens + " usage rows with a token count below zero (a correction at the source?)");
        }

        // Usage billed at standard or batch prices should have cost rows the same day, and the reverse.
        Set<LocalDate> both = new TreeSet<>(days(covered, ReportKind.USAGE));
        both.retainAll(days(covered, ReportKind.COST));
        Set<LocalDate> usageDays = new TreeSet<>(warehouse.read("SELECT DISTINCT activity_date FROM claude_usage"
                + inWindow + "(service_tier IS NULL OR service_tier NOT LIKE 'priority%')", window,
                row -> row.date("activity_date")));
        Set<LocalDate> costDays = new TreeSet<>(warehouse.read("SELECT DISTINCT activity_date FROM claude_costs"
                + inWindow + "cost_type = 'tokens'", window, row -> row.date("activity_date")));
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
                    + " usage and cost cover the same days " + window(covered));
        }
        return new CheckResult("units", status, String.join("; ", problems), evidence);
    }

    // ---- reconciliation ---------------------------------------------------------------------------------------

    private record Group(LocalDate day, String workspace, String model) {
    }

    /**
     * Usage priced with the price table against the billed token cost, per day, workspace and model, over the recent
     * days both reports cover. Priority Tier is never in the cost report: it is estimated apart. Where the attributed
     * cost holds the day (grouped by workspace and model), its list price is the reference instead: usage × the
     * price table must equal Anthropic's own list price, and a bill below it is a discount, not a difference (but a
     * bill above it is).
     */
    CheckResult reconciliation(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        TreeSet<LocalDate> both = new TreeSet<>(days(covered, ReportKind.USAGE));
        both.retainAll(days(covered, ReportKind.COST));
        if (both.isEmpty()) {
            return CheckResult.ok("reconciliation", "nothing to compare: usage and cost share no loaded day");
        }
        LocalDate last = both.last();
        LocalDate first = last.minusDays(settings.recentDays() - 1L);
        Map<String, Object> days = Map.of("organization_id", organization, "first_day", first, "last_day", last);
        PricedUsage usage = pricedUsage(days, both);
        Map<Group, PriceTable.Estimate> estimated = usage.estimated();
        Set<String> unpriced = usage.unpriced();
        Set<String> ranged = usage.ranged();
        BigDecimal priority = usage.priority();
        Map<Group, BigDecimal> billed = new HashMap<>();
        warehouse.forEach("SELECT activity_date, workspace_id, model, SUM(amount_usd) AS amount_usd FROM claude_costs"
                + BETWEEN + " AND cost_type = 'tokens' GROUP BY activity_date, workspace_id, model", days, row -> {
                    if (both.contains(row.date("activity_date")) && !unpriced.contains(String.valueOf(row.string("model")))) {
                        billed.merge(new Group(row.date("activity_date"), row.string("workspace_id"),
                                row.string("model")), row.decimal("amount_usd"), BigDecimal::add);
                    }
                });
        Map<Group, BigDecimal> listed = new HashMap<>();
        Set<LocalDate> listedDays = days(covered, ReportKind.ANALYTICS_COST);
        // The analytics API names the default workspace by its real id, the older reports by null.
        Set<String> defaultWorkspace = DefaultWorkspace.realIds(warehouse, organization);
        if (!listedDays.isEmpty()) {
            String grouped = " AND " + AnalyticsGrouping.sqlGroupedBy("grouped_by", "workspace_id") + " AND "
                    + AnalyticsGrouping.sqlGroupedBy("grouped_by", "model");
            warehouse.forEach("SELECT activity_date, workspace_id, model, SUM(list_amount_usd) AS list_usd FROM"
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
            BigDecimal allowed = settings.tolerance().multiply(reference.max(e.high()))
                    .max(settings.toleranceFloorUsd());
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
                } else if (b.subtract(l).compareTo(settings.tolerance().multiply(l).max(settings.toleranceFloorUsd()))
                        > 0) {
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
                + " (prices " + settings.prices().version() + ")";
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
                    + " groups differ by more than " + percent(settings.tolerance()) + ": " + byKind.entrySet()
                            .stream().map(k -> k.getValue() + " " + k.getKey().meaning)
                            .collect(Collectors.joining(", ")) + scope + priorityNote, evidence);
        }
        if (!unpriced.isEmpty()) {
            return new CheckResult("reconciliation", Status.WARN, "billed and estimated cost agree" + scope
                    + ", but usage of " + String.join(", ", unpriced) + " is unpriced: the price table has no price"
                    + " for it; give one with --prices" + priorityNote, List.of());
        }
        return CheckResult.ok("reconciliation", "token cost equals usage × price within "
                + percent(settings.tolerance()) + scope + priorityNote);
    }

    /** How far {@code amount} lies outside the range of {@code estimated}. */
    private static BigDecimal outside(PriceTable.Estimate estimated, BigDecimal amount) {
        return estimated.low().subtract(amount).max(amount.subtract(estimated.high())).max(BigDecimal.ZERO);
    }

    /**
     * Usage priced with the catalog, per day, workspace and model, on {@code days} only; Priority Tier, which the
     * cost reports never hold, summed apart.
     *
     * @param unpriced the models the catalog has no price for
     * @param ranged   the models priced as a range (their price depends on what daily usage does not give)
     */
    private record PricedUsage(Map<Group, PriceTable.Estimate> estimated, BigDecimal priority, Set<String> unpriced,
            Set<String> ranged) {
    }

    /**
     * {@link PricedUsage} of the usage report between {@code bounds}' {@code first_day} and {@code last_day} for its
     * {@code organization_id}:
     * <pre>
     * SELECT activity_date, workspace_id, model, service_tier, context_window, inference_geo, SUM(…tokens…)
     * FROM claude_usage WHERE … GROUP BY …
     * </pre>
     */
    private PricedUsage pricedUsage(Map<String, Object> bounds, Set<LocalDate> days) {
        Map<Group, PriceTable.Estimate> estimated = new HashMap<>();
        BigDecimal[] priority = {BigDecimal.ZERO};
        Set<String> unpriced = new TreeSet<>();
        Set<String> ranged = new TreeSet<>();
        warehouse.forEach("SELECT activity_date, workspace_id, model, service_tier, context_window, inference_geo,"
                + " SUM(uncached_input_tokens) AS uncached, SUM(cache_creation_5m_input_tokens) AS write_5m,"
                + " SUM(cache_creation_1h_input_tokens) AS write_1h, SUM(cache_read_input_tokens) AS cache_read,"
                + " SUM(output_tokens) AS output_tokens FROM claude_usage" + BETWEEN
                + " GROUP BY activity_date, workspace_id, model, service_tier, context_window, inference_geo", bounds,
                row -> {
                    LocalDate day = row.date("activity_date");
                    if (!days.contains(day)) {
                        return;
                    }
                    String model = row.string("model");
                    String tier = row.string("service_tier");
                    PriceTable.Tokens tokens = new PriceTable.Tokens(row.int64("uncached"), row.int64("write_5m"),
                            row.int64("write_1h"), row.int64("cache_read"), row.int64("output_tokens"));
                    var estimate = settings.prices().estimate(model, tier, row.string("context_window"),
                            row.string("inference_geo"), tokens);
                    if (estimate.isEmpty()) {
                        unpriced.add(String.valueOf(model));
                    } else if (tier != null && tier.startsWith("priority")) {
                        priority[0] = priority[0].add(estimate.get().low());
                    } else {
                        if (estimate.get().isRange()) {
                            ranged.add(model);
                        }
                        estimated.merge(new Group(day, row.string("workspace_id"), model), estimate.get(),
                                PriceTable.Estimate::plus);
                    }
                });
        return new PricedUsage(estimated, priority[0], unpriced, ranged);
    }

    // ---- the price catalog against the API's list prices ------------------------------------------------------

    /**
     * The price catalog against the prices Anthropic applied: per model, over the recent days both the usage report
     * and the analytics cost are loaded, usage × the catalog's prices (with batch, the long context window and US-only
     * inference as the usage report gives them) against the analytics cost's list amount for tokens. A model listed
     * at another price is named, with the ratio and the first day it was seen; the fix is {@code --prices}.
     * <pre>
     * SELECT activity_date, model, service_tier, context_window, inference_geo, SUM(…tokens…) FROM claude_usage …
     * SELECT activity_date, model, SUM(list_amount_usd) FROM claude_cost_attributed WHERE cost_type = 'tokens' …
     * </pre>
     */
    CheckResult prices(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        TreeSet<LocalDate> both = new TreeSet<>(days(covered, ReportKind.USAGE));
        both.retainAll(days(covered, ReportKind.ANALYTICS_COST));
        String version = " (prices " + settings.prices().version() + ")";
        if (both.isEmpty()) {
            return CheckResult.ok("prices", "nothing to compare: the usage report and analytics_cost share no loaded"
                    + " day" + version);
        }
        LocalDate last = both.last();
        LocalDate first = last.minusDays(settings.recentDays() - 1L);
        both.removeIf(day -> day.isBefore(first));
        Map<String, Object> days = Map.of("organization_id", organization, "first_day", first, "last_day", last);
        record DayModel(LocalDate day, String model) {
        }
        Map<DayModel, PriceTable.Estimate> estimated = new TreeMap<>(Comparator.comparing(DayModel::model)
                .thenComparing(DayModel::day));
        PricedUsage usage = pricedUsage(days, both);
        usage.estimated().forEach((group, estimate) -> estimated.merge(new DayModel(group.day(), group.model()),
                estimate, PriceTable.Estimate::plus));
        Set<String> unpriced = usage.unpriced();
        Map<DayModel, BigDecimal> listed = new HashMap<>();
        warehouse.forEach("SELECT activity_date, model, SUM(list_amount_usd) AS list_usd FROM claude_cost_attributed"
                + BETWEEN + " AND cost_type = 'tokens' AND " + AnalyticsGrouping.sqlGroupedBy("grouped_by", "model")
                + " GROUP BY activity_date, model", days, row -> listed.put(new DayModel(row.date("activity_date"),
                        row.string("model")), row.decimal("list_usd")));
        // Per model, its list and estimate over the days, and the first day they part.
        Map<String, BigDecimal[]> totals = new TreeMap<>();
        Map<String, LocalDate> since = new HashMap<>();
        estimated.forEach((group, estimate) -> {
            BigDecimal list = listed.get(group);
            if (list == null) {
                return;
            }
            BigDecimal[] sums = totals.computeIfAbsent(group.model(), m -> new BigDecimal[] {BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO});
            sums[0] = sums[0].add(list);
            sums[1] = sums[1].add(estimate.low());
            sums[2] = sums[2].add(estimate.high());
            if (outsidePrice(list, estimate.low(), estimate.high())) {
                since.putIfAbsent(group.model(), group.day());
            }
        });
        List<String> evidence = new ArrayList<>();
        totals.forEach((model, sums) -> {
            if (outsidePrice(sums[0], sums[1], sums[2])) {
                BigDecimal ours = sums[0].compareTo(sums[2]) > 0 ? sums[2] : sums[1];
                evidence.add(model + ": the API lists " + sums[0].divide(ours, 3, java.math.RoundingMode.HALF_UP)
                        .stripTrailingZeros().toPlainString() + "× our price since " + since.getOrDefault(model, first)
                        + " ($" + money(sums[0]) + " at list, $" + money(ours) + " at the catalog's prices)");
            }
        });
        String scope = " for " + both.size() + " days to " + last + version;
        if (!evidence.isEmpty()) {
            return new CheckResult("prices", Status.FAIL, evidence.size() + " model" + (evidence.size() == 1 ? " is"
                    : "s are") + " listed by the API at another price than the catalog's" + scope + ": give the"
                    + " right prices with --prices FILE (claude-ingest prices shows the catalog)", evidence);
        }
        if (!unpriced.isEmpty()) {
            return new CheckResult("prices", Status.WARN, "the catalog's prices are the API's" + scope + ", but "
                    + String.join(", ", unpriced) + " " + (unpriced.size() == 1 ? "is" : "are") + " unpriced: give"
                    + " a price with --prices FILE", List.of());
        }
        return CheckResult.ok("prices", "the catalog's prices are the API's list prices for " + totals.size()
                + " model" + (totals.size() == 1 ? "" : "s") + scope);
    }

    /** Whether {@code list} lies outside {@code low}..{@code high} by more than the tolerance. */
    private boolean outsidePrice(BigDecimal list, BigDecimal low, BigDecimal high) {
        BigDecimal below = low.subtract(list);
        BigDecimal above = list.subtract(high);
        return below.compareTo(settings.tolerance().multiply(low).max(settings.toleranceFloorUsd())) > 0
                || above.compareTo(settings.tolerance().multiply(high).max(settings.toleranceFloorUsd())) > 0;
    }

    // ---- agreement of the two APIs -----------------------------------------------------------------------------

    /** Decimal places the rounding of a served amount is looked for in; a stored amount has at most this many. */
    private static final int MOST_PLACES = 12;

    /**
     * The older reports and the Usage and Cost Analytics API count the same usage and bill the same cost: per day both
     * cover, the usage report's tokens against the attributed usage's, and the cost report's cents against the
     * attributed cost's. Each API rounds each amount it serves to some decimal places of a cent (not documented, so
     * read from what was served: the most places any amount of the day has), so two sums of the same cost may differ
     * by up to half a unit of the last place per row summed on each side: that is the bound. A difference beyond it
     * fails where both were fetched final, and warns where either is provisional: Anthropic may still be revising it.
     */
    CheckResult agreement(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        Optional<CheckResult> nothing = nothingInWindow("agreement", covered);
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
            both.removeIf(day -> day.isBefore(settings.windowStart()));
            if (both.isEmpty()) {
                continue;
            }
            compared += both.size();
            boolean rounded = pair[0].equals("cost");
            Map<LocalDate, DaySum> first = dailySum(pair[1], pair[3], rounded, organization, both);
            Map<LocalDate, DaySum> second = dailySum(pair[2], pair[3], rounded, organization, both);
            Set<LocalDate> provisionalDays = new HashSet<>();
            coverage().stream().filter(s -> s.organizationId().equals(organization)
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
                    + " analytics_cost) and the older ones share no loaded day " + window(covered));
        }
        if (status == Status.OK) {
            return CheckResult.ok("agreement", "the usage and cost reports and the Usage and Cost Analytics API agree"
                    + " on " + compared + " report-days " + window(covered) + ", within the rounding of"
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
    private Map<LocalDate, DaySum> dailySum(String table, String measure, boolean rounded, String organization,
            TreeSet<LocalDate> days) {
        StringBuilder places = new StringBuilder("CASE");
        for (int place = 0; place < MOST_PLACES; place++) {
            places.append(" WHEN ").append(measure).append(" = ROUND(").append(measure).append(", ").append(place)
                    .append(") THEN ").append(place);
        }
        places.append(" ELSE ").append(MOST_PLACES).append(" END");
        Map<LocalDate, DaySum> sums = new HashMap<>();
        warehouse.forEach("SELECT activity_date, SUM(" + measure + ") AS total, COUNT(*) AS row_count"
                + (rounded ? ", MAX(" + places + ") AS places" : "") + " FROM " + table + BETWEEN
                + " GROUP BY activity_date", Map.of("organization_id", organization, "first_day", days.first(),
                        "last_day", days.last()), row -> sums.put(row.date("activity_date"), new DaySum(
                                row.decimal("total"), rounded ? new BigDecimal("0.5").movePointLeft(
                                        (int) row.int64("places")).multiply(BigDecimal.valueOf(
                                                row.int64("row_count"))) : BigDecimal.ZERO)));
        return sums;
    }

    // ---- budget -----------------------------------------------------------------------------------------------

    /** Month-to-date spend against the monthly budget, and where a straight line from here ends the month. */
    CheckResult budget(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        if (settings.monthlyBudgetUsd().isEmpty()) {
            return CheckResult.ok("budget", "no monthly budget set (--monthly-budget or CHECK_MONTHLY_BUDGET_USD)");
        }
        BigDecimal budget = settings.monthlyBudgetUsd().get();
        TreeSet<LocalDate> costDays = new TreeSet<>(days(covered, ReportKind.COST));
        costDays.addAll(days(covered, ReportKind.ANALYTICS_COST));
        LocalDate monthStart = Reports.of(ReportKind.COST).lastCompleteDay(settings.now()).withDayOfMonth(1);
        if (costDays.isEmpty() || costDays.last().isBefore(monthStart)) {
            return new CheckResult("budget", Status.WARN, "no cost data for " + monthStart.format(
                    java.time.format.DateTimeFormatter.ofPattern("MMMM yyyy", java.util.Locale.ENGLISH)) + " yet"
                    + (costDays.isEmpty() ? "" : " (data through " + costDays.last() + ")")
                    + "; month-to-date spend is unknown, not zero", List.of());
        }
        LocalDate through = costDays.last();
        BigDecimal spent = new Spend(warehouse, organization).total(DayRange.of(monthStart, through));
        BigDecimal forecast = Spend.forecast(spent, through);
        String month = monthStart.format(java.time.format.DateTimeFormatter.ofPattern("MMMM yyyy", java.util.Locale.ENGLISH));
        String message = "$" + money(spent) + " spent in " + month + " through " + through + " of a $"
                + money(budget) + " budget; straight-line forecast $" + money(forecast) + " by month end";
        Status status = spent.compareTo(budget) > 0 ? Status.FAIL
                : forecast.compareTo(budget) > 0 ? Status.WARN : Status.OK;
        return new CheckResult("budget", status, message, List.of());
    }

    // ---- anomaly ----------------------------------------------------------------------------------------------

    /** The latest day's cost of each workspace against its trailing 28-day median and median absolute deviation. */
    CheckResult anomaly(String organization, Map<ReportKind, TreeSet<LocalDate>> covered) {
        TreeSet<LocalDate> costDays = days(covered, ReportKind.COST);
        if (costDays.size() < 8) {
            return CheckResult.ok("anomaly", "not enough cost history yet (" + costDays.size() + " days; 8 needed)");
        }
        LocalDate latest = costDays.last();
        List<LocalDate> history = costDays.headSet(latest, false).descendingSet().stream().limit(28).toList();
        Map<String, Map<LocalDate, BigDecimal>> byWorkspace = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        warehouse.forEach("SELECT workspace_id, activity_date, SUM(amount_usd) AS amount_usd FROM claude_costs"
                + BETWEEN + " GROUP BY workspace_id, activity_date", Map.of("organization_id", organization,
                "first_day", history.get(history.size() - 1), "last_day", latest),
                row -> byWorkspace.computeIfAbsent(row.string("workspace_id"), w -> new TreeMap<>())
                        .put(row.date("activity_date"), row.decimal("amount_usd")));
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

    /** The days {@code report} covers; none when the organization is not expected to hold it. */
    private static TreeSet<LocalDate> days(Map<ReportKind, TreeSet<LocalDate>> covered, ReportKind report) {
        return covered.getOrDefault(report, new TreeSet<>());
    }

    private List<Warehouse.CoverageSummary> coverage() {
        if (coverage == null) {
            coverage = warehouse.coverage();
        }
        return coverage;
    }

    /** The organization and the first day of the window the duplicates and units checks read. */
    /** The first and last day any report of the organization has loaded, or empty. */
    private static Optional<DayRange> loaded(Map<ReportKind, TreeSet<LocalDate>> covered) {
        TreeSet<LocalDate> all = new TreeSet<>();
        covered.values().forEach(all::addAll);
        return all.isEmpty() ? Optional.empty() : Optional.of(DayRange.of(all.first(), all.last()));
    }

    /** The days a windowed check reads, as its message states them: "over D..D (the last 90 days; …)". */
    private String window(Map<ReportKind, TreeSet<LocalDate>> covered) {
        Optional<DayRange> days = loaded(covered);
        if (settings.windowDays().isEmpty()) {
            return "over every day loaded" + days.map(range -> ", " + range).orElse("");
        }
        return days.map(range -> "over " + DayRange.of(range.first().isBefore(settings.windowStart())
                ? settings.windowStart() : range.first(), range.last()) + " ").orElse("")
                + "(the last " + settings.windowDays().get() + " days; --all for every day)";
    }

    /**
     * A warning instead of a windowed check that would read nothing: every loaded day is older than its window. It
     * says so, and what {@code --all} would read, instead of "ok" over no row.
     */
    private Optional<CheckResult> nothingInWindow(String check, Map<ReportKind, TreeSet<LocalDate>> covered) {
        return loaded(covered).filter(range -> range.last().isBefore(settings.windowStart())).map(range ->
                new CheckResult(check, Status.WARN, "the last " + settings.windowDays().orElseThrow() + " days hold"
                        + " no loaded day, so nothing was checked; --all checks " + range, List.of()));
    }

    private Map<String, Object> window(String organization) {
        return Map.of("organization_id", organization, "first_day", settings.windowStart());
    }

    /** The count {@code sql} returns in its column {@code n}. */
    private long count(String sql, Map<String, Object> parameters) {
        return warehouse.read(sql, parameters, row -> row.int64("n")).get(0);
    }

    private static Status worst(Status a, Status b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
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
