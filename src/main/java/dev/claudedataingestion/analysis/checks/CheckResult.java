package dev.claudedataingestion.analysis.checks;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/** The outcome of one check: its status, one line that says what was found, and the evidence behind it. */
public record CheckResult(String check, Status status, String message, List<String> evidence) {

    /** Ordered from best to worst. */
    public enum Status {
        OK, WARN, FAIL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public CheckResult {
        requireNonNull(check, "check is null");
        requireNonNull(status, "status is null");
        requireNonNull(message, "message is null");
        evidence = List.copyOf(evidence);
    }

    static CheckResult ok(String check, String message) {
        return new CheckResult(check, Status.OK, message, List.of());
    }
}
