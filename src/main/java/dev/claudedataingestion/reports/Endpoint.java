package dev.claudedataingestion.reports;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * How a report is requested. Code that treats the kinds differently goes through {@link #match}, so that a new kind
 * fails to compile until every such place handles it.
 */
public sealed interface Endpoint {

    String path();

    /** {@code buckets} or {@code records} applied to this endpoint, by its kind. */
    <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records);

    /**
     * A report of time buckets ({@code starting_at}, {@code ending_at}, {@code bucket_width}, {@code group_by[]}),
     * paged with {@code page}; each bucket's {@code results} are the elements.
     *
     * @param maxBucketsPerPage  the {@code limit} the API allows for this width
     * @param shrinkWhenTooLarge whether a 400 means the page was too large, to be asked again in smaller pages
     */
    record Buckets(String path, Duration width, String widthName, int maxBucketsPerPage, List<String> groupBy,
            boolean shrinkWhenTooLarge) implements Endpoint {

        public Buckets {
            groupBy = List.copyOf(groupBy);
        }

        @Override
        public <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records) {
            return buckets.apply(this);
        }
    }

    /** A report of one UTC day per request ({@code starting_at=YYYY-MM-DD}), paged with {@code page}. */
    record DailyRecords(String path, int limit) implements Endpoint {

        @Override
        public <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records) {
            return records.apply(this);
        }
    }
}
