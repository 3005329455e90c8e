package dev.claudedataingestion;

import dev.claudedataingestion.cli.Main;
import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.ServedTotals;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Shared test setup: a simulator on a loopback port, a client configuration with short retry delays, and the
 * API's own per-day totals computed from the synthetic organization, independent of the code under test.
 */
public final class TestApi {

    /**
     * Just after the start of daylight-saving time in the tests' zone (America/Los_Angeles), where the local date
     * (2026-03-08) is a day behind the UTC date (2026-03-09): a local-date bug shows as a wrong day.
     */
    public static final Instant NOW = Instant.parse("2026-03-09T06:30:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** The last complete UTC day at {@link #NOW}. */
    public static final LocalDate YESTERDAY = LocalDate.of(2026, 3, 8);

    private TestApi() {
    }

    /**
     * The test class path without the test classes, for a child JVM that runs {@code Main}: the production logging
     * configuration then applies, not the tests' {@code logback-test.xml}.
     */
    public static String productionClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** Whether {@code command} is an executable in a folder of the {@code PATH}: a tool the machine brings. */
    public static boolean onPath(String command) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty() && java.nio.file.Files.isExecutable(Path.of(folder, command))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The command that runs {@code Main} in a child JVM on {@link #productionClassPath}, {@code jvmOptions} first;
     * arguments go after it. The child's JIT stops at C1, as the tests' own JVMs do: a run of a few seconds gains
     * less from C2 than C2's compiler threads cost, and two cores are shared by everything the tests start.
     */
    public static List<String> mainCommand(String... jvmOptions) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", productionClassPath(), Main.class.getName()));
        return command;
    }

    /**
     * A price catalog (version {@code sonnet-only}, source {@code a test}) in {@code directory} that prices Claude
     * Sonnet 4.5 alone, as published: every other model is unpriced by it.
     */
    public static Path sonnetOnlyCatalog(Path directory) {
        return catalog(directory.resolve("sonnet-only.json"), "sonnet-only", "a test", """
                {"ids": ["claude-sonnet-4-5"], "input": "3", "output": "15", "cache_write_5m": "3.75",
                 "cache_write_1h": "6", "cache_read": "0.3"}""");
    }

    /**
     * Writes {@code file}, a price catalog in the built-in one's form that prices one model, {@code model} (its
     * JSON object), with the published multipliers and fast mode.
     */
    public static Path catalog(Path file, String version, String source, String model) {
        try {
            java.nio.file.Files.writeString(file, """
                    {"version": "%s", "source": "%s", "batch_multiplier": "0.5",
                     "us_only_multiplier": "1.1", "web_search_per_request": "0.01",
                     "long_context": {"input_multiplier": "2", "output_multiplier": "1.5"},
                     "fast": {"input": "30", "output": "150", "cache_write_5m": "37.5", "cache_write_1h": "60",
                              "cache_read": "3"},
                     "models": [%s]}
                    """.formatted(version, source, model));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    public static SyntheticOrganization organization(SyntheticOrganization.Size size, LocalDate firstActiveDay) {
        return new SyntheticOrganization(7, size, firstActiveDay);
    }

    public static AdminApiSimulator simulator(SyntheticOrganization organization) {
        try {
            return new AdminApiSimulator(organization, CLOCK, null).start(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a command run in this JVM returned, and what it printed on each stream. */
    public record Ran(int code, String out, String err) {
    }

    /**
     * The command line, run in this JVM as {@code claude-ingest} runs it, with {@code environment} for the process's
     * and {@code clock} for the time; not on a terminal.
     */
    public static Ran run(Map<String, String> environment, Clock clock, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, environment, clock, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The environment a command runs against {@code simulator} in: its URL and key, no rate limit to speak of, the
     * warehouse at {@code warehouse} (a URL), and the data from {@code start}.
     */
    public static Map<String, String> simulatorEnvironment(AdminApiSimulator simulator, String start,
            String warehouse) {
        return Map.of("ANTHROPIC_BASE_URL", simulator.baseUrl().toString(), "ANTHROPIC_ADMIN_API_KEY",
                AdminApiSimulator.DEMO_KEY, "ANTHROPIC_REQUESTS_PER_SECOND", "1000", "INGEST_START_DATE",
                start, "WAREHOUSE", warehouse);
    }

    public static ApiConfig apiConfig(AdminApiSimulator simulator) {
        return apiConfig(simulator.baseUrl());
    }

    /** The simulator's key and quick retries, for an API at {@code baseUrl} (a proxy in front of the simulator). */
    public static ApiConfig apiConfig(java.net.URI baseUrl) {
        return ApiConfig.of(baseUrl, AdminKey.parse(AdminApiSimulator.DEMO_KEY, "test"), Optional.empty(),
                10_000, "test").withRetries(4, Duration.ofMillis(1), Duration.ofMillis(5));
    }

    /** What the simulator serves of the usage report on {@code days} ({@link ServedTotals#usage}). */
    public static Map<LocalDate, ServedTotals.Day> usageTotals(SyntheticOrganization organization, DayRange days) {
        return ServedTotals.usage(organization, days.days());
    }

    /** What the simulator serves of the cost report on {@code days} ({@link ServedTotals#cost}). */
    public static Map<LocalDate, ServedTotals.Day> costTotals(SyntheticOrganization organization, DayRange days) {
        return ServedTotals.cost(organization, days.days());
    }

    /** What the simulator serves of the Claude Code report on {@code days} ({@link ServedTotals#claudeCode}). */
    public static Map<LocalDate, ServedTotals.Day> claudeCodeTotals(SyntheticOrganization organization,
            DayRange days) {
        return ServedTotals.claudeCode(organization, days.days());
    }
}
