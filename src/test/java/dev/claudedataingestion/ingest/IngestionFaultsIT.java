package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.FaultProxy;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.Fault;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.duckdb.DuckDbWarehouse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole pipeline under the Admin API's faults and a hostile proxy's: a complete run or a clear error, always. */
class IngestionFaultsIT extends IngestionFixture {

    record ApiFault(String name, Fault fault, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ApiFault> apiFaults() {
        return Stream.of(
                new ApiFault("a storm of 429 without retry-after", Fault.status(429, 4), null),
                new ApiFault("429 with retry-after", Fault.status(429, 2).withRetryAfter(Duration.ofSeconds(1)), null),
                new ApiFault("a burst of 500", Fault.status(500, 4), null),
                new ApiFault("a burst of 529", Fault.status(529, 4), null),
                new ApiFault("500 for longer than the retries last", Fault.status(500, 5), "500"),
                new ApiFault("dropped connections", Fault.of(Fault.Kind.DROP_CONNECTION, 3), null),
                new ApiFault("truncated bodies", Fault.of(Fault.Kind.TRUNCATE_BODY, 3), null),
                new ApiFault("malformed JSON", Fault.of(Fault.Kind.MALFORMED_JSON, 2), null),
                new ApiFault("an answer slower than the timeout", Fault.slow(Duration.ofSeconds(2), 2), null),
                new ApiFault("a body that stalls", new Fault(Fault.Kind.STALL_BODY, 0, Duration.ofSeconds(2), 2, null,
                        0), null),
                new ApiFault("has_more without next_page", Fault.of(Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE, 1),
                        "has_more is true but next_page is missing"),
                new ApiFault("a duplicated bucket", Fault.of(Fault.Kind.DUPLICATE_BUCKET, 1), "came twice"),
                new ApiFault("a bucket outside the window", Fault.of(Fault.Kind.OUT_OF_WINDOW_BUCKET, 1),
                        "outside the requested window"));
    }

    /**
     * Each fault strikes in the middle of a backfill. The run either completes or fails with a clear error that
     * does not carry the key; either way every day in the warehouse is wholly loaded or absent, and the next run
     * completes the range with every figure equal to the API's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("apiFaults")
    void anApiFaultEndsInACompleteRunOrAClearErrorAndNothingIsLostOrCountedTwice(ApiFault apiFault) {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, OLDER, true, Optional.of(days), Optional.empty());
        ApiConfig api = TestApi.apiConfig(simulator).withRequestTimeout(Duration.ofMillis(500));
        simulator.inject(apiFault.fault().after(1));

        IngestionJob.Outcome first;
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            first = new IngestionJob(new AdminApiClient(api), Optional.empty(), warehouse, config, TestApi.CLOCK,
                    "test", IngestListener.NONE, directory, RunOrigin.MANUAL, AnalysisViews.catalog(config.prices())).run(config.deadlineFrom(TestApi.CLOCK));
        }

        if (apiFault.error() == null) {
            assertThat(first.failure()).isNull();
            // The faulty answers were met and asked again (the JDK's client retries a dropped GET once itself).
            assertThat(first.run().retries()).isBetween(1L, (long) apiFault.fault().times());
        } else {
            assertThat(first.failure()).isNotNull();
            assertThat(first.run().error()).contains(apiFault.error())
                    .doesNotContain(AdminApiSimulator.DEMO_KEY);
            assertEveryRowCovered();
            assertThat(ingest(Optional.of(days)).failure()).isNull();
        }
        assertWarehouseEqualsApi(days);
        assertThat(select("SELECT count(*) FROM ingestion_runs WHERE error LIKE '%sk-ant%'").get(0).get(0))
                .isEqualTo(0L);
    }

    /**
     * A report whose 429s ask for a wait the deadline cannot afford (a day) stops alone: the reports before and after
     * it and the names load all their days, and the run, partial, names the report that stopped and why.
     */
    @Test
    void aReportThatMustWaitPastTheDeadlineStopsAloneAndTheOthersLoad() {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, OLDER, true, Optional.of(days),
                Optional.of(Duration.ofMinutes(1)));
        simulator.inject(Fault.status(429, 1_000_000).withRetryAfter(Duration.ofDays(1)).on("cost_report"));
        Clock moving = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), TestApi.NOW));
        IngestionJob.Outcome outcome;
        try (Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            outcome = new IngestionJob(new AdminApiClient(TestApi.apiConfig(simulator), config.deadlineFrom(moving)),
                    Optional.empty(), warehouse, config, moving, "test", IngestListener.NONE, directory,
                    RunOrigin.MANUAL, AnalysisViews.catalog(config.prices())).run(config.deadlineFrom(moving));
        }

        assertThat(outcome.failure()).isNull();
        assertThat(outcome.run().status()).isEqualTo(RunRecord.Status.PARTIAL);
        assertThat(outcome.run().error()).startsWith("stopped early: cost (").contains("429")
                .contains("2026-02-20 onwards left for the next run").doesNotContain("usage (", "claude_code (");
        assertThat(covered(ReportKind.COST)).isEmpty();
        assertThat(covered(ReportKind.USAGE)).hasSize(days.size());
        assertThat(covered(ReportKind.CLAUDE_CODE)).hasSize(days.size());
        assertThat(number(select("SELECT count(*) FROM claude_workspaces").get(0).get(0))).isPositive();
        assertWarehouseEqualsApi(days, true);
    }

    static Stream<ApiFault> analyticsFaults() {
        return Stream.of(
                new ApiFault("a 500 burst", Fault.status(500, 2), null),
                new ApiFault("truncated bodies", Fault.of(Fault.Kind.TRUNCATE_BODY, 2), null),
                new ApiFault("has_more without next_page", Fault.of(Fault.Kind.HAS_MORE_WITHOUT_NEXT_PAGE, 1),
                        "has_more is true but next_page is missing"),
                new ApiFault("a row repeated", Fault.of(Fault.Kind.DUPLICATE_BUCKET, 1), "came twice"),
                new ApiFault("a row of a day outside the window", Fault.of(Fault.Kind.OUT_OF_WINDOW_BUCKET, 1),
                        "outside the requested window"));
    }

    /** The faults on the Usage and Cost Analytics API's second window: retried, or a clear error and no half day. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("analyticsFaults")
    void anAnalyticsFaultEndsInACompleteRunOrAClearErrorAndNothingIsLostOrCountedTwice(ApiFault apiFault) {
        DayRange days = DayRange.of(LocalDate.of(2026, 1, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, EnumSet.of(ReportKind.ANALYTICS_USAGE,
                ReportKind.ANALYTICS_COST), false, Optional.of(days), Optional.empty());
        simulator.inject(apiFault.fault().after(1).on("/analytics/"));

        IngestionJob.Outcome first = run(config);

        if (apiFault.error() == null) {
            assertThat(first.failure()).isNull();
            assertThat(first.run().retries()).isBetween(1L, (long) apiFault.fault().times());
        } else {
            assertThat(first.run().status()).isEqualTo(RunRecord.Status.PARTIAL);
            assertThat(first.run().error()).contains(apiFault.error());
            assertWarehouseEqualsApi(days, true);
            assertThat(run(config).failure()).isNull();
        }
        assertThat(covered(ReportKind.ANALYTICS_USAGE)).hasSize(days.size());
        assertThat(covered(ReportKind.ANALYTICS_COST)).hasSize(days.size());
        assertWarehouseEqualsApi(days, true);
    }

    record ProxyFault(String name, FaultProxy.Kind kind, String path, int times, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<ProxyFault> proxyFaults() {
        return Stream.of(
                new ProxyFault("a Claude Code record repeated in its page", FaultProxy.Kind.REPEAT_RECORD, "claude_code",
                        1, "the same record came twice"),
                new ProxyFault("a usage result repeated in its bucket", FaultProxy.Kind.REPEAT_RECORD,
                        "usage_report/messages", 1, "the same record came twice"),
                new ProxyFault("a cost line repeated in its bucket", FaultProxy.Kind.REPEAT_RECORD, "cost_report", 1,
                        "the same record came twice"),
                new ProxyFault("a Claude Code page repeated under a new cursor", FaultProxy.Kind.REPEAT_PAGE,
                        "claude_code", 1, "the same record came twice"),
                new ProxyFault("an empty Claude Code page whose cursor points at itself", FaultProxy.Kind.SELF_CURSOR,
                        "claude_code", 1, "does not move on"),
                new ProxyFault("an empty usage page whose cursor points at itself", FaultProxy.Kind.SELF_CURSOR,
                        "usage_report/messages", 1, "does not move on"),
                new ProxyFault("a usage page pointing to a cursor the API never gave", FaultProxy.Kind.BOGUS_CURSOR,
                        "usage_report/messages", 1, "invalid cursor"),
                new ProxyFault("retry-after: 120 on every answer", FaultProxy.Kind.RETRY_AFTER, "usage_report",
                        100_000, null),
                new ProxyFault("a body that trickles at 20 bytes a second", FaultProxy.Kind.TRICKLE,
                        "usage_report/messages", 100_000, null),
                new ProxyFault("10^30 output tokens", FaultProxy.Kind.HUGE_COUNT, "usage_report/messages", 1,
                        "fits 64 bits"),
                new ProxyFault("an amount of 1e999999999 cents", FaultProxy.Kind.HUGE_AMOUNT, "cost_report", 1,
                        "outside what an amount can be"));
    }

    /**
     * Through a proxy that rewrites answers as an attacker would, a run is never "succeeded", and leaves each day
     * equal to the API's or not covered at all, with the reason recorded; a clean run then makes every day equal to
     * the API's. Each report fails alone. The faults that would hold a run for ever (a fault without an error to
     * name) meet a 2-second deadline, and the run ends soon after it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("proxyFaults")
    void throughAHostileProxyEveryDayIsTheApisOrAbsentAndReported(ProxyFault fault) throws Exception {
        DayRange days = DayRange.of(LocalDate.of(2026, 2, 20), LocalDate.of(2026, 3, 8));
        IngestConfig config = new IngestConfig(START, 3, OLDER, true, Optional.of(days),
                fault.error() == null ? Optional.of(Duration.ofSeconds(2)) : Optional.empty());
        Clock moving = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), TestApi.NOW));
        IngestionJob.Outcome first;
        long started = System.nanoTime();
        try (FaultProxy proxy = new FaultProxy(simulator.baseUrl());
                Warehouse warehouse = DuckDbWarehouse.open(file(), false)) {
            proxy.strike(fault.kind(), fault.path(), fault.times());
            ApiConfig api = TestApi.apiConfig(proxy.url());
            first = new IngestionJob(new AdminApiClient(api, config.deadlineFrom(moving)), Optional.empty(), warehouse,
                    config, moving, "test", IngestListener.NONE, directory, RunOrigin.MANUAL, AnalysisViews.catalog(config.prices()))
                    .run(config.deadlineFrom(moving));
            assertThat(proxy.struck()).as("the fault struck").isPositive();
        }
        // Nothing was asked for past the last day, whatever the answers said.
        assertThat(simulator.requests()).map(r -> r.param("starting_at")).filteredOn(java.util.Objects::nonNull)
                .allSatisfy(start -> assertThat(LocalDate.parse(start.substring(0, 10))).isBeforeOrEqualTo(days.last()));
        // The deadline, the cancel of what was waiting, and recording the run: well within half a minute.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2 + 30));

        assertThat(first.run().status()).isNotEqualTo(RunRecord.Status.SUCCEEDED);
        if (fault.error() != null) {
            assertThat(first.run().error()).contains(fault.error()).doesNotContain(AdminApiSimulator.DEMO_KEY);
        }
        assertEveryRowCovered();
        assertWarehouseEqualsApi(days, true);

        assertThat(ingest(Optional.of(days)).failure()).isNull();
        assertWarehouseEqualsApi(days);
    }
}
