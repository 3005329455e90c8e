package dev.claudedataingestion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.ClaudeCodeModelRow;
import dev.claudedataingestion.model.ClaudeCodeRow;
import dev.claudedataingestion.model.CostRow;
import dev.claudedataingestion.model.UsageRow;
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

    private static UsageRow usage(long output) {
        return new UsageRow(Instant.parse("2026-03-08T00:00:00Z"), "1d", null, "w", "m", "priority", "0-200k", "us",
                "acct", null, 1, 2, 3, 4, output, 6);
    }

    @Test
    void keepsCompletePagesAndDropsTheRestOfABrokenOne() {
        try (Spool<UsageRow> spool = new Spool<>(directory, RowCodec.USAGE)) {
            spool.accept(usage(1));
            spool.accept(usage(2));
            spool.pageCompleted();
            spool.accept(usage(3));
            spool.discardPartialPage();
            spool.accept(usage(4));
            spool.pageCompleted();
            spool.accept(usage(5));

            List<UsageRow> rows = new ArrayList<>();
            spool.forEach(rows::add);
            assertThat(rows).containsExactly(usage(1), usage(2), usage(4));
            assertThat(spool.rows()).isEqualTo(3);
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
        try (Spool<CostRow> costs = new Spool<>(directory, RowCodec.COST);
                Spool<ClaudeCodeRow> codes = new Spool<>(directory, RowCodec.CLAUDE_CODE)) {
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
    void deletesItsFileOnClose() throws Exception {
        new Spool<>(directory, RowCodec.USAGE).close();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
    }
}
