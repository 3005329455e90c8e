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

    private record Result(int code, String output) {
    }

    @Test
    void refusesAJavaOlderThan17AndNamesTheVersionFound() throws Exception {
        Result result = launch(javaHome("java version \"1.8.0_392\""));
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.output()).contains("Java 17 or newer is needed").contains("1.8.0_392").contains("JAVA_HOME");
    }

    @Test
    void saysWhichJavaItBuiltWithWhenTheBuildFails() throws Exception {
        Result result = launch(javaHome("openjdk version \"25.0.1\" 2025-10-21"));
        assertThat(result.code()).isEqualTo(5);
        assertThat(result.output()).contains("the compiler refused")
                .contains("the build failed with openjdk version \"25.0.1\"");
    }
}
