package dev.claudedataingestion.source;

/** Something that keeps what it received of a page only once the page is complete. */
public interface PageBoundary {

    /** Every row of the current page has been delivered; it will not be taken back. */
    void pageCompleted();

    /** Forget what was delivered since the last completed page: that page is fetched again. */
    void discardPartialPage();

    /** Both boundaries, in order. */
    static PageBoundary both(PageBoundary first, PageBoundary second) {
        return new PageBoundary() {
            @Override
            public void pageCompleted() {
                first.pageCompleted();
                second.pageCompleted();
            }

            @Override
            public void discardPartialPage() {
                first.discardPartialPage();
                second.discardPartialPage();
            }
        };
    }
}
