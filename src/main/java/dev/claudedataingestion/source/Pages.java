package dev.claudedataingestion.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.reports.Json;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads a report's pages as they stream in, strictly: {@code {"data":[…],"has_more":…,"next_page":…}}, buckets whose
 * results are handed on as soon as the bucket's start is known, and cursors that must move on.
 */
final class Pages {

    private Pages() {
    }

    interface ResultHandler {
        void handle(JsonNode result, Instant bucketStart);
    }

    /**
     * The cursors of one paged read. A page that says there is more must have brought something and must point
     * somewhere new: an empty page with {@code has_more}, or a cursor seen before, would page forever.
     */
    static final class Cursors {
        private final String context;
        private final java.util.Set<String> seen = new java.util.HashSet<>();

        Cursors(String context) {
            this.context = context;
        }

        /** {@code next}, checked; null at the end. */
        String next(String next, int elements, String requestId) {
            if (next == null) {
                return null;
            }
            if (elements == 0) {
                throw AdminApiException.invalidResponse("a page with nothing in it says there is more (has_more with"
                        + " an empty data array); the cursor does not move on", requestId, context);
            }
            if (!seen.add(next)) {
                throw AdminApiException.invalidResponse("the cursor " + Json.excerpt(next) + " came before;"
                        + " paging would repeat pages", requestId, context);
            }
            return next;
        }
    }

    /** Reads one bucket; its results are handed on as soon as the bucket's start is known. */
    static void readBucket(ObjectMapper mapper, JsonParser parser, BucketSpan.Cursor cursor,
            String requestId, String context, ResultHandler handler) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw AdminApiException.invalidResponse("a bucket is not an object", requestId, context);
        }
        String startText = null;
        String endText = null;
        JsonNode bufferedResults = null;
        Instant bucketStart = null;
        boolean sawResults = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "starting_at" -> startText = parser.getValueAsString();
                case "ending_at" -> endText = parser.getValueAsString();
                case "results" -> {
                    sawResults = true;
                    if (parser.currentToken() != JsonToken.START_ARRAY) {
                        throw AdminApiException.invalidResponse("bucket results are not an array", requestId, context);
                    }
                    if (startText == null || endText == null) {
                        bufferedResults = mapper.readTree(parser);
                    } else {
                        bucketStart = cursor.accept(startText, endText, requestId, context);
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            handle(mapper.readTree(parser), bucketStart, handler, requestId, context);
                        }
                    }
                }
                default -> parser.skipChildren();
            }
        }
        if (bucketStart == null) {
            bucketStart = cursor.accept(startText, endText, requestId, context);
            if (bufferedResults != null) {
                for (JsonNode result : bufferedResults) {
                    handle(result, bucketStart, handler, requestId, context);
                }
            }
        }
        if (!sawResults) {
            throw AdminApiException.invalidResponse("bucket " + startText + " has no results", requestId, context);
        }
    }

    private static void handle(JsonNode result, Instant bucketStart, ResultHandler handler, String requestId,
            String context) {
        try {
            handler.handle(result, bucketStart);
        } catch (Json.InvalidResponse e) {
            throw AdminApiException.invalidResponse("bucket " + bucketStart + ": " + e.getMessage(), requestId, context);
        }
    }

    interface ElementReader {
        void read(JsonParser parser) throws IOException;
    }

    /** Paging fields of a report page. */
    record PageInfo(boolean hasMore, String next, String requestId, int elements) {
        /** The cursor of the next page, or null at the end; {@code has_more} without a cursor is broken. */
        String nextPage(String context) {
            if (!hasMore) {
                return null;
            }
            if (next == null || next.isBlank()) {
                throw AdminApiException.invalidResponse("has_more is true but next_page is missing", requestId,
                        context);
            }
            return next;
        }
    }

    /** Reads {@code {"data":[…],"has_more":…,"next_page":…}}, handing each element of data to {@code reader}. */
    static PageInfo readPage(JsonParser parser, String requestId, String context, ElementReader reader)
            throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw AdminApiException.invalidResponse("the answer is not a JSON object", requestId, context);
        }
        boolean sawData = false;
        boolean hasMore = false;
        String next = null;
        int elements = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "data" -> {
                    if (value != JsonToken.START_ARRAY) {
                        throw AdminApiException.invalidResponse("data is not an array", requestId, context);
                    }
                    sawData = true;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (parser.currentToken() == null) {
                            throw new IOException("the body ended inside data");
                        }
                        elements++;
                        try {
                            reader.read(parser);
                        } catch (Json.InvalidResponse e) {
                            throw AdminApiException.invalidResponse(e.getMessage(), requestId, context);
                        }
                    }
                }
                case "has_more" -> {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL) {
                        throw AdminApiException.invalidResponse("has_more is not a boolean", requestId, context);
                    }
                    hasMore = value == JsonToken.VALUE_TRUE;
                }
                case "next_page" -> next = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                default -> parser.skipChildren();
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("the body ended before the answer was complete");
        }
        if (!sawData) {
            throw AdminApiException.invalidResponse("the answer has no data array", requestId, context);
        }
        return new PageInfo(hasMore, next, requestId, elements);
    }
}
