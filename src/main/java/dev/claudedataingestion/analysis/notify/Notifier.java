package dev.claudedataingestion.analysis.notify;

import dev.claudedataingestion.analysis.checks.CheckResult;
import dev.claudedataingestion.analysis.spend.Spend;
import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.warehouse.Tables;
import dev.claudedataingestion.warehouse.Warehouse;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what to tell the team about one organization, tells it, and records what was told in
 * {@code ingestion_notifications}: a check whose state differs from the one last announced (a check seen for the
 * first time only when it is not ok), and a digest once per period. A state is recorded only once the webhook took
 * the message, so a message that failed is sent again next time, and one that was sent never is.
 */
public final class Notifier {

    /** Where messages go. */
    public interface Poster {
        /** The body that {@link #post} sends for {@code notification}. */
        String payload(Notification notification);

        /** Posts one body, or throws {@link NotifyException}. */
        void post(String payload);
    }

    /**
     * What was decided: the notification (empty when nothing changed), whether it was posted, and when the earlier
     * messages whose delivery is unknown were sent, oldest first.
     */
    public record Outcome(Notification notification, boolean posted, List<Instant> unknownDeliveries) {
    }

    private static final String CHECK = "check:";
    private static final String DIGEST = "digest:";
    /** A message the webhook took without answering, by when it was sent; its row's message is the body sent. */
    private static final String UNKNOWN = "delivery-unknown:";
    private static final String UNKNOWN_STATE = "unknown";

    private final Warehouse warehouse;
    private final Instant now;

    public Notifier(Warehouse warehouse, Instant now) {
        this.warehouse = warehouse;
        this.now = now;
    }

    /**
     * Notifies {@code poster} of what changed for {@code organizationId} given the checks' {@code results}, with a
     * digest of {@code schedule} after {@code lastCompleteDay} when one is due. {@code poster} empty: decides only,
     * posts and records nothing (a dry run).
     */
    public Outcome notify(String organizationId, List<CheckResult> results, Optional<Digest.Schedule> schedule,
            LocalDate lastCompleteDay, Optional<BigDecimal> budget, Optional<Poster> poster) {
        Map<String, Row> recorded = new HashMap<>();
        warehouse.organizationRows(Tables.NOTIFICATIONS, organizationId)
                .forEach(row -> recorded.put(row.string("subject"), row));
        Map<String, Row> next = new HashMap<>(recorded);

        List<Notification.Change> changes = new ArrayList<>();
        for (CheckResult result : results) {
            Optional<CheckResult.Status> previous = Optional.ofNullable(recorded.get(CHECK + result.check()))
                    .map(row -> CheckResult.Status.valueOf(row.string("state").toUpperCase(Locale.ROOT)));
            boolean changed = previous.map(p -> p != result.status()).orElse(result.status() != CheckResult.Status.OK);
            if (changed) {
                changes.add(new Notification.Change(previous, result));
            }
            if (previous.isEmpty() || changed) {
                next.put(CHECK + result.check(), row(organizationId, CHECK + result.check(), result.status().id(),
                        result.message()));
            }
        }
        // A digest is due once per period; one sent while its days were not loaded is sent again once they are. One
        // sent whole is not read again.
        Optional<String> sent = schedule.map(s -> recorded.get(DIGEST + s.id())).map(row -> row.string("state"));
        Optional<Digest> digest = schedule.filter(s -> !sent.equals(Optional.of(s.period(lastCompleteDay).toString())))
                .map(s -> Digest.of(new Spend(warehouse, organizationId), s, lastCompleteDay, budget))
                .filter(d -> !sent.equals(Optional.of(digestState(d))));
        digest.ifPresent(d -> next.put(DIGEST + d.schedule().id(), row(organizationId, DIGEST + d.schedule().id(),
                digestState(d), d.spend().map(BigDecimal::toPlainString).orElse("not loaded"))));

        Notification notification = new Notification(organizationId, changes, digest);
        List<Instant> unknownDeliveries = sentAt(unknown(List.copyOf(recorded.values())));
        if (poster.isEmpty()) {
            return new Outcome(notification, false, unknownDeliveries);
        }
        if (!notification.isEmpty()) {
            String payload = poster.get().payload(notification);
            try {
                poster.get().post(payload);
            } catch (NotifyException e) {
                if (e.deliveryUnknown()) {
                    // What it announced counts as told, so that no run sends it again by itself; the body is kept
                    // for 'notify --resend-unknown'.
                    next.put(UNKNOWN + now, row(organizationId, UNKNOWN + now, UNKNOWN_STATE, payload));
                    warehouse.replaceOrganizationRows(Tables.NOTIFICATIONS, organizationId, List.copyOf(next.values()));
                }
                throw e;
            }
        }
        if (!states(next).equals(states(recorded))) {
            warehouse.replaceOrganizationRows(Tables.NOTIFICATIONS, organizationId, List.copyOf(next.values()));
        }
        return new Outcome(notification, !notification.isEmpty(), unknownDeliveries);
    }

    /** When the messages of {@code organizationId} whose delivery is unknown were sent, oldest first. */
    public List<Instant> unknownDeliveries(String organizationId) {
        return sentAt(unknown(warehouse.organizationRows(Tables.NOTIFICATIONS, organizationId)));
    }

    private static List<Instant> sentAt(List<Row> rows) {
        return rows.stream().map(row -> row.timestamp("notified_at")).toList();
    }

    /**
     * Posts again, oldest first, each message of {@code organizationId} whose delivery was unknown, and forgets each
     * once the webhook took it; one that fails stays recorded, and ends the resending with its exception.
     *
     * @return how many were sent
     */
    public int resendUnknown(String organizationId, Poster poster) {
        List<Row> rows = new ArrayList<>(warehouse.organizationRows(Tables.NOTIFICATIONS, organizationId));
        int sent = 0;
        try {
            for (Row unknown : unknown(rows)) {
                poster.post(unknown.string("message"));
                rows.remove(unknown);
                sent++;
            }
        } finally {
            if (sent > 0) {
                warehouse.replaceOrganizationRows(Tables.NOTIFICATIONS, organizationId, rows);
            }
        }
        return sent;
    }

    private static List<Row> unknown(List<Row> rows) {
        return rows.stream().filter(row -> row.string("subject").startsWith(UNKNOWN))
                .sorted(Comparator.comparing(row -> row.timestamp("notified_at"))).toList();
    }

    /** The period a digest covers, and whether its figures were known. */
    private static String digestState(Digest digest) {
        return digest.period() + (digest.spend().isEmpty() ? " not loaded" : "");
    }

    private static Map<String, String> states(Map<String, Row> rows) {
        Map<String, String> states = new HashMap<>();
        rows.forEach((subject, row) -> states.put(subject, row.string("state")));
        return states;
    }

    private Row row(String organizationId, String subject, String state, String message) {
        return new Row(Tables.NOTIFICATIONS).set("organization_id", organizationId).set("subject", subject)
                .set("state", state).set("message", message).set("notified_at", now);
    }
}
