package dev.claudedataingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./claude-ingest} launcher, run by bash from a copy, with a stand-in Java in {@code JAVA_HOME}. */
class LauncherTest {

    @TempDir
    Path directory;

    /** A {@code JAVA_HOME} whose {@code java -version} prints {@code versionLine} and which runs nothing. */
    private Path javaHome(String versionLine) throws IOException {
        Path bin = Files.createDirectories(directory.resolve("jdk/bin"));
        executable(bin.resolve("java"), "#!/usr/bin/env bash\n[[ \"$1\" == -version ]] && echo '" + versionLine
                + "' >&2 && exit 0\nexit 1\n");
        return bin.getParent();
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs a copy of the launcher whose {@code mvnw} fails, so that it must build and cannot. */
    private Result launch(Path javaHome) throws Exception {
        Path checkout = Files.createDirectories(directory.resolve("checkout"));
        Files.copy(Path.of("claude-ingest"), checkout.resolve("claude-ingest"));
        Files.createDirectories(checkout.resolve("src/main"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        executable(checkout.resolve("mvnw"), "#!/usr/bin/env bash\necho 'the compiler refused' >&2\nexit 1\n");
        ProcessBuilder builder = new ProcessBuilder("bash", checkout.resolve("claude-ingest").toString(), "--version")
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        Process run = builder.start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(run.exitValue(), new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /**
     * On JDK 17 the first run after a build writes the class-data archive, under a temporary name that the launcher
     * then puts in place; the next run maps it; a newer jar makes the next run write it again.
     */
    @Test
    void writesTheClassDataArchiveOnceAfterEachBuildOnJdk17() throws Exception {
        Path bin = Files.createDirectories(directory.resolve("jdk17/bin"));
        // Prints its arguments; writes the archive that -XX:ArchiveClassesAtExit names, as the JVM does at exit.
        executable(bin.resolve("java"), "#!/usr/bin/env bash\n[[ \"$1\" == -version ]] && exit 1\necho \"$*\"\n"
                + "for a in \"$@\"; do [[ $a == -XX:ArchiveClassesAtExit=* ]] && echo archive > \"${a#*=}\"; done\n"
                + "exit 0\n");
        Files.writeString(bin.getParent().resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Path checkout = Files.createDirectories(directory.resolve("checkout"));
        Files.copy(Path.of("claude-ingest"), checkout.resolve("claude-ingest"));
        Files.createDirectories(checkout.resolve("src/main"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Path jar = Files.createDirectories(checkout.resolve("target")).resolve("claude-ingest.jar");
        Files.writeString(jar, "jar");
        Path archive = checkout.resolve("target/claude-ingest-jdk17.jsa");

        String first = run(checkout, bin.getParent(), "status");
        assertThat(first).contains("-XX:ArchiveClassesAtExit=" + archive + ".").contains("-jar " + jar + " status")
                // A short command compiles with C1 alone; a long one keeps C2.
                .contains("-XX:TieredStopAtLevel=1");
        assertThat(archive).hasContent("archive");
        try (var files = Files.list(checkout.resolve("target"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("claude-ingest.jar",
                    "claude-ingest-jdk17.jsa");
        }
        assertThat(run(checkout, bin.getParent(), "ingest")).contains("-XX:SharedArchiveFile=" + archive + " ")
                .doesNotContain("ArchiveClassesAtExit").doesNotContain("TieredStopAtLevel");

        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(archive).toMillis() + 10_000));
        assertThat(run(checkout, bin.getParent(), "status")).contains("-XX:ArchiveClassesAtExit=");
    }

    private static String run(Path checkout, Path javaHome, String command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", checkout.resolve("claude-ingest").toString(), command)
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        Process run = builder.start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.exitValue()).as(output).isZero();
        return output;
    }

    private record Result(int code, String output) {
    }

    @Test
    void refusesAJavaOlderThan17AndNamesTheVersionFound() throws Exception {
        Result result = launch(javaHome("java version \"1.8.0_392\""));
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.output()).contains("Java 17 or newer is needed").contains("1.8.0_392").contains("JAVA_HOME");
    }

    @Test
    void readsTheVersionFromTheJdksReleaseFileWhereThereIsOne() throws Exception {
        Path javaHome = javaHome("openjdk version \"25.0.1\" 2025-10-21");
        Files.writeString(javaHome.resolve("release"), "IMPLEMENTOR=\"Someone\"\nJAVA_VERSION=\"1.8.0_392\"\n");
        Result result = launch(javaHome);
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.output()).contains("Java 17 or newer is needed").contains("1.8.0_392");
    }

    @Test
    void saysWhichJavaItBuiltWithWhenTheBuildFails() throws Exception {
        Result result = launch(javaHome("openjdk version \"25.0.1\" 2025-10-21"));
        assertThat(result.code()).isEqualTo(5);
        assertThat(result.output()).contains("the compiler refused")
                .contains("the build failed with openjdk version \"25.0.1\"");
    }
}
