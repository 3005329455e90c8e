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
    <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records, Function<Rows, R> rows);

    /**
     * A bucket width: its length, its name in {@code bucket_width}, and the most buckets of it a page may hold (the
     * {@code limit} the API allows for it).
     */
    record BucketWidth(Duration length, String name, int maxPerPage) {
        /** Daily buckets, 31 to a page. */
        public static final BucketWidth DAY = new BucketWidth(Duration.ofDays(1), "1d", 31);
        /** Hourly buckets, 168 (a week) to a page. */
        public static final BucketWidth HOUR = new BucketWidth(Duration.ofHours(1), "1h", 168);
    }

    /**
     * A report of time buckets ({@code starting_at}, {@code ending_at}, {@code bucket_width}, {@code group_by[]}),
     * paged with {@code page}; each bucket's {@code results} are the elements.
     *
     * @param shrinkWhenTooLarge whether a 400 means the page was too large, to be asked again in smaller pages
     */
    record Buckets(String path, BucketWidth bucketWidth, List<String> groupBy, boolean shrinkWhenTooLarge)
            implements Endpoint {

        public Buckets {
            groupBy = List.copyOf(groupBy);
        }

        /** The length of a bucket. */
        public Duration width() {
            return bucketWidth.length();
        }

        /** The bucket width as {@code bucket_width} names it. */
        public String widthName() {
            return bucketWidth.name();
        }

        /** The {@code limit} the API allows for this width. */
        public int maxBucketsPerPage() {
            return bucketWidth.maxPerPage();
        }

        @Override
        public <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records, Function<Rows, R> rows) {
            return buckets.apply(this);
        }
    }

    /** A report of one UTC day per request ({@code starting_at=YYYY-MM-DD}), paged with {@code page}. */
    record DailyRecords(String path, int limit) implements Endpoint {

        @Override
        public <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records, Function<Rows, R> rows) {
            return records.apply(this);
        }
    }

    /**
     * A report of grouped rows, each carrying its own time bucket ({@code starting_at}, {@code ending_at},
     * {@code time_bucket_width}, {@code group_by[]}), paged with {@code page}: the Usage and Cost Analytics API. Rows
     * come in any order, and a page may hold more rows than {@code limit} (the cost report's fan-out by cost and
     * token type does not count).
     *
     * @param beta the {@code anthropic-beta} header the endpoint requires
     */
    record Rows(String path, String beta, Duration width, String widthName, int limit, List<String> groupBy)
            implements Endpoint {

        public Rows {
            groupBy = List.copyOf(groupBy);
        }

        @Override
        public <R> R match(Function<Buckets, R> buckets, Function<DailyRecords, R> records, Function<Rows, R> rows) {
            return rows.apply(this);
        }
    }
}
