package dev.claudedataingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.model.Row;
import dev.claudedataingestion.reports.ClaudeCodeReport;
import dev.claudedataingestion.reports.CostReport;
import dev.claudedataingestion.reports.TestRows;
import dev.claudedataingestion.reports.UsageReport;
import dev.claudedataingestion.source.AdminApiException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpoolTest {

    @TempDir
    Path directory;

    private static final LocalDate DAY = LocalDate.of(2026, 3, 8);

    /** A usage row whose model, and so whose key, differs with {@code output}. */
    private static Row usage(long output) {
        return usage("m" + output, output);
    }

    private static Row usage(String model, long output) {
        return TestRows.parse(UsageReport.DAILY, Instant.parse("2026-03-08T00:00:00Z"), """
                {"workspace_id": "w", "model": "%s", "service_tier": "priority", "context_window": "0-200k",
                 "inference_geo": "us", "account_id": "acct", "uncached_input_tokens": 1,
                 "cache_creation": {"ephemeral_5m_input_tokens": 2, "ephemeral_1h_input_tokens": 3},
                 "cache_read_input_tokens": 4, "output_tokens": %d,
                 "server_tool_use": {"web_search_requests": 6}}""".formatted(model, output)).get(0);
    }

    private static Row cost(String contextWindow) {
        return TestRows.parse(CostReport.INSTANCE, DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(), """
                {"workspace_id": "w", "description": "Claude Sonnet 4 Usage - Input Tokens", "cost_type": "tokens",
                 "model": "m", "service_tier": "standard", "context_window": "%s",
                 "token_type": "uncached_input_tokens", "inference_geo": "global", "currency": "USD",
                 "amount": "1"}""".formatted(contextWindow)).get(0);
    }

    /** The same pages in memory (a window that fits) and on disk (one that outgrew memory at the third row). */
    @ParameterizedTest
    @ValueSource(longs = {Spool.IN_MEMORY_BYTES, 300})
    void keepsCompletePagesAndDropsTheRestOfABrokenOne(long inMemoryBytes) throws Exception {
        try (Spool spool = new Spool(directory, UsageReport.DAILY, "usage", Long.MAX_VALUE, inMemoryBytes)) {
            spool.accept(usage(1));
            spool.accept(usage(2));
            spool.pageCompleted();
            spool.accept(usage(3));
            spool.discardPartialPage();
            spool.accept(usage(4));
            // The broken page is fetched again: its records may come again.
            spool.accept(usage(3));
            spool.pageCompleted();
            spool.accept(usage(5));

            List<Row> rows = new ArrayList<>();
            spool.forEach(rows::add);
            assertThat(rows).containsExactly(usage(1), usage(2), usage(4), usage(3));
            assertThat(spool.rows()).isEqualTo(4);
            List<Row> again = new ArrayList<>();
            spool.forEach(again::add);
            assertThat(again).isEqualTo(rows);
            boolean inMemory = inMemoryBytes == Spool.IN_MEMORY_BYTES;
            assertThat(spool.spilled()).isEqualTo(!inMemory);
            try (var files = Files.list(directory)) {
                assertThat(files.filter(f -> f.toString().endsWith(".spool")).mapToLong(f -> f.toFile().length()).sum())
                        .as("bytes on disk").matches(bytes -> inMemory ? bytes == 0 : bytes > 0);
            }
        }
    }

    /** A negative count of tokens is counted by day, of complete pages only, for the run to warn of. */
    @Test
    void rowsBelowZeroAreCountedByDayOfCompletePagesOnly() {
        try (Spool spool = new Spool(directory, UsageReport.DAILY, "usage", Long.MAX_VALUE)) {
            spool.accept(usage(-1));
            spool.accept(usage(2));
            spool.pageCompleted();
            spool.accept(usage(-3));
            spool.discardPartialPage();
            spool.accept(usage(-4));
            spool.pageCompleted();
            assertThat(spool.negativeRows()).containsExactly(java.util.Map.entry(LocalDate.of(2026, 3, 8), 2L));
        }
    }

    @Test
    void everyRowTypeSurvivesTheRoundTripExactly() {
        Row cost = TestRows.parse(CostReport.INSTANCE, DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(), """
                {"description": "Web Search Usage", "cost_type": "web_search", "currency": "USD",
                 "amount": "-0.30000000000000004"}""").get(0);
        List<Row> code = TestRows.claudeCode(DAY, """
                {"actor": {"type": "api_actor", "api_key_name": "ci-key"}, "terminal_type": "ci",
                 "customer_type": "api", "subscription_type": "max", "core_metrics": {"num_sessions": 1,
                 "lines_of_code": {"added": 2, "removed": 3}, "commits_by_claude_code": 4,
                 "pull_requests_by_claude_code": 5}, "tool_actions": {"x_tool": {"accepted": 7, "rejected": 8}},
                 "model_breakdown": [{"model": "m", "tokens": {"input": 1, "output": 2, "cache_read": 3,
                 "cache_creation": 4}, "estimated_cost": {"amount": "186.25", "currency": "USD"}}]}""");
        try (Spool costs = new Spool(directory, CostReport.INSTANCE, "cost", Long.MAX_VALUE);
                Spool codes = new Spool(directory, ClaudeCodeReport.INSTANCE, "claude_code", Long.MAX_VALUE)) {
            costs.accept(cost);
            costs.pageCompleted();
            code.forEach(codes::accept);
            codes.pageCompleted();
            List<Row> readCosts = new ArrayList<>();
            costs.forEach(readCosts::add);
            List<Row> readCodes = new ArrayList<>();
            codes.forEach(readCodes::add);
            assertThat(readCosts).containsExactly(cost);
            assertThat(readCosts.get(0).decimal("amount_cents").scale()).isEqualTo(17);
            assertThat(readCodes).isEqualTo(code);
            assertThat(readCodes.get(0).get("is_remote")).isNull();
            assertThat(codes.dayTotals()).containsExactly(java.util.Map.entry(DAY,
                    new dev.claudedataingestion.warehouse.DayTotal(1, new BigDecimal("1.8625"))));
        }
    }

    @Test
    void aRecordThatComesTwiceInAWindowFailsItInAPageOrAcrossPages() {
        try (Spool spool = new Spool(directory, UsageReport.DAILY, "usage 2026-03-08", Long.MAX_VALUE)) {
            spool.accept(usage(1));
            assertThatThrownBy(() -> spool.accept(usage(1))).isInstanceOf(AdminApiException.class)
                    .hasMessageContaining("usage 2026-03-08").hasMessageContaining("the same record came twice")
                    .hasMessageContaining("m1");
            spool.pageCompleted();
            // The same key with other figures is still the same fact twice.
            Row again = usage("m1", 9);
            assertThatThrownBy(() -> spool.accept(again)).isInstanceOf(AdminApiException.class);
        }
        // Lines of one description that differ by context window are distinct facts.
        try (Spool costs = new Spool(directory, CostReport.INSTANCE, "cost", Long.MAX_VALUE)) {
            costs.accept(cost("0-200k"));
            costs.accept(cost("200k-1M"));
            costs.pageCompleted();
            assertThat(costs.rows()).isEqualTo(2);
        }
    }

    @Test
    void anAnswerThatGrowsPastTheLimitFailsTheWindow() {
        try (Spool spool = new Spool(directory, UsageReport.DAILY, "usage", 100_000)) {
            assertThatThrownBy(() -> {
                for (long i = 0; i < 100_000; i++) {
                    spool.accept(usage(i));
                }
            }).isInstanceOf(AdminApiException.class).hasMessageContaining("spool limit of 100,000 bytes")
                    .hasMessageContaining("INGEST_SPOOL_LIMIT");
        }
    }

    @Test
    void whatDeadProcessesLeftIsRemovedAndTheRestKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path abandoned = Files.createFile(directory.resolve("claude-ingest-" + gone.pid() + "-1.spool"));
        Path live = Files.createFile(directory.resolve("claude-ingest-" + ProcessHandle.current().pid() + "-2.spool"));
        Path other = Files.createFile(directory.resolve("something-else.spool"));
        Path oldLibrary = Files.createFile(directory.resolve("libduckdb_java123.so"));
        Files.setLastModifiedTime(oldLibrary, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(3600)));
        Path newLibrary = Files.createFile(directory.resolve("libduckdb_java456.so"));

        Spool.removeAbandoned(directory);

        assertThat(abandoned).doesNotExist();
        assertThat(oldLibrary).doesNotExist();
        assertThat(live).exists();
        assertThat(other).exists();
        assertThat(newLibrary).exists();
    }

    @Test
    void aFolderThatCannotHoldTheSpoolIsALocalDiskErrorThatSaysWhatToDo() {
        Path missing = directory.resolve("gone");
        assertThatThrownBy(() -> new Spool(missing, UsageReport.DAILY, "usage", Long.MAX_VALUE))
                .isInstanceOf(SpoolException.class)
                .hasMessageStartingWith("could not create a local spool file in " + missing)
                .hasMessageContaining("the folder does not exist");
        // As root, which these tests may run as, a folder without write access is still writable: the message alone.
        assertThat(new SpoolException("create", directory, new java.nio.file.AccessDeniedException(
                directory.toString()))).hasMessage("could not create a local spool file in " + directory
                        + ": permission denied; give this user write access to " + directory + ", or point"
                        + " java.io.tmpdir at a folder it may write (JAVA_OPTS=-Djava.io.tmpdir=/some/folder)");
        assertThat(new SpoolException("write", directory, new java.io.IOException("No space left on device")))
                .hasMessageContaining("No space left on device; free disk space there");
    }

    @Test
    void deletesItsFileOnClose() throws Exception {
        new Spool(directory, UsageReport.DAILY, "usage", Long.MAX_VALUE).close();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }
}
