package dev.claudedataingestion.sink.bigquery;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import java.util.Locale;

/**
 * What a BigQuery failure means, decided in one place by small predicates over its reason and message
 * (https://cloud.google.com/bigquery/docs/error-messages).
 */
final class BigQueryErrors {

    private BigQueryErrors() {
    }

    static boolean isRateLimitExceeded(BigQueryError error) {
        return "rateLimitExceeded".equals(error.getReason());
    }

    static boolean isQuotaExceeded(BigQueryError error) {
        return "quotaExceeded".equals(error.getReason());
    }

    static boolean isBackendError(BigQueryError error) {
        return "backendError".equals(error.getReason()) || "internalError".equals(error.getReason());
    }

    /** Two transactions changed the same table; BigQuery aborts one of them, which may simply run again. */
    static boolean isConcurrentUpdate(BigQueryError error) {
        String message = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
        return message.contains("concurrent update") || message.contains("could not serialize access");
    }

    /** Worth another attempt: the same request may succeed in a moment. Quota exhaustion will not. */
    static boolean isRetryable(BigQueryError error) {
        return isRateLimitExceeded(error) || isBackendError(error) || isConcurrentUpdate(error);
    }

    static BigQueryError of(BigQueryException exception) {
        BigQueryError error = exception.getError();
        return error != null ? error
                : new BigQueryError(exception.getReason(), null, exception.getMessage());
    }

    /** A failure as one line: reason, message, and what to do about the usual ones. */
    static String describe(BigQueryError error) {
        String text = (error.getReason() == null ? "error" : error.getReason()) + ": " + error.getMessage();
        if (isQuotaExceeded(error)) {
            return text + " (a BigQuery quota is used up; see the project's quotas page or try later)";
        }
        if ("accessDenied".equals(error.getReason())) {
            return text + " (the job's service account needs BigQuery Data Editor on the dataset and Job User on"
                    + " the project)";
        }
        return text;
    }
}
