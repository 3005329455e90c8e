package dev.claudedataingestion.warehouse;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What bounds one statement a user gave {@code query}: whose rows it sees, how long it may run on the warehouse,
 * whether a privileged login may run it, and how it is stopped from another thread (Ctrl-C, SIGTERM).
 *
 * @param organization        the organization every unqualified table and view is scoped to, when set
 * @param timeout             the longest the statement may run; the warehouse stops it there
 * @param allowPrivilegedRole whether a login that could read the server's files or signal its sessions may run it
 * @param cancellation        where the warehouse registers how to stop the running statement
 * @param views               the views scoped with the tables when {@code organization} is set
 */
public record UserQuery(Optional<String> organization, Duration timeout, boolean allowPrivilegedRole,
        Cancellation cancellation, ViewCatalog views) {

    /** The default of {@code query --timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public UserQuery {
        requireNonNull(organization, "organization is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(cancellation, "cancellation is null");
        requireNonNull(views, "views is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /** The whole warehouse, the default timeout, as an unprivileged login would run it. */
    public static UserQuery of(Optional<String> organization, ViewCatalog views) {
        return new UserQuery(organization, DEFAULT_TIMEOUT, false, new Cancellation(), views);
    }

    /** This query, which a privileged login may run too. */
    public UserQuery allowingPrivilegedRole() {
        return new UserQuery(organization, timeout, true, cancellation, views);
    }

    /** A statement's timeout as a message names it: {@code 60 s}, {@code 1.5 s}. */
    public String timeoutText() {
        long millis = timeout.toMillis();
        return (millis % 1000 == 0 ? Long.toString(millis / 1000) : String.valueOf(millis / 1000.0)) + " s";
    }
}
