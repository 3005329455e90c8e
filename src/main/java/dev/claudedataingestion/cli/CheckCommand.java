package dev.claudedataingestion.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.claudedataingestion.analysis.checks.CheckResult;
import dev.claudedataingestion.analysis.checks.CheckSettings;
import dev.claudedataingestion.analysis.checks.DataChecks;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Checks the warehouse's data: freshness, gaps, duplicates, units, reconciliation of billed cost"
                + " with usage × price, the monthly budget, and unusual days. One line per check; exit 1 when one"
                + " fails (or warns, with --fail-on warn)."})
final class CheckCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(CheckCommand.class);

    enum Format { text, json }

    enum Threshold { fail, warn }

    static final String BUDGET_VARIABLE = "CHECK_MONTHLY_BUDGET_USD";

    private final Context context;

    @Mixin
    OrganizationOption organization;

    @Mixin
    WarehouseOption warehouse;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text or json")
    Format format;

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "fail",
            description = "fail (default) or warn: the worst result that makes the exit code 1")
    Threshold failOn;

    @Option(names = "--monthly-budget", paramLabel = "USD",
            description = "the monthly budget in dollars (default: $" + BUDGET_VARIABLE + ", else none)")
    BigDecimal monthlyBudget;

    @Option(names = "--prices", paramLabel = "FILE", description = "a price catalog in the form of the built-in one"
            + " (" + PriceTable.BUILT_IN + "), for models it lacks or prices that changed")
    Path prices;

    @Option(names = "--stale-warn-days", paramLabel = "N", defaultValue = "2",
            description = "days a report may lag before a warning (default: 2)")
    int staleWarnDays;

    @Option(names = "--stale-fail-days", paramLabel = "N", defaultValue = "3",
            description = "days a report may lag before a failure (default: 3)")
    int staleFailDays;

    @Option(names = "--tolerance", paramLabel = "FRACTION", defaultValue = "0.02",
            description = "accepted relative difference between billed and estimated cost (default: 0.02)")
    BigDecimal tolerance;

    @Option(names = "--recent-days", paramLabel = "N", defaultValue = "35",
            description = "days that reconciliation looks back over (default: 35)")
    int recentDays;

    @Option(names = "--all", description = "check every day loaded for duplicates and unit errors, not only the last "
            + CheckSettings.DEFAULT_WINDOW_DAYS + " (on BigQuery this reads whole tables)")
    boolean allDays;

    CheckCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        CheckSettings defaults = CheckSettings.defaults(context.settings().startDate(), context.clock().instant());
        if (staleWarnDays < 1 || staleFailDays < staleWarnDays || recentDays < 1 || tolerance.signum() < 0) {
            throw new ConfigException("--stale-warn-days must be at least 1 and at most --stale-fail-days,"
                    + " --recent-days at least 1, --tolerance not negative");
        }
        CheckSettings settings = new CheckSettings(defaults.startDate(), defaults.now(), staleWarnDays, staleFailDays,
                recentDays, tolerance, defaults.toleranceFloorUsd(), budget(),
                prices == null ? defaults.prices() : PriceTable.fromFile(prices), defaults.anomalySpreads(),
                defaults.anomalyFloorUsd(), defaults.windowDays());
        if (allDays) {
            settings = settings.withWindowDays(Optional.empty());
        }
        WarehouseLocation config = context.warehouse(warehouse.url);
        List<DataChecks.OrganizationChecks> results;
        try (Warehouse opened = config.open(true)) {
            DataChecks checks = new DataChecks(opened, settings);
            results = checks.run(organization.select(checks.organizations(), id -> id));
        }
        if (format == Format.json) {
            printJson(results, context.out());
        } else {
            printText(results, context.out());
        }
        CheckResult.Status worst = results.stream().map(DataChecks.OrganizationChecks::worst)
                .max(java.util.Comparator.naturalOrder()).orElse(CheckResult.Status.OK);
        boolean failed = worst == CheckResult.Status.FAIL || (failOn == Threshold.warn && worst == CheckResult.Status.WARN);
        return failed ? Main.CHECK_FAILED : Main.OK;
    }

    private Optional<BigDecimal> budget() {
        return monthlyBudget != null ? Optional.of(monthlyBudget) : budgetVariable(context);
    }

    static Optional<BigDecimal> budgetVariable(Context context) {
        String variable = context.environment().get(BUDGET_VARIABLE);
        if (variable == null || variable.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BigDecimal(variable.strip()));
        } catch (NumberFormatException e) {
            throw new ConfigException(BUDGET_VARIABLE + " '" + variable + "' is not an amount of dollars");
        }
    }

    /**
     * {@code ingest --check}: the checks with their defaults (and {@value #BUDGET_VARIABLE}), each logged as one
     * line with {@code check}, {@code check_status} and {@code organization_id} as fields, at INFO, WARN or ERROR:
     * on Cloud Run the alerts count these lines.
     */
    static void logChecks(Context context, Warehouse opened, PriceTable catalog) {
        CheckSettings settings = CheckSettings.defaults(context.settings().startDate(), context.clock().instant())
                .withBudget(budgetVariable(context)).withPrices(catalog);
        List<DataChecks.OrganizationChecks> results = new DataChecks(opened, settings).run();
        for (DataChecks.OrganizationChecks organization : results) {
            for (CheckResult result : organization.results()) {
                Map<String, String> fields = new java.util.LinkedHashMap<>();
                fields.put("check", result.check());
                fields.put("check_status", result.status().id());
                if (organization.organizationId() != null) {
                    fields.put("organization_id", organization.organizationId());
                }
                fields.forEach(MDC::put);
                try {
                    log.atLevel(switch (result.status()) {
                        case OK -> Level.INFO;
                        case WARN -> Level.WARN;
                        case FAIL -> Level.ERROR;
                    }).log("Check {} {}: {}{}", result.check(), result.status().id(), result.message(),
                            result.evidence().isEmpty() ? "" : " (" + String.join("; ", result.evidence()) + ")");
                } finally {
                    fields.keySet().forEach(MDC::remove);
                }
            }
        }
    }

    /**
     * After a run without {@code --check}: one WARN line when the price catalog disagrees with the API's list prices
     * or lacks a model the run's organization uses, so that a stale catalog is said once per run.
     */
    static void warnOfPrices(Context context, Warehouse opened, String organizationId, PriceTable catalog) {
        CheckSettings settings = CheckSettings.defaults(context.settings().startDate(), context.clock().instant())
                .withPrices(catalog);
        CheckResult prices = new DataChecks(opened, settings).prices(organizationId);
        if (prices.status() != CheckResult.Status.OK) {
            log.warn("Prices: {}{}", prices.message(), prices.evidence().isEmpty() ? ""
                    : " (" + String.join("; ", prices.evidence()) + ")");
        }
    }

    private static void printText(List<DataChecks.OrganizationChecks> results, PrintStream out) {
        for (DataChecks.OrganizationChecks organization : results) {
            if (results.size() > 1 || organization.organizationId() == null) {
                out.println("Organization " + (organization.organizationId() == null ? "(none loaded)"
                        : organization.organizationId()));
            }
            for (CheckResult result : organization.results()) {
                out.printf("%-5s %-15s %s%n", result.status().id(), result.check(), result.message());
                for (String evidence : result.evidence()) {
                    out.println("                      " + evidence);
                }
            }
        }
    }

    private static void printJson(List<DataChecks.OrganizationChecks> results, PrintStream out) {
        try {
            JsonGenerator json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartArray();
            for (DataChecks.OrganizationChecks organization : results) {
                json.writeStartObject();
                json.writeStringField("organization_id", organization.organizationId());
                json.writeStringField("status", organization.worst().id());
                json.writeArrayFieldStart("checks");
                for (CheckResult result : organization.results()) {
                    json.writeStartObject();
                    json.writeStringField("check", result.check());
                    json.writeStringField("status", result.status().id());
                    json.writeStringField("message", result.message());
                    json.writeArrayFieldStart("evidence");
                    for (String evidence : result.evidence()) {
                        json.writeString(evidence);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeRaw('\n');
            json.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
