package dev.claudedataingestion.analysis.checks;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.Warehouse;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What a check of one organization reads: the warehouse, the settings, the organization, and the days each report it
 * is expected to hold has loaded; and the wording the checks share.
 */
final class CheckContext {

    /** The most findings a result shows as evidence. */
    static final int EVIDENCE = 5;
    /** An organization's days {@code first_day} to {@code last_day}, bound as parameters. */
    static final String BETWEEN = " WHERE organization_id = @organization_id AND activity_date BETWEEN"
            + " @first_day AND @last_day";
    static final MathContext PRECISION = MathContext.DECIMAL64;

    private final Warehouse warehouse;
    private final CheckSettings settings;
    private final String organization;
    private final Map<ReportKind, TreeSet<LocalDate>> covered;
    private final Supplier<List<Warehouse.CoverageSummary>> coverage;

    CheckContext(Warehouse warehouse, CheckSettings settings, String organization,
            Map<ReportKind, TreeSet<LocalDate>> covered, Supplier<List<Warehouse.CoverageSummary>> coverage) {
        this.warehouse = warehouse;
        this.settings = settings;
        this.organization = organization;
        this.covered = covered;
        this.coverage = coverage;
    }

    Warehouse warehouse() {
        return warehouse;
    }

    CheckSettings settings() {
        return settings;
    }

    String organization() {
        return organization;
    }

    /** The reports the organization is expected to hold, each with the days it has loaded. */
    Map<ReportKind, TreeSet<LocalDate>> covered() {
        return covered;
    }

    /** The warehouse's coverage ledger, read once for every check and organization. */
    List<Warehouse.CoverageSummary> coverage() {
        return coverage.get();
    }

    /** The days {@code report} covers; none when the organization is not expected to hold it. */
    TreeSet<LocalDate> days(ReportKind report) {
        return covered.getOrDefault(report, new TreeSet<>());
    }

    /** The first and last day any report of the organization has loaded, or empty. */
    private Optional<DayRange> loaded() {
        TreeSet<LocalDate> all = new TreeSet<>();
        covered.values().forEach(all::addAll);
        return all.isEmpty() ? Optional.empty() : Optional.of(DayRange.of(all.first(), all.last()));
    }

    /** The days a windowed check reads, as its message states them: "over D..D (the last 90 days; …)". */
    String windowText() {
        Optional<DayRange> days = loaded();
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
    Optional<CheckResult> nothingInWindow(String check) {
        return loaded().filter(range -> range.last().isBefore(settings.windowStart())).map(range ->
                new CheckResult(check, Status.WARN, "the last " + settings.windowDays().orElseThrow() + " days hold"
                        + " no loaded day, so nothing was checked; --all checks " + range, List.of()));
    }

    /** The organization and the first day of the window the duplicates and units checks read. */
    Map<String, Object> windowParameters() {
        return Map.of("organization_id", organization, "first_day", settings.windowStart());
    }

    /** The count {@code sql} returns in its column {@code n}. */
    long count(String sql, Map<String, Object> parameters) {
        return warehouse.read(sql, parameters, row -> row.int64("n")).get(0);
    }

    static Status worst(Status a, Status b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    static String money(BigDecimal value) {
        return String.format("%,.2f", value.round(PRECISION));
    }

    static String percent(BigDecimal fraction) {
        return fraction.movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    static String workspace(String id) {
        return Objects.requireNonNullElse(id, "default workspace");
    }

    static String ranges(List<LocalDate> days) {
        List<DayRange> ranges = DayRange.contiguousRuns(days);
        return ranges.stream().limit(EVIDENCE).map(DayRange::toString).collect(Collectors.joining(", "))
                + (ranges.size() > EVIDENCE ? ", …" : "");
    }
}
