package dev.claudedataingestion.source;

import java.util.ArrayList;
import java.util.List;

/** Keeps the rows of complete pages, as the pipeline's spool does, and counts the pages it dropped. */
final class CollectingSink<T> implements PageSink<T> {

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
