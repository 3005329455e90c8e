package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.WriteResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void redrawsOneLineWithWindowsDaysAndRows() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        DayRange january = DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 31));
        DayRange february = DayRange.of(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 28));
        bar.planned(ReportKind.USAGE, List.of(january, february));
        bar.planned(ReportKind.COST, List.of(january, february));
        bar.written(new WriteResult(ReportKind.USAGE, january, 1_234));
        bar.written(new WriteResult(ReportKind.USAGE, february, 1_000));
        bar.finished();

        String text = bytes.toString(StandardCharsets.UTF_8);
        String[] frames = text.split("\r\033\\[K");
        assertThat(frames[1]).startsWith("[" + "#".repeat(7) + " ".repeat(23) + "] 1/4 windows, 31 days, 1,234 rows");
        assertThat(frames[2]).startsWith("[" + "#".repeat(15) + " ".repeat(15) + "] 2/4 windows, 59 days, 2,234 rows")
                .contains("usage 2026-02-01..2026-02-28").endsWith("\n");
    }

    @Test
    void aReportFetchedADayAtATimeMovesTheBarEachDay() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        bar.planned(ReportKind.CLAUDE_CODE, List.of(DayRange.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 31))));
        bar.fetched(ReportKind.CLAUDE_CODE, LocalDate.of(2026, 1, 1));
        bar.fetched(ReportKind.CLAUDE_CODE, LocalDate.of(2026, 1, 2));

        String[] frames = bytes.toString(StandardCharsets.UTF_8).split("\r\033\\[K");
        assertThat(frames).hasSize(3);
        assertThat(frames[2]).contains("0/1 windows").contains("claude_code 2026-01-02, fetching");
    }
}
