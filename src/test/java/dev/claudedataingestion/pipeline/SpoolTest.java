package dev.claudedataingestion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudedataingestion.model.ClaudeCodeModelRow;
import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.CostRow;
import dev.claudedataingestion.model.UsageRow;
import dev.claudedataingestion.source.AdminApiException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path directory;

    /** A usage row whose model, and so whose key, differs with {@code output}. */
    private static UsageRow usage(long output) {
        return new UsageRow(Instant.parse("2026-03-08T00:00:00Z"), "1d", null, "w", "m" + output, "priority", "0-200k",
                "us", "acct", null, 1, 2, 3, 4, output, 6);
    }

    @Test
    void keepsCompletePagesAndDropsTheRestOfABrokenOne() {
        try (Spool<UsageRow> spool = new Spool<>(directory, RowCodec.USAGE, "usage", Long.MAX_VALUE)) {
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

            List<UsageRow> rows = new ArrayList<>();
            spool.forEach(rows::add);
            assertThat(rows).containsExactly(usage(1), usage(2), usage(4), usage(3));
            assertThat(spool.rows()).isEqualTo(4);
            List<UsageRow> again = new ArrayList<>();
            spool.forEach(again::add);
            assertThat(again).isEqualTo(rows);
        }
    }

    @Test
    void everyRowTypeSurvivesTheRoundTripExactly() {
        CostRow cost = new CostRow(LocalDate.of(2026, 3, 8), null, "Web Search Usage", "web_search", null, null, null,
                null, null, "USD", new BigDecimal("-0.30000000000000004"));
        ClaudeCodeRow code = new ClaudeCodeRow(LocalDate.of(2026, 3, 8), "api_actor", null, "ci-key", "ci", null,
                "api", "max", 1, 2, 3, 4, 5, Map.of("x_tool", new ClaudeCodeRow.ToolActions(7, 8)),
                List.of(new ClaudeCodeModelRow("m", 1, 2, 3, 4, new BigDecimal("186.25"))));
        try (Spool<CostRow> costs = new Spool<>(directory, RowCodec.COST, "cost", Long.MAX_VALUE);
                Spool<ClaudeCodeRow> codes = new Spool<>(directory, RowCodec.CLAUDE_CODE, "claude_code", Long.MAX_VALUE)) {
            costs.accept(cost);
            costs.pageCompleted();
            codes.accept(code);
            codes.pageCompleted();
            List<CostRow> readCosts = new ArrayList<>();
            costs.forEach(readCosts::add);
            List<ClaudeCodeRow> readCodes = new ArrayList<>();
            codes.forEach(readCodes::add);
            assertThat(readCosts).containsExactly(cost);
            assertThat(readCosts.get(0).amountCents().scale()).isEqualTo(17);
            assertThat(readCodes).containsExactly(code);
        }
    }

    @Test
    void aRecordThatComesTwiceInAWindowFailsItInAPageOrAcrossPages() {
        try (Spool<UsageRow> spool = new Spool<>(directory, RowCodec.USAGE, "usage 2026-03-08", Long.MAX_VALUE)) {
            spool.accept(usage(1));
            assertThatThrownBy(() -> spool.accept(usage(1))).isInstanceOf(AdminApiException.class)
                    .hasMessageContaining("usage 2026-03-08").hasMessageContaining("the same record came twice")
                    .hasMessageContaining("m1");
            spool.pageCompleted();
            // The same key with other figures is still the same fact twice.
            UsageRow again = new UsageRow(usage(1).bucketStart(), "1d", null, "w", "m1", "priority", "0-200k", "us",
                    "acct", null, 9, 9, 9, 9, 9, 9);
            assertThatThrownBy(() -> spool.accept(again)).isInstanceOf(AdminApiException.class);
        }
        // Lines of one description that differ by context window are distinct facts.
        CostRow shortContext = new CostRow(LocalDate.of(2026, 3, 8), "w", "Claude Sonnet 4 Usage - Input Tokens",
                "tokens", "m", "standard", "0-200k", "uncached_input_tokens", "global", "USD", BigDecimal.ONE);
        CostRow longContext = new CostRow(LocalDate.of(2026, 3, 8), "w", "Claude Sonnet 4 Usage - Input Tokens",
                "tokens", "m", "standard", "200k-1M", "uncached_input_tokens", "global", "USD", BigDecimal.ONE);
        try (Spool<CostRow> costs = new Spool<>(directory, RowCodec.COST, "cost", Long.MAX_VALUE)) {
            costs.accept(shortContext);
            costs.accept(longContext);
            costs.pageCompleted();
            assertThat(costs.rows()).isEqualTo(2);
        }
    }

    @Test
    void anAnswerThatGrowsPastTheLimitFailsTheWindow() {
        try (Spool<UsageRow> spool = new Spool<>(directory, RowCodec.USAGE, "usage", 100_000)) {
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
    void deletesItsFileOnClose() throws Exception {
        new Spool<>(directory, RowCodec.USAGE, "usage", Long.MAX_VALUE).close();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }
}
