package dev.claudedataingestion.warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.analysis.AnalysisViews;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built jar and DuckDB's native library, which the build leaves beside it rather than in it. */
class NativeLibraryIT {

    private static final Path JAR = Path.of("target/claude-ingest.jar");

    @TempDir
    Path directory;

    /**
     * {@code status} on a small warehouse, by the jar at {@code jar}, with a temporary folder of its own;
     * {@code jvmOptions} before the jar.
     */
    private Result status(Path jar, String... jvmOptions) throws Exception {
        Path file = directory.resolve("w.duckdb");
        if (!Files.exists(file)) {
            try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, false)) {
                warehouse.ensureSchema(AnalysisViews.catalog());
            }
        }
        Path temp = Files.createDirectories(directory.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=" + temp));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString(), "status", "--warehouse", "duckdb:" + file));
        Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        try (var left = Files.list(temp)) {
            return new Result(run.exitValue(), output, left.map(p -> p.getFileName().toString()).toList());
        }
    }

    private record Result(int code, String output, List<String> temporaryFiles) {
    }

    @Test
    void theJarLoadsTheLibraryBesideItAndCopiesNothingToTheTemporaryFolder() throws Exception {
        assertThat(JAR).exists();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            assertThat(jar.stream().map(ZipEntry::getName)).noneMatch(name -> name.startsWith("libduckdb_java"));
        }

        Result result = status(JAR);

        assertThat(result.code()).as(result.output()).isZero();
        assertThat(result.temporaryFiles()).noneMatch(name -> name.startsWith("libduckdb_java"));
    }

    /** Opening a DuckDB file does not start the JVM's Flight Recorder for the driver's memory event. */
    @Test
    void theDriverDoesNotStartTheFlightRecorder() throws Exception {
        Result result = status(JAR, "-Xlog:class+load=info");

        assertThat(result.code()).as(result.output()).isZero();
        assertThat(result.output()).contains("org.duckdb.DuckDBDriver").contains("org.duckdb.DuckDBMemoryMonitor")
                .doesNotContain("jdk.jfr.internal");
    }

    @Test
    void aJarCopiedWithoutItsLibrarySaysWhatIsMissing() throws Exception {
        Path alone = Files.copy(JAR, Files.createDirectories(directory.resolve("alone")).resolve("claude-ingest.jar"));

        Result result = status(alone);

        assertThat(result.code()).isEqualTo(4);
        assertThat(result.output()).containsPattern("DuckDB's native library " + Pattern.quote(alone.getParent()
                + "/libduckdb_java.so_") + "\\S+ is missing; keep claude-ingest.jar and").doesNotContain("\tat ");
    }
}
