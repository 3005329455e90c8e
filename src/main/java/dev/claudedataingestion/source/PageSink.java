package dev.claudedataingestion.source;

/**
 * Receives the rows of a report as they are parsed, page by page. A page that fails part way (a dropped
 * connection, a truncated body) is fetched again, so the rows it already delivered must be dropped when
 * {@link #discardPartialPage()} is called.
 */
public interface PageSink<T> extends PageBoundary {

    void accept(T row);
}
