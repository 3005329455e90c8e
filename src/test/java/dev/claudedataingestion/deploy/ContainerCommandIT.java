package dev.claudedataingestion.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The image's command, taken from Dockerfile.claude-ingestion, run here as a non-root user with the same JVM
 * limits against the simulator: no Docker engine is needed to show that the job starts and finishes its runs.
 */
class ContainerCommandIT {

    private static final Path DOCKERFILE = Path.of("Dockerfile.claude-ingestion");

    private final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.now(ZoneOffset.UTC).minusDays(60));
    private final AdminApiSimulator simulator = TestApi.simulator(organization);

    @AfterEach
    void stop() {
        simulator.close();
    }

    private static List<String> jsonArray(String dockerfile, String instruction) throws Exception {
        Matcher line = Pattern.compile("^" + instruction + " (\\[.*])$", Pattern.MULTILINE).matcher(dockerfile);
        assertThat(line.find()).as(instruction + " in exec form").isTrue();
        List<String> values = new ArrayList<>();
        new ObjectMapper().readTree(line.group(1)).forEach(value -> values.add(value.asText()));
        return values;
    }

    @Test
    void theImageIsMultiStageAndRunsAsANonRootUser() throws Exception {
        String dockerfile = Files.readString(DOCKERFILE);
        assertThat(Pattern.compile("^FROM ", Pattern.MULTILINE).matcher(dockerfile).results().count()).isEqualTo(2);
        assertThat(dockerfile).contains("AS build").contains("COPY --from=build");
        Matcher user = Pattern.compile("^USER (\\S+)$", Pattern.MULTILINE).matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).isNotIn("root", "0");
        assertThat(jsonArray(dockerfile, "ENTRYPOINT")).contains("-Xmx320m", "-XX:+ExitOnOutOfMemoryError");
        assertThat(jsonArray(dockerfile, "CMD")).containsExactly("ingest");
    }

    /**
     * The jar was shaded from this build's classes, once: shade keeps what it was given as {@code original-…}, which
     * holds only the project's own classes. Given a jar an earlier build had shaded (Maven's jar plugin keeps one it
     * thinks up to date), it would hold every dependency, and the build would warn of each class twice.
     */
    @Test
    void theJarIsShadedOnceFromThisBuildsClasses() throws Exception {
        try (java.util.zip.ZipFile thin = new java.util.zip.ZipFile("target/original-claude-ingest.jar")) {
            assertThat(thin.stream().map(java.util.zip.ZipEntry::getName))
                    .isNotEmpty().allMatch(name -> name.startsWith("dev/") || name.startsWith("META-INF/"), "ours");
        }
        try (java.util.zip.ZipFile shaded = new java.util.zip.ZipFile("target/claude-ingest.jar")) {
            assertThat(shaded.getEntry("picocli/CommandLine.class")).isNotNull();
        }
    }

    @Test
    void theContainersCommandFinishesIncrementalRunsAsANonRootUser() throws Exception {
        String dockerfile = Files.readString(DOCKERFILE);
        List<String> command = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // The image's user has no name here; any unprivileged id shows the same thing.
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        for (String part : jsonArray(dockerfile, "ENTRYPOINT")) {
            command.add(part.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
                    : part.equals("/app/claude-ingest.jar") ? Path.of("target/claude-ingest.jar").toAbsolutePath()
                    .toString() : part);
        }
        command.addAll(jsonArray(dockerfile, "CMD"));
        Path work = Files.createTempDirectory("container-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        // The image has a /tmp of its own, writable by its user; this host's /tmp may not be (mode 0755).
        Path temp = Files.createDirectory(work.resolve("tmp"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
        command.add(command.indexOf("-jar"), "-Djava.io.tmpdir=" + temp);

        for (int run = 1; run <= 2; run++) {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
            Map<String, String> environment = builder.environment();
            environment.clear();
            environment.putAll(Map.of("PATH", "/usr/bin:/bin", "HOME", work.toString(),
                    "ANTHROPIC_BASE_URL", simulator.baseUrl().toString(),
                    "ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY, "ANTHROPIC_REQUESTS_PER_SECOND", "200",
                    "INGEST_START_DATE", LocalDate.now(ZoneOffset.UTC).minusDays(5).toString(),
                    "WAREHOUSE", "duckdb:" + work.resolve("warehouse.duckdb"),
                    "CLOUD_RUN_JOB", "claude-data-ingestion", "CLOUD_RUN_EXECUTION", "claude-data-ingestion-run" + run));
            simulator.clearRequests();
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("\"severity\":\"INFO\"").contains("succeeded");
            if (run == 2) {
                // Incremental: /me, the 5 days, all inside the 30-day lookback (one request for each bucketed and
                // analytics report, and one per Claude Code day), and one page of each list endpoint for the names
                // (workspaces twice: with and without the default workspace).
                assertThat(simulator.requests()).hasSize(1 + 2 + 5 + 2 + 4);
            }
        }
    }
}
