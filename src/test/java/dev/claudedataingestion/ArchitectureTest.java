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
 * Three homes, and dependencies that run one way: {@code ingest} (the job) reads the {@code source} and writes the
 * {@code warehouse}; {@code analysis} (every view and everything that reads them) reads the warehouse; all rest on
 * {@code config} → {@code reports} → {@code model}. The warehouse is reached through its interface:
 * a backend is known by name only to the registry {@code warehouse.Warehouses}, and the warehouse knows nothing of
 * the analysis, whose views and erasure it is given. The simulator is for the demo, the bench and the tests; production
 * code other than those never uses it. The bench is a package of its own, which the command line runs.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/claudedataingestion");
    /** A reference to one of our classes, imported or written out: its package, sub-packages included. */
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.claudedataingestion\\.([a-z.]+?)\\.[A-Z]");
    private static final Set<String> BACKENDS = Set.of("warehouse.duckdb", "warehouse.postgres", "warehouse.bigquery");
    private static final Set<String> BASE = Set.of("model", "config", "reports");

    /** What each package may use of ours, besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("reports", Set.of("model")),
            Map.entry("config", Set.of("model", "reports")),
            Map.entry("source", BASE),
            Map.entry("warehouse", BASE),
            Map.entry("warehouse.jdbc", with("warehouse")),
            Map.entry("warehouse.duckdb", with("warehouse", "warehouse.jdbc")),
            Map.entry("warehouse.postgres", with("warehouse", "warehouse.jdbc")),
            Map.entry("warehouse.bigquery", with("warehouse")),
            Map.entry("ingest", with("source", "warehouse")),
            Map.entry("analysis", with("warehouse", "analysis.views", "analysis.spend")),
            Map.entry("analysis.views", with("warehouse")),
            Map.entry("analysis.spend", with("warehouse", "analysis.views")),
            Map.entry("analysis.privacy", with("warehouse")),
            Map.entry("analysis.checks", with("warehouse", "analysis.views", "analysis.spend")),
            Map.entry("analysis.report", with("warehouse", "analysis.views", "analysis.spend", "analysis.checks")),
            Map.entry("analysis.notify", with("warehouse", "analysis.spend", "analysis.checks")),
            Map.entry("telemetry", with("warehouse")),
            Map.entry("simulator", Set.of()),
            Map.entry("bench", with("source", "warehouse", "ingest", "analysis", "simulator")),
            Map.entry("cli", with("source", "warehouse", "ingest", "bench", "analysis", "analysis.views", "analysis.spend",
                    "analysis.privacy", "analysis.checks", "analysis.report", "analysis.notify", "telemetry",
                    "simulator")));

    /** The base packages and {@code more}. */
    private static Set<String> with(String... more) {
        Set<String> allowed = new java.util.HashSet<>(BASE);
        allowed.addAll(List.of(more));
        return Set.copyOf(allowed);
    }

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
                    boolean registry = layer.equals("warehouse") && file.endsWith("Warehouses.java") && BACKENDS.contains(used);
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
