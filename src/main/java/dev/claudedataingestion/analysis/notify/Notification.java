package dev.claudedataingestion.analysis.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudedataingestion.analysis.checks.CheckResult;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One message to the team about one organization: the checks whose state changed, and a digest when one is due.
 * As Slack's message format (text in Slack's markup) or as plain JSON, which has every figure exact and the same
 * text beside them.
 */
public record Notification(String organizationId, List<Change> changes, Optional<Digest> digest) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Notification {
        changes = List.copyOf(changes);
    }

    /** A check whose state is not the one last announced ({@code previous}, empty for a check never announced). */
    public record Change(Optional<CheckResult.Status> previous, CheckResult result) {
    }

    /** Whether there is anything to say. */
    public boolean isEmpty() {
        return changes.isEmpty() && digest.isEmpty();
    }

    /** The message as the webhook takes it. */
    public String payload(boolean slack) {
        ObjectNode message = JSON.createObjectNode();
        if (slack) {
            List<String> lines = lines(true);
            message.put("text", plain(lines.get(0)));
            ObjectNode section = message.putArray("blocks").addObject().put("type", "section");
            section.putObject("text").put("type", "mrkdwn").put("text", String.join("\n", lines));
            return message.toString();
        }
        message.put("organization_id", organizationId);
        message.put("text", text());
        ArrayNode checks = message.putArray("checks");
        for (Change change : changes) {
            ObjectNode check = checks.addObject().put("check", change.result().check())
                    .put("status", change.result().status().id())
                    .put("previous_status", change.previous().map(CheckResult.Status::id).orElse(null))
                    .put("message", change.result().message());
            change.result().evidence().forEach(check.putArray("evidence")::add);
        }
        digest.ifPresent(d -> digestJson(d, message.putObject("digest")));
        return message.toString();
    }

    private static void digestJson(Digest digest, ObjectNode json) {
        json.put("schedule", digest.schedule().id());
        json.put("first_day", digest.period().first().toString()).put("last_day", digest.period().last().toString());
        json.put("spend_usd", digest.spend().orElse(null));
        json.put("previous_first_day", digest.previous().first().toString())
                .put("previous_last_day", digest.previous().last().toString());
        json.put("previous_spend_usd", digest.previousSpend().orElse(null));
        digest.notLoaded().forEach(day -> json.withArray("not_loaded").add(day.toString()));
        json.put("through", digest.through().map(LocalDate::toString).orElse(null));
        json.put("month_to_date_usd", digest.monthToDate().orElse(null));
        json.put("forecast_usd", digest.forecast().orElse(null));
        json.put("budget_usd", digest.budget().orElse(null));
        ArrayNode movers = json.putArray("movers");
        for (Digest.Mover mover : digest.movers()) {
            movers.addObject().put("dimension", mover.dimension()).put("name", mover.name())
                    .put("spend_usd", mover.spend()).put("previous_spend_usd", mover.previousSpend())
                    .put("change_usd", mover.change());
        }
    }

    /** The message as plain text. */
    public String text() {
        return String.join("\n", lines(false));
    }

    /** The message as lines of text; in Slack's markup (bold, names escaped) when {@code slack}. */
    private List<String> lines(boolean slack) {
        List<String> lines = new ArrayList<>();
        lines.add(bold("Claude usage of organization " + organizationId, slack));
        if (!changes.isEmpty()) {
            lines.add(bold("Checks that changed", slack));
            for (Change change : changes) {
                CheckResult result = change.result();
                lines.add("• " + result.status().id().toUpperCase(Locale.ROOT) + " " + result.check()
                        + change.previous().map(p -> " (was " + p.id() + ")").orElse("") + ": "
                        + escape(result.message(), slack));
            }
        }
        digest.ifPresent(d -> digestLines(d, slack, lines));
        return lines;
    }

    private static void digestLines(Digest digest, boolean slack, List<String> lines) {
        String period = digest.schedule() == Digest.Schedule.DAILY ? digest.period().first().toString()
                : digest.period().first() + " to " + digest.period().last();
        String previous = digest.schedule() == Digest.Schedule.DAILY ? "the day before" : "the week before";
        lines.add(bold((digest.schedule() == Digest.Schedule.DAILY ? "Daily" : "Weekly") + " spend, " + period, slack));
        if (digest.spend().isEmpty()) {
            lines.add("No cost is loaded for " + period + " yet: its spend is unknown, not zero.");
        } else {
            BigDecimal spend = digest.spend().get();
            lines.add("Billed $" + money(spend) + digest.previousSpend().map(before -> ", " + change(spend, before)
                    + " on " + previous + " ($" + money(before) + ")").orElse(""));
        }
        if (!digest.notLoaded().isEmpty() && digest.spend().isPresent()) {
            lines.add("Not loaded yet, so not counted: " + String.join(", ", digest.notLoaded().stream()
                    .map(LocalDate::toString).toList()));
        }
        if (digest.monthToDate().isPresent()) {
            LocalDate through = digest.through().orElseThrow();
            String month = through.format(DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH));
            lines.add(month + " through " + through + ": $" + money(digest.monthToDate().get())
                    + digest.budget().map(budget -> " of a $" + money(budget) + " budget").orElse("")
                    + "; straight-line forecast $" + money(digest.forecast().orElseThrow()) + " by month end"
                    + digest.budget().filter(budget -> digest.forecast().get().compareTo(budget) > 0)
                            .map(budget -> ", over budget").orElse(""));
        }
        if (!digest.movers().isEmpty()) {
            lines.add(bold("Top movers", slack));
            for (Digest.Mover mover : digest.movers()) {
                lines.add("• " + mover.dimension() + " " + escape(mover.name(), slack) + ": $" + money(mover.spend())
                        + ", " + (mover.change().signum() > 0 ? "+$" : "-$") + money(mover.change().abs()) + " on $"
                        + money(mover.previousSpend()));
            }
        }
    }

    /** {@code +12.3%}, or {@code new} where there was nothing before. */
    private static String change(BigDecimal now, BigDecimal before) {
        if (before.signum() == 0) {
            return now.signum() == 0 ? "unchanged" : "up from nothing";
        }
        BigDecimal percent = now.subtract(before).multiply(BigDecimal.valueOf(100)).divide(before, 1,
                RoundingMode.HALF_UP);
        return (percent.signum() > 0 ? "+" : "") + percent.toPlainString() + "%";
    }

    private static String money(BigDecimal amount) {
        return String.format(Locale.ROOT, "%,.2f", amount);
    }

    private static String bold(String text, boolean slack) {
        return slack ? "*" + escape(text, true) + "*" : text;
    }

    /** Slack reads {@code &}, {@code <} and {@code >} as markup: names and messages are escaped. */
    private static String escape(String text, boolean slack) {
        return slack ? text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") : text;
    }

    private static String plain(String markup) {
        return markup.replace("*", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
