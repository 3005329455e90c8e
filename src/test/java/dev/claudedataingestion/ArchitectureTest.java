package dev.claudedataingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies run one way: cli → pipeline → (source, sink) → model, with config beside them. The simulator is
 * for the demo and the tests; production code other than the command line never uses it.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/claudedataingestion");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.claudedataingestion\\.([a-z]+)",
            Pattern.MULTILINE);

    /** What each top-level package may import of ours, besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "model", Set.of(),
            "config", Set.of("model"),
            "reports", Set.of("model", "config"),
            "source", Set.of("model", "config", "reports"),
            "sink", Set.of("model", "reports"),
            "pipeline", Set.of("model", "config", "reports", "source", "sink"),
            "simulator", Set.of(),
            "cli", Set.of("model", "config", "reports", "source", "sink", "pipeline", "simulator"));

    @Test
    void packagesDependOnlyDownwards() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String layer = SOURCES.relativize(file).getName(0).toString();
                assertThat(ALLOWED).as("package of %s", file).containsKey(layer);
                Matcher imports = IMPORT.matcher(Files.readString(file));
                while (imports.find()) {
                    String used = imports.group(1);
                    if (!used.equals(layer) && !ALLOWED.get(layer).contains(used)) {
                        violations.add(file + " imports " + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void thereIsNoCatchAllPackage() throws IOException {
        try (Stream<Path> entries = Files.list(SOURCES)) {
            assertThat(entries.map(p -> p.getFileName().toString())).doesNotContain("util", "common", "utils");
        }
    }
}
