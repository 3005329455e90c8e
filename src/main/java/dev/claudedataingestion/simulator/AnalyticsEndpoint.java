package dev.claudedataingestion.simulator;

import static dev.claudedataingestion.simulator.Parameters.decodeOffset;
import static dev.claudedataingestion.simulator.Parameters.first;
import static dev.claudedataingestion.simulator.Parameters.instant;
import static dev.claudedataingestion.simulator.Parameters.limit;
import static dev.claudedataingestion.simulator.Parameters.required;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The Usage and Cost Analytics API's two reports ({@code /v1/organizations/analytics/usage} and {@code …/cost}): rows
 * per day and group, paged by groups (a day's rows that differ only by cost or token type share a page), with the
 * API's limits on range, dimensions and groups.
 */
final class AnalyticsEndpoint {

    /** The first day the Usage and Cost Analytics API serves, and how many days back from today it answers. */
    private static final Instant ANALYTICS_FIRST = Instant.parse("2026-01-01T00:00:00Z");
    private static final int ANALYTICS_DAYS_BACK = 365;

    private final SyntheticOrganization organization;
    private final Clock clock;
    private final AnalyticsAnswers analytics;
    /**
     * A day's analytics rows by report, grouping and revision, kept for the pages that follow: each page of a window
     * is a slice of all its days' rows, and a large organization's window takes dozens of pages.
     */
    private final Map<List<Object>, List<AnalyticsAnswers.Grouped>> analyticsDays = java.util.Collections
            .synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Object>, List<AnalyticsAnswers.Grouped>> eldest) {
                    return size() > 64;
                }
            });

    AnalyticsEndpoint(SyntheticOrganization organization, Clock clock, AnalyticsAnswers analytics) {
        this.organization = organization;
        this.clock = clock;
        this.analytics = analytics;
    }

    /**
     * A page of the usage ({@code cost} false) or cost report; {@code groupCap} is the most groups a day may have
     * (0: no cap), and {@code checkSize} refuses a page over the simulator's size cap.
     */
    JsonBody report(Map<String, List<String>> query, Fault fault, boolean cost, int groupCap,
            IntConsumer checkSize) {
        Instant start = instant(required(query, "starting_at"), "starting_at");
        String width = first(query, "time_bucket_width");
        if (width != null && first(query, "ending_at") == null) {
            throw new ApiError(400, "invalid_request_error", "ending_at: Field required when time_bucket_width is set");
        }
        if (!"1d".equals(width)) {
            throw new ApiError(400, "invalid_request_error", "time_bucket_width: this simulator serves 1d buckets only");
        }
        Instant end = instant(required(query, "ending_at"), "ending_at");
        if (start.getEpochSecond() % 86_400 != 0 || end.getEpochSecond() % 86_400 != 0 || !end.isAfter(start)) {
            throw new ApiError(400, "invalid_request_error", "starting_at and ending_at must be UTC midnights, in order");
        }
        if (Duration.between(start, end).toDays() > 31) {
            throw new ApiError(400, "invalid_request_error", "the range may be at most 31 days with time_bucket_width");
        }
        Instant oldest = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(ANALYTICS_DAYS_BACK - 1L)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
        if (start.isBefore(ANALYTICS_FIRST) || start.isBefore(oldest)) {
            throw new ApiError(400, "invalid_request_error", "starting_at: must be within the last 365 days and not"
                    + " before 2026-01-01T00:00:00Z");
        }
        List<String> groupBy = query.getOrDefault("group_by[]", List.of());
        long counted = 0;
        for (String dimension : groupBy) {
            boolean fanOut = AnalyticsAnswers.FAN_OUT.contains(dimension);
            if (!AnalyticsAnswers.DIMENSIONS.contains(dimension) && !(cost && fanOut)) {
                throw new ApiError(400, "invalid_request_error", "group_by: '" + dimension + "' is not a dimension of"
                        + " this report");
            }
            counted += fanOut ? 0 : 1;
        }
        if (counted > 5) {
            throw new ApiError(400, "invalid_request_error", "group_by: at most 5 dimensions");
        }
        int limit = limit(query, 20, 1000);
        // Rows of a day that differ only by cost or token type are one group for the limit: they share a page.
        List<List<Map.Entry<Instant, AnalyticsAnswers.Grouped>>> groups = new ArrayList<>();
        for (Instant day = start; day.isBefore(end); day = day.plus(Duration.ofDays(1))) {
            LocalDate date = LocalDate.ofInstant(day, ZoneOffset.UTC);
            Map<List<Object>, List<Map.Entry<Instant, AnalyticsAnswers.Grouped>>> byBase = new LinkedHashMap<>();
            List<AnalyticsAnswers.Grouped> rows = analyticsDays.computeIfAbsent(List.of(cost, date, groupBy,
                    organization.revision(date)), key -> cost ? analytics.cost(date, groupBy)
                    : analytics.usage(date, groupBy));
            for (AnalyticsAnswers.Grouped row : rows) {
                List<Object> base = new ArrayList<>(row.group().values());
                base.remove(row.group().size() - 1);
                base.remove(row.group().size() - 2);
                byBase.computeIfAbsent(base, k -> new ArrayList<>()).add(Map.entry(day, row));
            }
            if (groupCap > 0 && byBase.size() > groupCap) {
                throw new ApiError(400, "too_many_report_groups", "A day in the report has usage in more groups than"
                        + " the report can return (" + date + ": " + byBase.size() + " groups, at most " + groupCap
                        + "). Use " + (cost ? "/v1/organizations/cost_report" : "/v1/organizations/usage_report/messages")
                        + " for this range instead, or group by fewer dimensions.");
            }
            groups.addAll(byBase.values());
        }
        String page = first(query, "page");
        int offset = page == null ? 0 : decodeOffset(page);
        if (offset < 0 || offset > groups.size()) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
        List<List<Map.Entry<Instant, AnalyticsAnswers.Grouped>>> pageGroups =
                groups.subList(offset, Math.min(groups.size(), offset + limit));
        int next = offset + pageGroups.size();
        checkSize.accept(pageGroups.stream().mapToInt(List::size).sum());
        Fault.Kind kind = fault == null ? null : fault.kind();
        return json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            boolean first = true;
            boolean repeated = false;
            for (List<Map.Entry<Instant, AnalyticsAnswers.Grouped>> group : pageGroups) {
                for (Map.Entry<Instant, AnalyticsAnswers.Grouped> row : group) {
                    writeAnalyticsRow(json, row.getKey(), row.getValue(), cost);
                    // The bucket faults, as a row: one of an actor repeated (rows of identities the API cannot
                    // name may share a group), one of a day after the window.
                    if (!repeated && kind == Fault.Kind.DUPLICATE_BUCKET
                            && row.getValue().group().get("actor") != null) {
                        writeAnalyticsRow(json, row.getKey(), row.getValue(), cost);
                        repeated = true;
                    }
                    if (first && kind == Fault.Kind.OUT_OF_WINDOW_BUCKET) {
                        writeAnalyticsRow(json, end, row.getValue(), cost);
                    }
                    first = false;
                }
            }
            json.writeEndArray();
            json.writeBooleanField("has_more", next < groups.size() || kind == Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE);
            if (next < groups.size() && kind != Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE) {
                json.writeStringField("next_page", "page_" + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("offset:" + next).getBytes(StandardCharsets.UTF_8)));
            } else {
                json.writeNullField("next_page");
            }
            json.writeStringField("data_refreshed_at", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
            json.writeEndObject();
        };
    }

    private static void writeAnalyticsRow(JsonGenerator json, Instant day, AnalyticsAnswers.Grouped row, boolean cost)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("starting_at", day.toString());
        json.writeStringField("ending_at", day.plus(Duration.ofDays(1)).toString());
        json.writeObjectFieldStart("group");
        for (Map.Entry<String, Object> dimension : row.group().entrySet()) {
            if (!cost && AnalyticsAnswers.FAN_OUT.contains(dimension.getKey())) {
                continue;
            }
            if (dimension.getValue() instanceof AnalyticsAnswers.Actor actor) {
                json.writeObjectFieldStart("actor");
                json.writeStringField("type", actor.type());
                switch (actor.type()) {
                    case "user_actor" -> {
                        json.writeStringField("user_id", actor.id());
                        json.writeStringField("email_address", actor.email());
                        json.writeStringField("name", actor.name());
                        json.writeBooleanField("deleted", actor.deleted());
                    }
                    case "service_account_actor" -> json.writeStringField("service_account_id", actor.id());
                    case "federated_actor" -> {
                        json.writeObjectFieldStart("provider");
                        json.writeStringField("type", actor.provider());
                        if (actor.provider().equals("aws")) {
                            json.writeStringField("account_id", "123456789012");
                            json.writeStringField("signed_principal", actor.id());
                        } else {
                            json.writeStringField("issuer", "https://token.actions.githubusercontent.com");
                        }
                        json.writeEndObject();
                        json.writeStringField("subject", actor.id());
                    }
                    default -> json.writeStringField("api_key_id", actor.id());
                }
                json.writeEndObject();
            } else {
                json.writeStringField(dimension.getKey(), (String) dimension.getValue());
            }
        }
        json.writeEndObject();
        if (cost) {
            json.writeObjectFieldStart("cost");
            json.writeStringField("amount", row.amount().toPlainString());
            json.writeStringField("list_amount", row.list().toPlainString());
            json.writeStringField("currency", "USD");
            if (row.requests() == null) {
                json.writeNullField("requests");
            } else {
                json.writeNumberField("requests", row.requests());
            }
        } else {
            long[] m = row.usage();
            json.writeObjectFieldStart("usage");
            JsonBody.writeTokens(json, m);
            json.writeNumberField("total_tokens", m[6]);
            json.writeNumberField("requests", m[7]);
        }
        json.writeEndObject();
        json.writeEndObject();
    }
}
