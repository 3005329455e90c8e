package dev.claudedataingestion.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudedataingestion.TestApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shell script of the project passes shellcheck (installed by .ci/run). */
class ShellcheckTest {

    @Test
    void everyScriptPassesShellcheck() throws Exception {
        assumeTrue(TestApi.onPath("shellcheck"), "shellcheck is not installed here (.ci/run installs it)");
        List<String> command = new ArrayList<>(List.of("shellcheck", "-x", "claude-ingest", ".ci/run"));
        try (Stream<Path> scripts = Files.list(Path.of("infrastructure/cloud_run"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(p -> command.add(p.toString()));
        }
        assertThat(command).contains("infrastructure/cloud_run/setup-iam.sh", "infrastructure/cloud_run/lib.sh");
        Process shellcheck = new ProcessBuilder(command).redirectErrorStream(true).start();
        String findings = new String(shellcheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shellcheck.waitFor()).as(findings).isZero();
    }
}
