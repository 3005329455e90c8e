package dev.claudedataingestion.analysis.checks;

import static dev.claudedataingestion.analysis.checks.CheckContext.EVIDENCE;
import static dev.claudedataingestion.analysis.checks.CheckContext.PRECISION;
import static dev.claudedataingestion.analysis.checks.CheckContext.percent;
import static dev.claudedataingestion.analysis.checks.CheckContext.plain;

import dev.claudedataingestion.analysis.checks.CheckResult.Status;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code telemetry} check: per person and day ({@code claude_code_by_person}), what Claude Code's own telemetry
 * estimated for its requests to the Anthropic API against what the Usage and Cost Analytics API billed that person
 * for Claude Code at list price (Claude Code prices at list; it does not know the organization's discount). They
 * differ by up to {@link #SHARE} of the larger, or {@link #FLOOR_USD}, before a final day fails: Anthropic calls
 * Claude Code's figures approximations. A provisional day is not compared: Anthropic may still be revising the bill.
 * People on other clouds are left out: Anthropic does not bill them. Telemetry that stops arriving for more than
 * {@link #QUIET_DAYS} days (a weekend is two) warns: the receiver or the exporters' settings broke, and the view
 * would read as people having stopped.
 */
final class Telemetry implements Check {

    static final BigDecimal SHARE = new BigDecimal("0.05");
    static final BigDecimal FLOOR_USD = new BigDecimal("0.05");
    static final int QUIET_DAYS = 3;

    private record PersonDay(String day, String person, BigDecimal estimated, BigDecimal billed, boolean isFinal) {
    }

    @Override
    public CheckResult run(CheckContext c) {
        Optional<CheckResult> nothing = c.nothingInWindow("telemetry");
        if (nothing.isPresent()) {
            return nothing.get();
        }
        List<PersonDay> days = c.warehouse().read("SELECT activity_date, person, telemetry_anthropic_cost_usd,"
                + " billed_list_usd, is_final FROM claude_code_by_person WHERE organization_id = @organization_id"
                + " AND activity_date >= @first_day AND telemetry_anthropic_cost_usd IS NOT NULL"
                + " ORDER BY activity_date, person", c.windowParameters(), row -> new PersonDay(
                        row.date("activity_date").toString(), row.string("person"),
                        // No bill for the person that day reads as zero billed.
                        row.decimal("telemetry_anthropic_cost_usd"), row.decimal("billed_list_usd"),
                        Boolean.TRUE.equals(row.bool("is_final"))));
        Instant latest = c.warehouse().read("SELECT MAX(received_at) AS latest FROM claude_code_events"
                + " WHERE organization_id = @organization_id", Map.of("organization_id", c.organization()),
                row -> row.timestamp("latest")).get(0);
        String quiet = latest == null || latest.isAfter(c.settings().now().minus(Duration.ofDays(QUIET_DAYS))) ? ""
                : "; no telemetry has arrived since " + latest.truncatedTo(ChronoUnit.SECONDS) + ": is 'serve' running,"
                        + " and do the exporters reach it?";
        if (days.isEmpty()) {
            return new CheckResult("telemetry", quiet.isEmpty() ? Status.OK : Status.WARN, "no Claude Code telemetry"
                    + " of requests to the Anthropic API " + c.windowText() + "; 'claude-ingest serve' receives it"
                    + quiet, List.of());
        }
        List<String> evidence = new ArrayList<>();
        int compared = 0;
        int differing = 0;
        for (PersonDay day : days) {
            if (!day.isFinal()) {
                continue;
            }
            compared++;
            BigDecimal difference = day.estimated().subtract(day.billed()).abs();
            BigDecimal larger = day.estimated().max(day.billed());
            if (difference.compareTo(FLOOR_USD.max(larger.multiply(SHARE))) > 0) {
                differing++;
                if (evidence.size() < EVIDENCE) {
                    evidence.add(day.day() + " " + day.person() + ": telemetry estimated $" + plain(day.estimated())
                            + ", billed $" + plain(day.billed()) + " at list price (difference $" + plain(difference)
                            + ", " + percent(difference.divide(larger, PRECISION).setScale(3,
                                    java.math.RoundingMode.HALF_EVEN)) + ")");
                }
            }
        }
        String tolerance = "within " + percent(SHARE) + " or $" + plain(FLOOR_USD);
        int provisional = days.size() - compared;
        String notCompared = provisional == 0 ? "" : "; " + provisional + " provisional person-days not compared yet";
        if (differing == 0) {
            return new CheckResult("telemetry", quiet.isEmpty() ? Status.OK : Status.WARN, "Claude Code's telemetry and"
                    + " the bill agree " + tolerance + " on " + compared + " final person-days " + c.windowText()
                    + notCompared + quiet, List.of());
        }
        return new CheckResult("telemetry", Status.FAIL, differing + " final person-days where Claude Code's"
                + " telemetry and the bill (product claude_code, at list price) differ by more than " + tolerance
                + ": a person's telemetry counted twice or missing, Claude Code pricing a model otherwise than the"
                + " bill, or usage by that person outside Claude Code's telemetry" + notCompared + quiet, evidence);
    }
}
