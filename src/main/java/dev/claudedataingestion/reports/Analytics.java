package dev.claudedataingestion.reports;

import java.time.LocalDate;
import java.util.Optional;

/** What the Usage and Cost Analytics API serves: days from 2026-01-01, and none older than 365 days. */
final class Analytics {

    /** The first day the API has. */
    static final LocalDate FIRST_DAY = LocalDate.of(2026, 1, 1);
    /** How far back from today the API answers. */
    static final int DAYS_BACK = 365;

    private Analytics() {
    }

    /**
     * A 403: the key may not read these reports; a 400 that names HIPAA: the organization has HIPAA readiness, for
     * which the API answers every request with 400.
     */
    static Optional<String> unavailable(int status, String message) {
        if (status == 403) {
            return Optional.of("the key may not read the Usage and Cost Analytics API; it takes an Admin key, or an"
                    + " API key with the read:analytics scope");
        }
        if (status == 400 && message != null && message.contains("HIPAA")) {
            return Optional.of("the organization has HIPAA readiness enabled, and the Usage and Cost Analytics API is"
                    + " not available to it");
        }
        return Optional.empty();
    }

    static LocalDate firstDayOffered(LocalDate today) {
        LocalDate oldest = today.minusDays(DAYS_BACK - 1L);
        return oldest.isAfter(FIRST_DAY) ? oldest : FIRST_DAY;
    }
}
