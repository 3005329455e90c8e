package dev.claudedataingestion.simulator;

import static dev.claudedataingestion.simulator.Parameters.decodeCursor;
import static dev.claudedataingestion.simulator.Parameters.encodeCursor;
import static dev.claudedataingestion.simulator.Parameters.first;
import static dev.claudedataingestion.simulator.Parameters.groupBy;
import static dev.claudedataingestion.simulator.Parameters.instant;
import static dev.claudedataingestion.simulator.Parameters.limit;
import static dev.claudedataingestion.simulator.Parameters.required;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * The reports of time buckets: the messages usage report (grouped and filtered by its dimensions, daily, hourly or by
 * the minute) and the cost report (daily, by workspace and description), paged by bucket, with the bucket faults.
 */
final class BucketEndpoints {

    private static final List<String> USAGE_DIMENSIONS = List.of("api_key_id", "workspace_id", "model",
            "service_tier", "context_window", "inference_geo", "account_id", "service_account_id");
    private static final Map<String, String> USAGE_FILTERS = Map.of("api_key_ids[]", "api_key_id",
            "workspace_ids[]", "workspace_id", "models[]", "model", "service_tiers[]", "service_tier",
            "context_window[]", "context_window", "inference_geos[]", "inference_geo", "account_ids[]", "account_id",
            "service_account_ids[]", "service_account_id");
    private static final Set<String> COST_DIMENSIONS = Set.of("workspace_id", "description");

    private final SyntheticOrganization organization;
    private final Clock clock;
    private final IntSupplier maxBucketsPerPage;
    private final IntConsumer checkSize;

    /**
     * @param maxBucketsPerPage the most buckets a page may hold below {@code limit} (0: as {@code limit} says)
     * @param checkSize         refuses a page over the simulator's size cap
     */
    BucketEndpoints(SyntheticOrganization organization, Clock clock, IntSupplier maxBucketsPerPage,
            IntConsumer checkSize) {
        this.organization = organization;
        this.clock = clock;
        this.maxBucketsPerPage = maxBucketsPerPage;
        this.checkSize = checkSize;
    }

    private record Width(String name, Duration step, int defaultLimit, int maxLimit) {
        static Width parse(String text, boolean dailyOnly) {
            String width = text == null ? "1d" : text;
            Width parsed = switch (width) {
                case "1d" -> new Width("1d", Duration.ofDays(1), 7, 31);
                case "1h" -> new Width("1h", Duration.ofHours(1), 24, 168);
                case "1m" -> new Width("1m", Duration.ofMinutes(1), 60, 1440);
                default -> throw new ApiError(400, "invalid_request_error",
                        "bucket_width: Input should be '1d', '1h' or '1m'");
            };
            if (dailyOnly && !"1d".equals(parsed.name)) {
                throw new ApiError(400, "invalid_request_error", "bucket_width: Input should be '1d'");
            }
            return parsed;
        }

        Instant floor(Instant instant) {
            long seconds = step.getSeconds();
            return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), seconds) * seconds);
        }

        Instant ceil(Instant instant) {
            Instant floor = floor(instant);
            return floor.equals(instant) ? floor : floor.plus(step);
        }
    }

    /** The buckets of one page: where it starts and ends, and whether more follow. */
    private record BucketPage(Width width, Instant windowEnd, Instant start, Instant end) {
        List<Instant> starts() {
            List<Instant> starts = new ArrayList<>();
            for (Instant bucket = start; bucket.isBefore(end); bucket = bucket.plus(width.step)) {
                starts.add(bucket);
            }
            return starts;
        }

        boolean hasMore() {
            return end.isBefore(windowEnd);
        }
    }

    private BucketPage bucketPage(Map<String, List<String>> query, Width width) {
        Instant start = width.floor(instant(required(query, "starting_at"), "starting_at"));
        String endText = first(query, "ending_at");
        Instant end = endText == null ? width.ceil(clock.instant()) : instant(endText, "ending_at");
        if (!end.isAfter(start)) {
            throw new ApiError(400, "invalid_request_error", "ending_at must be after starting_at");
        }
        int limit = limit(query, width.defaultLimit, width.maxLimit);
        int cap = maxBucketsPerPage.getAsInt();
        if (cap > 0) {
            limit = Math.min(limit, cap);
        }
        String page = first(query, "page");
        Instant pageStart = page == null ? start : decodeCursor(page);
        if (pageStart.isBefore(start) || !pageStart.isBefore(end)) {
            throw new ApiError(400, "invalid_request_error", "page: invalid cursor");
        }
        Instant pageEnd = pageStart.plus(width.step.multipliedBy(limit));
        return new BucketPage(width, end, pageStart, pageEnd.isAfter(end) ? end : pageEnd);
    }

    /** A page of {@code /v1/organizations/usage_report/messages}. */
    JsonBody usage(Map<String, List<String>> query, Fault fault) {
        Width width = Width.parse(first(query, "bucket_width"), false);
        List<String> groupBy = groupBy(query, Set.copyOf(USAGE_DIMENSIONS));
        Map<String, List<String>> filters = new LinkedHashMap<>();
        USAGE_FILTERS.forEach((param, dimension) -> {
            if (query.containsKey(param)) {
                filters.put(dimension, query.get(param));
            }
        });
        BucketPage page = bucketPage(query, width);
        Map<Instant, List<Map.Entry<List<String>, long[]>>> buckets = new LinkedHashMap<>();
        // A day's tuples are drawn once per request, not once for each of its hours.
        Map<LocalDate, List<SyntheticOrganization.UsageTuple>> days = new HashMap<>();
        int results = 0;
        for (Instant bucket : page.starts()) {
            Map<List<String>, long[]> groups = new LinkedHashMap<>();
            LocalDate day = LocalDate.ofInstant(bucket, ZoneOffset.UTC);
            List<SyntheticOrganization.UsageTuple> dayTuples = days.computeIfAbsent(day, organization::usage);
            for (SyntheticOrganization.UsageTuple tuple : tuplesOf(bucket, width, day, dayTuples)) {
                if (!filters.entrySet().stream().allMatch(f -> f.getValue().contains(tuple.dimension(f.getKey())))) {
                    continue;
                }
                List<String> key = new ArrayList<>();
                for (String dimension : USAGE_DIMENSIONS) {
                    key.add(groupBy.contains(dimension) ? tuple.dimension(dimension) : null);
                }
                long[] sums = groups.computeIfAbsent(key, k -> new long[6]);
                long[] measures = tuple.measures();
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += measures[i];
                }
            }
            buckets.put(bucket, new ArrayList<>(groups.entrySet()));
            results += groups.size();
        }
        checkSize.accept(results);
        return json -> writeBuckets(json, page, buckets.keySet(), fault, (bucket, out) -> {
            for (Map.Entry<List<String>, long[]> group : buckets.get(bucket)) {
                long[] m = group.getValue();
                out.writeStartObject();
                JsonBody.writeTokens(out, m);
                for (int i = 0; i < USAGE_DIMENSIONS.size(); i++) {
                    out.writeStringField(USAGE_DIMENSIONS.get(i), group.getKey().get(i));
                }
                out.writeEndObject();
            }
        });
    }

    /**
     * Usage of one bucket: a day's tuples, or for an hour the share of each tuple that falls in it (each tuple is
     * used in a run of one to eight hours of its day), or for a minute an even share. Shares sum to the day.
     */
    private static List<SyntheticOrganization.UsageTuple> tuplesOf(Instant bucket, Width width, LocalDate day,
            List<SyntheticOrganization.UsageTuple> dayTuples) {
        if ("1d".equals(width.name)) {
            return dayTuples;
        }
        boolean hourly = "1h".equals(width.name);
        long index = Duration.between(day.atStartOfDay(ZoneOffset.UTC).toInstant(), bucket).dividedBy(width.step);
        // Duration.dividedBy(Duration) computes in BigDecimal: once per bucket, not once per tuple.
        long bucketsPerDay = Duration.ofDays(1).dividedBy(width.step);
        List<SyntheticOrganization.UsageTuple> shares = new ArrayList<>();
        for (SyntheticOrganization.UsageTuple t : dayTuples) {
            long parts = bucketsPerDay;
            long first = 0;
            if (hourly) {
                int hash = java.util.Objects.hash(t.apiKeyId(), t.model(), t.serviceTier(), t.accountId(), day);
                parts = 1 + Math.floorMod(hash, 8);
                first = Math.floorMod(hash / 8, 24 - (int) parts + 1);
            }
            long position = index - first;
            if (position < 0 || position >= parts) {
                continue;
            }
            long[] m = t.measures();
            long[] share = new long[m.length];
            boolean any = false;
            for (int i = 0; i < m.length; i++) {
                share[i] = m[i] / parts + (position < m[i] % parts ? 1 : 0);
                any |= share[i] != 0;
            }
            if (any) {
                shares.add(new SyntheticOrganization.UsageTuple(t.apiKeyId(), t.workspaceId(), t.model(),
                        t.serviceTier(), t.contextWindow(), t.inferenceGeo(), t.accountId(), t.serviceAccountId(),
                        share[0], share[1], share[2], share[3], share[4], share[5]));
            }
        }
        return shares;
    }

    /** A page of {@code /v1/organizations/cost_report}. */
    JsonBody cost(Map<String, List<String>> query, Fault fault) {
        Width width = Width.parse(first(query, "bucket_width"), true);
        List<String> groupBy = groupBy(query, COST_DIMENSIONS);
        BucketPage page = bucketPage(query, width);
        Map<Instant, List<SyntheticOrganization.CostLine>> buckets = new LinkedHashMap<>();
        int results = 0;
        for (Instant bucket : page.starts()) {
            Map<List<String>, SyntheticOrganization.CostLine> groups = new LinkedHashMap<>();
            for (SyntheticOrganization.CostLine line : organization.costs(LocalDate.ofInstant(bucket, ZoneOffset.UTC))) {
                boolean byWorkspace = groupBy.contains("workspace_id");
                boolean byDescription = groupBy.contains("description");
                SyntheticOrganization.CostLine grouped = new SyntheticOrganization.CostLine(
                        byWorkspace ? line.workspaceId() : null,
                        byDescription ? line.description() : null,
                        byDescription ? line.costType() : null,
                        byDescription ? line.model() : null,
                        byDescription ? line.serviceTier() : null,
                        byDescription ? line.contextWindow() : null,
                        byDescription ? line.tokenType() : null,
                        byDescription ? line.inferenceGeo() : null,
                        line.amountCents());
                groups.merge(java.util.Arrays.asList(grouped.workspaceId(), grouped.description()), grouped,
                        (a, b) -> new SyntheticOrganization.CostLine(a.workspaceId(), a.description(), a.costType(),
                                a.model(), a.serviceTier(), a.contextWindow(), a.tokenType(), a.inferenceGeo(),
                                a.amountCents().add(b.amountCents())));
            }
            buckets.put(bucket, new ArrayList<>(groups.values()));
            results += groups.size();
        }
        checkSize.accept(results);
        return json -> writeBuckets(json, page, buckets.keySet(), fault, (bucket, out) -> {
            for (SyntheticOrganization.CostLine line : buckets.get(bucket)) {
                out.writeStartObject();
                out.writeStringField("currency", "USD");
                out.writeStringField("amount", line.amountCents().toPlainString());
                out.writeStringField("workspace_id", line.workspaceId());
                out.writeStringField("description", line.description());
                out.writeStringField("cost_type", line.costType());
                out.writeStringField("context_window", line.contextWindow());
                out.writeStringField("model", line.model());
                out.writeStringField("service_tier", line.serviceTier());
                out.writeStringField("token_type", line.tokenType());
                out.writeStringField("inference_geo", line.inferenceGeo());
                out.writeEndObject();
            }
        });
    }

    private interface BucketResults {
        void write(Instant bucket, JsonGenerator json) throws IOException;
    }

    private static void writeBuckets(JsonGenerator json, BucketPage page, Set<Instant> buckets, Fault fault,
            BucketResults results) throws IOException {
        Fault.Kind kind = fault == null ? null : fault.kind();
        json.writeStartObject();
        json.writeArrayFieldStart("data");
        boolean first = true;
        for (Instant bucket : buckets) {
            writeBucket(json, bucket, bucket.plus(page.width().step()), () -> results.write(bucket, json));
            if (first && kind == Fault.Kind.DUPLICATE_BUCKET) {
                writeBucket(json, bucket, bucket.plus(page.width().step()), () -> results.write(bucket, json));
            }
            first = false;
        }
        if (kind == Fault.Kind.OUT_OF_WINDOW_BUCKET) {
            Instant outside = page.windowEnd();
            writeBucket(json, outside, outside.plus(page.width().step()), () -> { });
        }
        json.writeEndArray();
        boolean hasMore = page.hasMore() || kind == Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE;
        json.writeBooleanField("has_more", hasMore);
        if (page.hasMore() && kind != Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE) {
            json.writeStringField("next_page", encodeCursor(page.end()));
        } else {
            json.writeNullField("next_page");
        }
        json.writeEndObject();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void writeBucket(JsonGenerator json, Instant start, Instant end, IoAction results)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("starting_at", start.toString());
        json.writeStringField("ending_at", end.toString());
        json.writeArrayFieldStart("results");
        results.run();
        json.writeEndArray();
        json.writeEndObject();
    }
}
