package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link MainTest} and {@link MainIT} share: the command line run in this JVM, with a simulator of its own for
 * each test, and what it printed.
 */
abstract class CommandLineFixture {

    static final String REAL_LOOKING_KEY = "sk-ant-admin01-" + "Q".repeat(40);

    @TempDir
    Path directory;

    final SyntheticOrganization organization = TestApi.organization(SyntheticOrganization.Size.DEMO,
            LocalDate.of(2026, 1, 1));
    final AdminApiSimulator simulator = TestApi.simulator(organization);
    final Map<String, String> environment = new HashMap<>();
    String out;
    String err;

    @AfterEach
    void stop() {
        simulator.close();
    }

    String warehouse() {
        return "duckdb:" + directory.resolve("w.duckdb");
    }

    void simulatorEnvironment() {
        environment.put("ANTHROPIC_BASE_URL", simulator.baseUrl().toString());
        environment.put("ANTHROPIC_ADMIN_API_KEY", AdminApiSimulator.DEMO_KEY);
        environment.put("ANTHROPIC_REQUESTS_PER_SECOND", "1000");
        environment.put("INGEST_START_DATE", "2026-02-20");
        // A second run re-reads three days, not the 17 loaded: what these tests look at is the same.
        environment.put("INGEST_LOOKBACK_DAYS", "3");
        environment.put("WAREHOUSE", warehouse());
    }

    int run(String... args) {
        return run(TestApi.CLOCK, args);
    }

    int run(java.time.Clock clock, String... args) {
        TestApi.Ran ran = TestApi.run(environment, clock, args);
        out = ran.out();
        err = ran.err();
        return ran.code();
    }

    long queryCount(String sql) {
        assertThat(run("query", "--format", "csv", sql)).as(err).isZero();
        return Long.parseLong(out.lines().toList().get(1).strip());
    }
}
