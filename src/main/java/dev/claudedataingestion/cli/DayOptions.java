package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.model.DayRange;
import java.time.LocalDate;
import java.util.Optional;

/** {@code --from} and {@code --to} of the commands that read a range of days: both or neither, in order. */
final class DayOptions {

    private DayOptions() {
    }

    /** The days from {@code from} to {@code to}, or empty when neither is given ({@code neither} says what then). */
    static Optional<DayRange> range(LocalDate from, LocalDate to, String neither) {
        if (from == null && to == null) {
            return Optional.empty();
        }
        if (from == null || to == null) {
            throw new ConfigException("give both --from and --to, or neither (" + neither + ")");
        }
        if (to.isBefore(from)) {
            throw new ConfigException("--to " + to + " is before --from " + from);
        }
        return Optional.of(DayRange.of(from, to));
    }
}
