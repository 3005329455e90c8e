package dev.claudedataingestion.warehouse.bigquery;

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

    /** Too many requests or table updates for now; "Job exceeded rate limits" comes with other reasons too. */
    static boolean isRateLimitExceeded(BigQueryError error) {
        return "rateLimitExceeded".equals(error.getReason()) || "jobRateLimitExceeded".equals(error.getReason())
                || (error.getMessage() != null && error.getMessage().startsWith("Job exceeded rate limits"));
    }

    static boolean isQuotaExceeded(BigQueryError error) {
        return "quotaExceeded".equals(error.getReason());
    }

    /** BigQuery's own failures, of a request or of a running job; the documentation says to retry them. */
    static boolean isBackendError(BigQueryError error) {
        return switch (String.valueOf(error.getReason())) {
            case "backendError", "internalError", "jobBackendError", "jobInternalError" -> true;
            default -> false;
        };
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

    /**
     * A request that failed without BigQuery's verdict: a 5xx without a reason, or no answer at all (a dropped
     * connection, which the client reports with code 0).
     */
    static boolean isUnanswered(BigQueryException exception) {
        return exception.getCode() >= 500 || exception.getCode() == 0 || exception.isRetryable();
    }

    /** The statement itself is wrong: a syntax error, an unknown name, a type BigQuery will not take. */
    static boolean isInvalidQuery(BigQueryError error) {
        return "invalidQuery".equals(error.getReason());
    }

    /** A job stopped at its {@code jobTimeoutMs}. */
    static boolean isTimeout(BigQueryError error) {
        return "timeout".equals(error.getReason()) || "jobTimeout".equals(error.getReason());
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
