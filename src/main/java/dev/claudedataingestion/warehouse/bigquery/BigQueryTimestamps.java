package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.bigquery.QueryParameterValue;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The one place instants become BigQuery TIMESTAMPs. BigQuery keeps microseconds and refuses a load whose
 * timestamps carry seven or more fractional digits, which {@link Instant#toString()} writes for a clock with
 * nanoseconds; so every instant is cut to microseconds here, for loads and query parameters alike.
 */
final class BigQueryTimestamps {

    private BigQueryTimestamps() {
    }

    /** {@code 2025-03-01T10:15:30.123456Z}: at most six fractional digits. */
    static String text(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).toString();
    }

    static QueryParameterValue parameter(Instant instant) {
        return instant == null ? QueryParameterValue.timestamp((String) null)
                : QueryParameterValue.timestamp(Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
                        instant.getNano() / 1_000));
    }
}
