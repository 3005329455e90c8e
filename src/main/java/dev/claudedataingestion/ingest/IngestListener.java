package dev.claudedataingestion.ingest;

import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.warehouse.WriteResult;
import java.util.List;

/** Hears how a run progresses, for a progress bar; every hook does nothing by default. */
public interface IngestListener {

    IngestListener NONE = new IngestListener() {
    };

    default void planned(ReportKind report, List<DayRange> windows) {
    }

    /**
     * A day of a window fetched, for reports fetched a day at a time (Claude Code): the window is not written yet.
     * Called on the job's fetching thread, while the window before may be being written on the run's.
     */
    default void fetched(ReportKind report, java.time.LocalDate day) {
    }

    default void written(WriteResult result) {
    }

    /**
     * A window written: how long fetching it (requests, parsing, spooling) took, how much of that was spent waiting on
     * the API (for headers, and blocked reading bodies), and how long replacing it took.
     */
    default void timed(WriteResult result, java.time.Duration fetch, java.time.Duration waiting,
            java.time.Duration write) {
    }

    default void finished() {
    }
}
