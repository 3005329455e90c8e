package dev.claudedataingestion.source;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Keeps the rows of complete pages, as the pipeline's spool does, and counts the pages it dropped. */
final class CollectingSink<T> implements PageSink<T> {

    /** For {@code AdminApiClient.fetch}, where the days a report completes do not matter. */
    static final Consumer<LocalDate> NO_DAYS = day -> { };

    final List<T> rows = new ArrayList<>();
    private final List<T> page = new ArrayList<>();
    int pages;
    int discarded;

    @Override
    public void accept(T row) {
        page.add(row);
    }

    @Override
    public void pageCompleted() {
        rows.addAll(page);
        page.clear();
        pages++;
    }

    @Override
    public void discardPartialPage() {
        page.clear();
        discarded++;
    }
}
