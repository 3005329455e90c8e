package dev.claudedataingestion.source;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The buckets a bucketed report request asks for: {@code [start, end)} in steps of {@code step}. */
record BucketSpan(Instant start, Instant end, Duration step, String width) {

    private static final Logger log = LoggerFactory.getLogger(BucketSpan.class);

    static LocalDate day(Instant bucketStart) {
        return LocalDate.ofInstant(bucketStart, ZoneOffset.UTC);
    }

    Cursor cursor() {
        return new Cursor();
    }

    /** The start of the bucket whose bounds are given: one aligned step inside the span, or the answer is broken. */
    Instant bucket(String startText, String endText, String requestId, String context) {
        Instant bucketStart = instant(startText, "starting_at", requestId, context);
        Instant bucketEnd = instant(endText, "ending_at", requestId, context);
        if (bucketStart.isBefore(start) || bucketEnd.isAfter(end)) {
            throw AdminApiException.invalidResponse("bucket " + bucketStart + ".." + bucketEnd
                    + " is outside the requested window " + start + ".." + end, requestId, context);
        }
        if (!bucketEnd.equals(bucketStart.plus(step)) || bucketStart.getEpochSecond() % step.getSeconds() != 0) {
            throw AdminApiException.invalidResponse("bucket " + bucketStart + ".." + bucketEnd
                    + " is not one aligned " + width + " bucket", requestId, context);
        }
        return bucketStart;
    }

    private static Instant instant(String text, String field, String requestId, String context) {
        if (text == null) {
            throw AdminApiException.invalidResponse("a bucket has no " + field, requestId, context);
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw AdminApiException.invalidResponse("bucket " + field + " '" + text + "' is not an RFC 3339 time",
                    requestId, context);
        }
    }

    /**
     * Checks the buckets of an answer as they arrive: each one {@link #bucket}, and later than the one before, so
     * that no bucket is counted twice. Buckets of a page that is fetched again are
     * forgotten with the page.
     */
    final class Cursor implements PageBoundary {
        private Instant committedEnd = start;
        private Instant pageEnd = start;
        private long committedBuckets;
        private long pageBuckets;

        Instant accept(String startText, String endText, String requestId, String context) {
            Instant bucketStart = bucket(startText, endText, requestId, context);
            if (bucketStart.isBefore(pageEnd)) {
                throw AdminApiException.invalidResponse("bucket " + bucketStart + " came twice or out of order",
                        requestId, context);
            }
            pageEnd = bucketStart.plus(step);
            pageBuckets++;
            return bucketStart;
        }

        /** Where a new request must start to get the buckets not yet received in complete pages. */
        Instant nextExpected() {
            return committedEnd;
        }

        @Override
        public void pageCompleted() {
            committedEnd = pageEnd;
            committedBuckets += pageBuckets;
            pageBuckets = 0;
        }

        @Override
        public void discardPartialPage() {
            pageEnd = committedEnd;
            pageBuckets = 0;
        }

        /**
         * The documentation says empty buckets are sent too; an answer that leaves some out is taken to mean
         * those buckets were empty, and said so.
         */
        void finish(String context) {
            long expected = Duration.between(start, end).dividedBy(step);
            if (committedBuckets != expected) {
                log.warn("{}: the API sent {} of {} buckets; the missing ones are taken as empty", context,
                        committedBuckets, expected);
            }
        }
    }
}
