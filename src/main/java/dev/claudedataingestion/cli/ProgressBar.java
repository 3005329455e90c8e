package dev.claudedataingestion.cli;

import dev.claudedataingestion.ingest.IngestListener;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.WriteResult;
import java.io.PrintStream;
import java.util.List;

/** A one-line progress bar on a terminal, redrawn after each window written and each day fetched a day at a time. */
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
    public synchronized void planned(ReportKind report, List<DayRange> plannedWindows) {
        windows += plannedWindows.size();
    }

    @Override
    public synchronized void written(WriteResult result) {
        done++;
        days += result.days().size();
        rows += result.rows();
        draw(result.report() + " " + result.days());
    }

    /** Reports fetched a day at a time move the bar each day, not only when their 31-day window is written. */
    @Override
    public synchronized void fetched(ReportKind report, java.time.LocalDate day) {
        draw(report + " " + day + ", fetching");
    }

    private void draw(String doing) {
        int filled = windows == 0 ? WIDTH : (int) ((long) WIDTH * done / windows);
        err.printf("\r\033[K[%s%s] %d/%d windows, %,d days, %,d rows (%s)", "#".repeat(filled),
                " ".repeat(WIDTH - filled), done, windows, days, rows, doing);
        err.flush();
    }

    @Override
    public synchronized void finished() {
        if (done > 0) {
            err.println();
        }
    }
}
