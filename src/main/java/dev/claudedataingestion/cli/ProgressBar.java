package dev.claudedataingestion.cli;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.pipeline.IngestListener;
import dev.claudedataingestion.sink.WriteResult;
import java.io.PrintStream;
import java.util.List;

/** A one-line progress bar on a terminal, redrawn after each window written. */
final class ProgressBar implements IngestListener {

    private static final int WIDTH = 30;

    private final PrintStream err;
    private int windows;
    private int done;
    private long days;
    private long rows;

    ProgressBar(PrintStream err) {
        this.err = err;
    }

    @Override
    public void planned(ReportKind report, List<DayRange> plannedWindows) {
        windows += plannedWindows.size();
    }

    @Override
    public void written(WriteResult result) {
        done++;
        days += result.days().size();
        rows += result.rows();
        int filled = windows == 0 ? WIDTH : (int) ((long) WIDTH * done / windows);
        err.printf("\r\033[K[%s%s] %d/%d windows, %,d days, %,d rows (%s %s)", "#".repeat(filled),
                " ".repeat(WIDTH - filled), done, windows, days, rows, result.report(), result.days());
        err.flush();
    }

    @Override
    public void finished() {
        if (done > 0) {
            err.println();
        }
    }
}
