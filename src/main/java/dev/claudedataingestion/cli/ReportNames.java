package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.Settings;
import dev.claudedataingestion.model.ReportKind;
import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Stream;

/** The names {@code --reports} accepts, for picocli's {@code ${COMPLETION-CANDIDATES}}: every declared report. */
final class ReportNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return ids().iterator();
    }

    private static Stream<String> ids() {
        return Arrays.stream(ReportKind.values()).map(ReportKind::id);
    }

    /** The same and {@code dimensions}, the names of workspaces, keys and users, for {@code ingest}. */
    static final class WithDimensions implements Iterable<String> {

        @Override
        public Iterator<String> iterator() {
            return Stream.concat(ids(), Stream.of(Settings.DIMENSIONS)).iterator();
        }
    }
}
