package dev.claudedataingestion.analysis.checks;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Warehouse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The data checks of {@code claude-ingest check}, the same on every warehouse: each reads with plain SQL that
 * DuckDB, PostgreSQL and BigQuery all run (table names as in the contract, the organization and the days as bound
 * parameters, so that BigQuery scans only the days a check reports on) and decides in Java. Each result says what it
 * found and shows the evidence.
 */
public final class DataChecks {

    /** The checks, in the order they are reported. */
    private static final List<Check> CHECKS = List.of(new Freshness(), new Gaps(), new Duplicates(), new Units(),
            new Reconciliation(), new Prices(), new Agreement(), new Budget(), new Anomaly(), new Telemetry());

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
            CheckContext context = context(organization);
            all.add(new OrganizationChecks(organization, CHECKS.stream().map(check -> check.run(context)).toList()));
        }
        return all;
    }

    /** The prices check alone, which {@code ingest} runs to warn of a stale catalog once per run. */
    public CheckResult prices(String organization) {
        return new Prices().run(context(organization));
    }

    private CheckContext context(String organization) {
        return new CheckContext(warehouse, settings, organization, covered(organization), this::coverage);
    }

    private List<Warehouse.CoverageSummary> coverage() {
        if (coverage == null) {
            coverage = warehouse.coverage();
        }
        return coverage;
    }

    /** The reports {@code organization} is expected to hold, each with the days it has loaded. */
    private Map<ReportKind, TreeSet<LocalDate>> covered(String organization) {
        Map<ReportKind, TreeSet<LocalDate>> covered = new TreeMap<>();
        coverage().stream().filter(s -> s.organizationId().equals(organization))
                .forEach(s -> covered.computeIfAbsent(s.report(), r -> new TreeSet<>()).addAll(s.days()));
        Reports.expected(covered.keySet()).forEach(report -> covered.putIfAbsent(report, new TreeSet<>()));
        return covered;
    }
}
