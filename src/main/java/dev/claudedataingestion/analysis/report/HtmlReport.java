package dev.claudedataingestion.analysis.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.PriceTable;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Revisions;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.warehouse.Warehouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code claude-ingest report}: one self-contained HTML file (inline styles, script and data; nothing fetched when
 * it is opened) with the spend of the period against the one before, the month to date beside the month before and
 * against its forecast and budget, cache savings, daily cost by workspace or model, cost by token type, per person
 * (apart from keys and workloads) and per product, month by month, workspaces and API keys by billed cost with their
 * tokens, tokens and cache hit rate, top models, Claude Code adoption; a period selector, workspace and model
 * filters, a
 * CSV download of each table, and a banner that says how fresh the data is and never shows a stalled source as
 * zero. It reads only the analysis views, so it looks the same from every warehouse.
 */
public final class HtmlReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Days shown when no range is given. */
    public static final int DEFAULT_DAYS = 90;
    /** The reports the page draws by day: cost, tokens, Claude Code. */
    private static final List<ReportKind> CHARTED = List.of(ReportKind.COST, ReportKind.USAGE, ReportKind.CLAUDE_CODE);

    private final Warehouse warehouse;
    private final Instant now;
    private final PriceTable prices;

    /** A report of {@code warehouse} as of {@code now}; cache savings at {@code prices}. */
    public HtmlReport(Warehouse warehouse, Instant now, PriceTable prices) {
        this.warehouse = warehouse;
        this.now = now;
        this.prices = prices;
    }

    /** What was written: the organization, the days, and the page. */
    public record Rendered(String organizationId, DayRange days, BigDecimal totalCostUsd, String html) {
    }

    /**
     * Renders the report of {@code organizationId}, or of the warehouse's only organization, over {@code days} or
     * the last {@value #DEFAULT_DAYS} days of data. A warehouse of several organizations needs the choice made.
     */
    public Rendered render(Optional<String> organizationId, Optional<DayRange> days, Optional<BigDecimal> budget,
            String warehouseName, String version) {
        List<Warehouse.CoverageSummary> coverage = warehouse.coverage();
        if (coverage.isEmpty()) {
            throw new IllegalStateException("the warehouse holds no data yet; run 'claude-ingest ingest' first");
        }
        String organization = Warehouse.CoverageSummary.organization(coverage, organizationId);
        // The days each report loaded (any other day is a gap, never a zero), and the latest of them.
        Map<ReportKind, Set<LocalDate>> loaded = new EnumMap<>(ReportKind.class);
        Map<ReportKind, LocalDate> through = new TreeMap<>();
        coverage.stream().filter(s -> s.organizationId().equals(organization) && !s.days().isEmpty()).forEach(s -> {
            loaded.put(s.report(), s.days());
            through.put(s.report(), Collections.max(s.days()));
        });
        // Cost is charted from either cost report (the FOCUS view reads each day from one of them).
        Set<LocalDate> costDays = new TreeSet<>(loaded.getOrDefault(ReportKind.COST, Set.of()));
        costDays.addAll(loaded.getOrDefault(ReportKind.ANALYTICS_COST, Set.of()));
        LocalDate end = days.map(DayRange::last).orElse(end(through));
        DayRange range = days.orElse(DayRange.of(end.minusDays(DEFAULT_DAYS - 1L), end));
        if (loaded.values().stream().flatMap(Set::stream).noneMatch(range::contains)) {
            LocalDate first = loaded.values().stream().flatMap(Set::stream).min(Comparator.naturalOrder())
                    .orElseThrow();
            throw new ConfigException("no data of organization " + organization + " is loaded from " + range.first()
                    + " to " + range.last() + "; the warehouse holds " + first + " to " + end(through)
                    + ": choose --from and --to inside that");
        }

        ObjectNode data = JSON.createObjectNode();
        data.put("organization_id", organization);
        data.put("generated_at", now.truncatedTo(ChronoUnit.SECONDS).toString());
        data.put("version", version);
        data.put("warehouse", warehouseName);
        data.put("prices", prices.version() + " (" + prices.source() + ")");
        ArrayNode dayList = data.putArray("days");
        List<LocalDate> allDays = range.days().toList();
        allDays.forEach(day -> dayList.add(day.toString()));
        // A day is provisional when a report loaded it before Anthropic stopped revising it.
        Set<LocalDate> provisional = new TreeSet<>();
        coverage.stream().filter(s -> s.organizationId().equals(organization))
                .forEach(s -> provisional.addAll(s.provisional()));
        ArrayNode provisionalDays = data.putArray("provisional");
        allDays.forEach(day -> provisionalDays.add(provisional.contains(day)));
        ObjectNode freshness = freshness(through);
        List<LocalDate> shown = allDays.stream().filter(provisional::contains).toList();
        if (!shown.isEmpty()) {
            freshness.put("message", freshness.get("message").asText() + " " + shown.size() + " day"
                    + (shown.size() == 1 ? " is" : "s are") + " provisional (shaded, from " + shown.get(0)
                    + "): Anthropic may revise a day until " + Revisions.DAYS + " days after it ends, and the"
                    + " daily run reads it again until then.");
        }
        ObjectNode loadedDays = data.putObject("loaded");
        List<String> gaps = new ArrayList<>();
        for (ReportKind report : CHARTED) {
            Set<LocalDate> held = report == ReportKind.COST ? costDays : loaded.getOrDefault(report, Set.of());
            ArrayNode flags = loadedDays.putArray(report.id());
            allDays.forEach(day -> flags.add(held.contains(day)));
            List<DayRange> missing = DayRange.contiguousRuns(allDays.stream().filter(day -> !held.contains(day))
                    .toList());
            if (!missing.isEmpty()) {
                gaps.add(label(report) + " " + missing.stream().limit(3).map(DayRange::toString)
                        .collect(java.util.stream.Collectors.joining(", ")) + (missing.size() > 3 ? ", …" : ""));
            }
        }
        if (!gaps.isEmpty()) {
            freshness.put("message", freshness.get("message").asText() + " Not loaded, drawn as gaps, not zeros: "
                    + String.join("; ", gaps) + ".");
            freshness.put("stale", true);
        }
        data.set("freshness", freshness);

        String between = " WHERE organization_id = @organization_id AND activity_date BETWEEN @first_day AND @last_day";
        Map<String, Object> parameters = Map.of("organization_id", organization, "first_day", range.first(),
                "last_day", range.last());
        // Cost, filtered and totalled by the page from what the warehouse summed (CostFigures).
        new CostFigures(warehouse, prices).add(data, organization, range, budget);
        BigDecimal total = new BigDecimal(data.get("tiles").get("spend_usd").asText());

        double[][] tokens = new double[3][allDays.size()];
        warehouse.forEach("SELECT activity_date, SUM(uncached_input_tokens + cache_write_tokens + cache_read_tokens)"
                + " AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cache_read_tokens) AS cache_read_tokens"
                + " FROM claude_tokens_daily" + between + " GROUP BY activity_date", parameters, row -> {
                    int day = allDays.indexOf(row.date("activity_date"));
                    tokens[0][day] = row.decimal("input_tokens").doubleValue();
                    tokens[1][day] = row.decimal("output_tokens").doubleValue();
                    tokens[2][day] = row.decimal("cache_read_tokens").doubleValue();
                });
        ObjectNode tokenSeries = data.putObject("tokens");
        tokenSeries.set("input", array(tokens[0]));
        tokenSeries.set("output", array(tokens[1]));
        tokenSeries.set("cache_read", array(tokens[2]));

        double[][] code = new double[2][allDays.size()];
        warehouse.forEach("SELECT activity_date, active_users, sessions FROM claude_code_daily" + between, parameters,
                row -> {
                    int day = allDays.indexOf(row.date("activity_date"));
                    code[0][day] = row.decimal("active_users").doubleValue();
                    code[1][day] = row.decimal("sessions").doubleValue();
                });
        ObjectNode claudeCode = data.putObject("claude_code");
        claudeCode.set("active_users", array(code[0]));
        claudeCode.set("sessions", array(code[1]));

        // Claude Code by person: its telemetry's estimate, its analytics report's, and what was billed; the people
        // the three together say spent most first.
        ArrayNode people = data.putArray("claude_code_people");
        // Totals named apart from the view's columns: BigQuery reads SUM(billed_usd) in ORDER BY as a sum of sums.
        String sum = "SUM(telemetry_cost_usd) AS telemetry_total, SUM(report_cost_usd) AS report_total,"
                + " SUM(billed_list_usd) AS billed_list_total, SUM(billed_usd) AS billed_total";
        String spentMost = "COALESCE(SUM(telemetry_cost_usd), 0) + COALESCE(SUM(report_cost_usd), 0)"
                + " + COALESCE(SUM(billed_usd), 0) DESC";
        warehouse.forEach("SELECT person, " + sum + ", MIN(CASE WHEN telemetry_only THEN 1 ELSE 0 END)"
                + " AS only_telemetry FROM claude_code_by_person" + between + " GROUP BY person ORDER BY " + spentMost
                + ", person LIMIT 25", parameters, row -> {
                    ArrayNode person = people.addArray();
                    person.add(row.string("person") + (row.int64("only_telemetry") == 1 ? " (telemetry only)" : ""));
                    for (String column : List.of("telemetry_total", "report_total", "billed_list_total",
                            "billed_total")) {
                        // Null where a source has nothing for the person: the page shows a dash, not $0.00.
                        person.add(row.get(column) == null ? null
                                : row.decimal(column).stripTrailingZeros().toPlainString());
                    }
                });

        String html = template().replace("/*REPORT_DATA*/", json(data));
        return new Rendered(organization, range, total, html);
    }

    /** "Data through D", and a warning that names the day a report stopped, instead of zeros after it. */
    private ObjectNode freshness(Map<ReportKind, LocalDate> through) {
        ObjectNode freshness = JSON.createObjectNode();
        List<String> parts = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (ReportKind report : Reports.expected(through.keySet())) {
            LocalDate day = through.get(report);
            LocalDate expected = Reports.of(report).lastCompleteDay(now);
            if (day == null) {
                stale.add("no " + label(report) + " data has been loaded");
            } else {
                parts.add(label(report) + " " + day);
                if (ChronoUnit.DAYS.between(day, expected) > 1) {
                    stale.add("no " + label(report) + " data since " + day);
                }
            }
        }
        LocalDate latest = end(through);
        String message = "Data through " + latest + " (" + String.join(", ", parts) + ").";
        if (!stale.isEmpty()) {
            message = "Stale: " + String.join("; ", stale) + ". Figures after that are missing, not zero. " + message;
        }
        freshness.put("message", message);
        freshness.put("stale", !stale.isEmpty());
        return freshness;
    }

    private static String label(ReportKind report) {
        return Reports.of(report).label();
    }

    /** The latest day any report holds. */
    private static LocalDate end(Map<ReportKind, LocalDate> through) {
        return through.values().stream().max(Comparator.naturalOrder()).orElseThrow();
    }

    private static ArrayNode array(double[] values) {
        ArrayNode array = JSON.createArrayNode();
        for (double value : values) {
            array.add(value);
        }
        return array;
    }

    /**
     * JSON that an HTML parser cannot act on inside a script element: {@code <}, {@code >} and {@code &} are
     * written as JSON escapes (no {@code </script>}, no {@code <!--}), and so are U+2028 and U+2029, which end a
     * line in older JavaScript.
     */
    static String json(ObjectNode data) {
        try {
            String text = JSON.writeValueAsString(data);
            StringBuilder safe = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '<', '>', '&', '\u2028', '\u2029' -> safe.append(String.format("\\u%04x", (int) c));
                    default -> safe.append(c);
                }
            }
            return safe.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String template() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("/dev/claudedataingestion/report/report.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
