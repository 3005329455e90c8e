package dev.claudedataingestion.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.claudedataingestion.analysis.notify.Notifier;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.ingest.StatusReport;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.Revisions;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Per report: first and last day loaded, days missing since INGEST_START_DATE, and the last run.")
final class StatusCommand implements Callable<Integer> {

    private final Context context;

    @Mixin
    OrganizationOption organization;

    @Mixin
    WarehouseOption warehouse;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "recent runs to list (default: 5)")
    int runs;

    enum Format { text, json }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text or json"
            + " (default: text)")
    Format format;

    @Option(names = "--fail-on-gaps", description = "exit 1 when a report misses days since INGEST_START_DATE")
    boolean failOnGaps;

    StatusCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (runs < 0) {
            throw new ConfigException("--runs " + runs + " is negative; give how many recent runs to list, 0 or more");
        }
        LocalDate startDate = context.settings().startDate();
        WarehouseLocation config = context.warehouse(warehouse.url);
        StatusReport status;
        // Per organization, when notify sent each message the webhook took without answering.
        Map<String, List<Instant>> unknownDeliveries = new TreeMap<>();
        try (Warehouse opened = config.open(true)) {
            Optional<String> only = Optional.ofNullable(organization.id);
            if (only.isPresent()) {
                // One not in the warehouse is named with those that are.
                organization.select(opened.coverage(), Warehouse.CoverageSummary::organizationId);
            }
            status = StatusReport.read(opened, only, startDate, context.clock().instant(), runs);
            Notifier notifier = new Notifier(opened, context.clock().instant());
            status.reports().stream().map(StatusReport.ReportStatus::organizationId)
                    .filter(id -> id != null && !id.isEmpty()).distinct().forEach(id -> {
                        List<Instant> sent = notifier.unknownDeliveries(id);
                        if (!sent.isEmpty()) {
                            unknownDeliveries.put(id, sent);
                        }
                    });
        }
        if (format == Format.json) {
            printJson(status, unknownDeliveries, config, startDate, context.out());
        } else {
            print(status, unknownDeliveries, config, startDate, context.out());
        }
        context.out().flush();
        boolean gaps = status.reports().stream().anyMatch(report -> report.missingDays() > 0);
        return failOnGaps && gaps ? Main.CHECK_FAILED : Main.OK;
    }

    /** The same as the text, for scripts: {@code {"warehouse":…,"reports":[…],"runs":[…]}}. */
    private static void printJson(StatusReport status, Map<String, List<Instant>> unknownDeliveries,
            WarehouseLocation config, LocalDate startDate, PrintStream out) {
        try (JsonGenerator json = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeStringField("warehouse", config.displayUrl());
            json.writeStringField("required_from", startDate.toString());
            json.writeArrayFieldStart("reports");
            for (StatusReport.ReportStatus report : status.reports()) {
                json.writeStartObject();
                json.writeStringField("organization_id", report.organizationId());
                json.writeStringField("report", report.report().id());
                json.writeStringField("first_day", report.firstDay().map(LocalDate::toString).orElse(null));
                json.writeStringField("last_day", report.lastDay().map(LocalDate::toString).orElse(null));
                json.writeNumberField("days_covered", report.daysCovered());
                json.writeNumberField("rows", report.rows());
                json.writeNumberField("days_missing", report.missingDays());
                writeRanges(json, "missing", report.missing());
                json.writeNumberField("days_provisional", report.provisionalDays());
                writeRanges(json, "provisional", report.provisional());
                if (report.notOffered().isPresent()) {
                    writeRanges(json, "not_offered", List.of(report.notOffered().get()));
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("runs");
            for (RunRecord run : status.recentRuns()) {
                json.writeStartObject();
                json.writeStringField("run_id", run.runId());
                json.writeStringField("started_at", run.startedAt().toString());
                json.writeStringField("finished_at", run.finishedAt() == null ? null : run.finishedAt().toString());
                json.writeStringField("status", run.status().id());
                json.writeNumberField("days_written", run.daysWritten());
                json.writeNumberField("rows_written", run.rowsWritten());
                json.writeStringField("error", run.error());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("telemetry");
            for (StatusReport.TelemetryStatus telemetry : status.telemetry()) {
                json.writeStartObject();
                json.writeStringField("organization_id", telemetry.organizationId());
                json.writeNumberField("events", telemetry.events());
                json.writeNumberField("data_points", telemetry.points());
                json.writeStringField("last_received", telemetry.lastReceived().map(Instant::toString).orElse(null));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("notifications_of_unknown_delivery");
            for (Map.Entry<String, List<Instant>> organization : unknownDeliveries.entrySet()) {
                for (Instant sent : organization.getValue()) {
                    json.writeStartObject();
                    json.writeStringField("organization_id", organization.getKey());
                    json.writeStringField("sent_at", sent.toString());
                    json.writeEndObject();
                }
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.println();
    }

    private static void writeRanges(JsonGenerator json, String name, List<DayRange> ranges) throws java.io.IOException {
        json.writeArrayFieldStart(name);
        for (DayRange range : ranges) {
            json.writeStartObject();
            json.writeStringField("first", range.first().toString());
            json.writeStringField("last", range.last().toString());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static void print(StatusReport status, Map<String, List<Instant>> unknownDeliveries,
            WarehouseLocation config, LocalDate startDate, PrintStream out) {
        out.println("Warehouse " + config.displayUrl() + ", required from " + startDate);
        String organization = null;
        for (StatusReport.ReportStatus report : status.reports()) {
            if (report.organizationId() != null && !report.organizationId().equals(organization)) {
                organization = report.organizationId();
                out.println();
                out.println("Organization " + organization);
            }
            if (report.organizationId() == null && organization == null) {
                organization = "";
                out.println();
                out.println("Nothing loaded yet.");
            }
            out.printf("  %-15s %s%n", report.report(), describe(report));
        }
        if (status.reports().stream().anyMatch(report -> report.provisionalDays() > 0)) {
            out.println();
            out.println("Provisional days were fetched less than " + Revisions.DAYS + " days after they ended: Anthropic"
                    + " may still revise them, and ingest reads them again until they are final.");
        }
        if (!status.telemetry().isEmpty()) {
            out.println();
            out.println("Claude Code's telemetry, as serve received it:");
            for (StatusReport.TelemetryStatus telemetry : status.telemetry()) {
                out.printf("  %s: %,d events, %,d data points%s%n", telemetry.organizationId() == null
                        ? "no organization named" : telemetry.organizationId(), telemetry.events(), telemetry.points(),
                        telemetry.lastReceived().map(at -> ", the last received " + seconds(at)).orElse(""));
            }
        }
        out.println();
        out.println(status.recentRuns().isEmpty() ? "No runs recorded." : "Recent runs:");
        for (RunRecord run : status.recentRuns()) {
            out.printf("  %s  %-9s %-22s %,6d days %,10d rows%s%s%n", seconds(run.startedAt()), run.status().id(),
                    run.reports(), run.daysWritten(), run.rowsWritten(),
                    run.finishedAt() == null ? "" : String.format("  %.1f s",
                            Duration.between(run.startedAt(), run.finishedAt()).toMillis() / 1000.0),
                    run.error() == null ? "" : "  error: " + run.error());
        }
        printUnknownDeliveries(unknownDeliveries, out);
    }

    /** The messages notify sent that the webhook took without answering. */
    private static void printUnknownDeliveries(Map<String, List<Instant>> unknownDeliveries, PrintStream out) {
        unknownDeliveries.forEach((organization, sent) -> {
            out.println();
            out.printf("Organization %s: %d notify message%s may not have arrived (the webhook took %s without"
                    + " answering): %s. See that %s did, or run 'claude-ingest notify --resend-unknown'%n",
                    organization, sent.size(), sent.size() == 1 ? "" : "s", sent.size() == 1 ? "it" : "them",
                    sent.stream().map(StatusCommand::seconds).map(Instant::toString).collect(Collectors.joining(", ")),
                    sent.size() == 1 ? "it" : "they");
        });
    }

    private static java.time.Instant seconds(java.time.Instant instant) {
        return instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** The first five ranges, then "…". */
    private static String ranges(List<DayRange> ranges) {
        return ranges.stream().limit(5).map(DayRange::toString).collect(Collectors.joining(", "))
                + (ranges.size() > 5 ? ", …" : "");
    }

    private static String describe(StatusReport.ReportStatus report) {
        StringBuilder text = new StringBuilder();
        if (report.daysCovered() == 0) {
            text.append("no days loaded");
        } else {
            text.append(report.firstDay().orElseThrow()).append(" to ").append(report.lastDay().orElseThrow())
                    .append(String.format(", %,d days, %,d rows", report.daysCovered(), report.rows()));
        }
        List<DayRange> missing = report.missing();
        if (missing.isEmpty()) {
            text.append("; no days missing");
        } else {
            text.append(String.format("; %,d days missing: %s", report.missingDays(), ranges(missing)));
        }
        if (!report.provisional().isEmpty()) {
            text.append(String.format("; %,d days provisional: %s", report.provisionalDays(),
                    ranges(report.provisional())));
        }
        report.notOffered().ifPresent(days -> text.append("; ").append(days).append(" not offered by this API"));
        report.lastRun().ifPresent(run -> text.append("; last run ").append(seconds(run.startedAt())).append(' ')
                .append(run.status().id()));
        return text.toString();
    }
}
