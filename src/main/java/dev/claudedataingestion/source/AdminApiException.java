package dev.claudedataingestion.source;

import dev.claudedataingestion.model.SafeText;
import dev.claudedataingestion.reports.Json;

/**
 * The Admin API refused a request, kept failing after retries, or answered with something that breaks the
 * documented contract. Carries what an operator needs to ask Anthropic about it: status, error type and
 * request id. The message never contains the key.
 */
public class AdminApiException extends RuntimeException {

    /** Error type used for answers that break the documented response structure. */
    public static final String INVALID_RESPONSE = "invalid_response";
    /** Error type used when no HTTP answer arrived (connection refused, reset, timed out). */
    public static final String CONNECTION_FAILED = "connection_failed";
    /** Error type used when the run's deadline leaves no time to ask again or to wait for an answer. */
    public static final String DEADLINE = "deadline";

    /** What the API says is kept to this length: enough for any real message, not for a page of HTML. */
    private static final int MESSAGE_LIMIT = 500;

    private final int status;
    private final String errorType;
    private final String apiMessage;
    private final String requestId;

    public AdminApiException(int status, String errorType, String apiMessage, String requestId, String context,
            Throwable cause) {
        super(render(status, errorType, apiMessage, requestId, context), cause);
        this.status = status;
        this.errorType = errorType;
        this.apiMessage = apiMessage == null ? null : excerpt(apiMessage, MESSAGE_LIMIT);
        this.requestId = requestId;
    }

    /** A response that breaks the documented structure; not retried. */
    public static AdminApiException invalidResponse(String what, String requestId, String context) {
        return new AdminApiException(200, INVALID_RESPONSE, what, requestId, context, null);
    }

    /** The run's deadline came first; {@code problem} is what was being waited out, when anything was. */
    public static AdminApiException deadline(String problem, String context) {
        return new AdminApiException(0, DEADLINE, "the run's deadline leaves no time"
                + (problem == null ? "" : " to wait out " + problem), null, context, null);
    }

    /**
     * Something the API sent, fit for a message and a log line: control characters (a newline would forge a log
     * line) escaped, at most {@code limit} characters, and no key.
     */
    public static String excerpt(String text, int limit) {
        return Json.excerpt(text, limit);
    }

    /** The API's 400 for a page with more usage than one page can hold: ask again with a lower {@code limit}. */
    public static final String PAGE_TOO_LARGE = "report_page_too_large";
    /** The API's 400 for a day with usage in more groups than the report can return; its message names another endpoint. */
    public static final String TOO_MANY_GROUPS = "too_many_report_groups";

    /** Whether the API said the page asked for holds more than one page can ({@link #PAGE_TOO_LARGE}). */
    public boolean isPageTooLarge() {
        return status == 400 && PAGE_TOO_LARGE.equals(errorType);
    }

    /** Whether the API said a day of the report has more groups than it can return ({@link #TOO_MANY_GROUPS}). */
    public boolean isTooManyGroups() {
        return status == 400 && TOO_MANY_GROUPS.equals(errorType);
    }

    /** Error type used when this process was interrupted (SIGINT, SIGTERM) while it sent or waited. */
    public static final String INTERRUPTED = "interrupted";

    /** Whether this process stopped the request, being asked to stop. */
    public boolean isInterrupted() {
        return INTERRUPTED.equals(errorType);
    }

    /** Whether the run's deadline, not the API, ended the request. */
    public boolean isDeadline() {
        return DEADLINE.equals(errorType);
    }

    private static String render(int status, String errorType, String apiMessage, String requestId, String context) {
        StringBuilder text = new StringBuilder();
        if (context != null) {
            text.append(context).append(": ");
        }
        if (status > 0 && !INVALID_RESPONSE.equals(errorType)) {
            text.append("Admin API answered ").append(status).append(' ');
        }
        text.append(errorType == null ? "error" : errorType);
        if (apiMessage != null && !apiMessage.isBlank()) {
            text.append(": ").append(excerpt(apiMessage, MESSAGE_LIMIT));
        }
        if (requestId != null) {
            text.append(" (request-id ").append(requestId).append(')');
        }
        String hint = "organization".equals(context) && status == 403
                ? "The organization request itself was refused: check that the key is an Admin key of this"
                        + " organization and that ANTHROPIC_BASE_URL is the Admin API (a proxy's page can answer 403)"
                : hint(status);
        if (hint != null) {
            text.append(". ").append(hint);
        }
        return SafeText.redact(text.toString());
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> "Check that ANTHROPIC_ADMIN_API_KEY holds an active Admin key of this organization";
            case 403 -> "The key is valid but may not read this report; ask an organization admin for an Admin key";
            case 404 -> "Check ANTHROPIC_BASE_URL";
            default -> null;
        };
    }

    /** HTTP status, or 0 when no answer arrived. */
    public int status() {
        return status;
    }

    public String errorType() {
        return errorType;
    }

    public String apiMessage() {
        return apiMessage;
    }

    /** The {@code request-id} of the failed request, when the API sent one. */
    public String requestId() {
        return requestId;
    }
}
