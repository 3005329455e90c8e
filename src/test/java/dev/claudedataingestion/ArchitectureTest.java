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
 * Dependencies run one way: cli → pipeline → (source, sink) → reports → model, with config beside them. A warehouse
 * backend is known by name only to the registry {@code sink.Warehouses}; everything else reaches it through the
 * {@code Warehouse} interface. The simulator is for the demo and the tests; production code other than the command
 * line never uses it.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/claudedataingestion");
    /** A reference to one of our classes, imported or written out: its package, sub-packages included. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.claudedataingestion\\.([a-z.]+?)\\.[A-Z]");
    private static final Set<String> BACKENDS = Set.of("sink.duckdb", "sink.postgres", "sink.bigquery");

    /** What each package may use of ours, besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("config", Set.of("model")),
            Map.entry("reports", Set.of("model", "config")),
            Map.entry("source", Set.of("model", "config", "reports")),
            Map.entry("sink", Set.of("model", "config", "reports")),
            Map.entry("sink.jdbc", Set.of("model", "config", "reports", "sink")),
            Map.entry("sink.duckdb", Set.of("model", "config", "reports", "sink", "sink.jdbc")),
            Map.entry("sink.postgres", Set.of("model", "config", "reports", "sink", "sink.jdbc")),
            Map.entry("sink.bigquery", Set.of("model", "config", "reports", "sink")),
            Map.entry("pipeline", Set.of("model", "config", "reports", "source", "sink")),
            Map.entry("pipeline.check", Set.of("model", "config", "reports", "sink", "pipeline")),
            Map.entry("pipeline.report", Set.of("model", "config", "reports", "sink", "pipeline", "pipeline.check")),
            Map.entry("pipeline.export", Set.of("model", "config", "reports", "sink", "pipeline")),
            Map.entry("pipeline.notify", Set.of("model", "config", "reports", "sink", "pipeline", "pipeline.check")),
            Map.entry("simulator", Set.of()),
            Map.entry("cli", Set.of("model", "config", "reports", "source", "sink", "pipeline", "pipeline.check",
                    "pipeline.report", "pipeline.export", "pipeline.notify", "simulator")));

    @Test
    void packagesDependOnlyDownwards() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String layer = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                assertThat(ALLOWED).as("package of %s", file).containsKey(layer);
                Matcher references = REFERENCE.matcher(Files.readString(file));
                while (references.find()) {
                    String used = references.group(1);
                    boolean registry = layer.equals("sink") && file.endsWith("Warehouses.java") && BACKENDS.contains(used);
                    if (!used.equals(layer) && !ALLOWED.get(layer).contains(used) && !registry) {
                        violations.add(file + " uses " + used);
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
