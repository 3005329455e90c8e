package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.model.ReportKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line as a user meets it before anything is fetched: exit codes, messages, and what is printed. */
class MainTest extends CommandLineFixture {

    @Test
    void userMistakesExitWithTwoAndSayWhatToDo() throws Exception {
        assertThat(run("ingest", "--from", "2026-13-01")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("'2026-13-01' is not a date; write it as YYYY-MM-DD").doesNotContain("Exception");
        assertThat(run("ingest", "--reports", "")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--reports is empty");
        assertThat(run("status", "--runs", "-1")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--runs -1 is negative");
        assertThat(run("bench", "--days", "0")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--days 0");
        assertThat(run("simulator", "--port", "70000")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--port 70000 is not a port");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(run("simulator", "--port", String.valueOf(taken.getLocalPort()))).isEqualTo(Main.BAD_CONFIGURATION);
            assertThat(err).contains("another program uses it").contains("--port");
        }
        assertThat(run("statsu")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("Did you mean").contains("status");
    }
    @Test
    void serveRefusesToListenBeyondLoopbackWithoutATokenAndNeverShowsOne() throws Exception {
        assertThat(run("serve", "--bind", "0.0.0.0", "--port", "0")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("without a token").contains("OTLP_TOKEN").contains("--no-token");
        environment.put("OTLP_TOKEN", "a-token-never-printed");
        environment.put("OTLP_TOKEN_FILE", directory.resolve("token").toString());
        assertThat(run("serve", "--bind", "0.0.0.0")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("OTLP_TOKEN and OTLP_TOKEN_FILE are both set; set only one")
                .doesNotContain("a-token-never-printed");
        environment.remove("OTLP_TOKEN");
        assertThat(run("serve", "--bind", "0.0.0.0")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("OTLP_TOKEN_FILE names " + directory.resolve("token") + ", which cannot be read");
        environment.remove("OTLP_TOKEN_FILE");
        environment.put("TELEMETRY_BUFFER_ROWS", "10");
        assertThat(run("serve")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("TELEMETRY_BUFFER_ROWS '10'").contains("1000 or more");
    }
    @Test
    void duckDbPathsThatAreMistakesAreRefused() throws Exception {
        assertThat(run("status", "--warehouse", "duckdb:" + directory.resolve("no/such/folder/x.duckdb"))).isEqualTo(
                Main.WAREHOUSE_FAILURE);
        assertThat(directory.resolve("no")).doesNotExist();
        assertThat(run("ingest", "--warehouse", "duckdb:" + directory.resolve("no/such/folder/x.duckdb"))).isNotZero();
        assertThat(directory.resolve("no")).doesNotExist();
        assertThat(run("status", "--warehouse", "duckdb::memory:")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("in-memory DuckDB would be lost");
        Path sqlite = directory.resolve("old.db");
        Files.write(sqlite, "SQLite format 3\u0000 and the rest of a SQLite file".getBytes(StandardCharsets.US_ASCII));
        assertThat(run("status", "--warehouse", "duckdb:" + sqlite)).isEqualTo(Main.WAREHOUSE_FAILURE);
        assertThat(err).contains("is a SQLite database, not a DuckDB file");
    }
    @Test
    void standardErrorIsATerminalOnlyWhenItGoesToOne() throws Exception {
        Path terminal = Files.createSymbolicLink(directory.resolve("fd-terminal"), Path.of("/dev/pts/3"));
        Path log = Files.createSymbolicLink(directory.resolve("fd-file"), directory.resolve("ingest.log"));
        assertThat(Main.isTerminal(terminal)).isTrue();
        assertThat(Main.isTerminal(log)).isFalse();
        assertThat(Main.isTerminal(directory.resolve("no-such-link"))).isTrue();
    }
    @Test
    void helpListsTheCommandsAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out).contains("ingest", "status", "query", "demo", "simulator", "Exit codes");
        assertThat(run("ingest", "--help")).isZero();
        assertThat(out).contains("--from", "--to", "--reports", "--lookback-days", "--deadline", "--warehouse");
    }
    @Test
    void everyReportIsNamedWhereReportsAreChosen() throws Exception {
        String commands = Files.readString(Path.of("docs/commands.md"));
        for (String command : List.of("ingest", "bench")) {
            assertThat(run(command, "--help")).isZero();
            // picocli wraps the help's lines: the list is read with its line breaks and indents taken out.
            String help = out.replaceAll("\\s+", " ");
            for (ReportKind report : ReportKind.values()) {
                assertThat(help).as("%s --help", command).containsPattern("[ ,]" + report.id() + "[ ,]");
                assertThat(commands).as("docs/commands.md").contains(report.id());
            }
        }
    }
    @Test
    void anUnknownCommandWithHelpIsNamedAndExitsTwo() {
        assertThat(run("sevre", "--help")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("'sevre'").contains("claude-ingest --help");
        assertThat(out).doesNotContain("Exit codes");
        assertThat(run(REAL_LOOKING_KEY, "--help")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err + out).doesNotContain(REAL_LOOKING_KEY);
    }
    @Test
    void versionIsTheBuildsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out).startsWith("claude-data-ingestion ").doesNotContain("unknown");
    }
    @Test
    void anUnknownFlagIsABadArgument() {
        assertThat(run("ingest", "--frm", "2026-01-01")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("--frm").contains("ingest --help");
    }
    @Test
    void aKeyGivenAsAnArgumentIsRefusedAndNeverEchoed() {
        assertThat(run("ingest", "--api-key", REAL_LOOKING_KEY)).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err + out).doesNotContain(REAL_LOOKING_KEY).doesNotContain("QQQQ");
        assertThat(run("ingest", REAL_LOOKING_KEY)).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err + out).doesNotContain(REAL_LOOKING_KEY);
    }
    @Test
    void aMissingKeySaysWhichVariableToSet() {
        environment.put("WAREHOUSE", warehouse());
        assertThat(run("ingest")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("ANTHROPIC_ADMIN_API_KEY is not set");
        assertThat(Files.exists(directory.resolve("w.duckdb"))).isFalse();
    }
    @Test
    void aNormalApiKeyIsRefusedBeforeAnyRequest() {
        simulatorEnvironment();
        String apiKey = "sk-ant-api03-" + "Z".repeat(40);
        environment.put("ANTHROPIC_ADMIN_API_KEY", apiKey);
        assertThat(run("ingest")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("starts with sk-ant-api").contains("Admin key").doesNotContain(apiKey);
        assertThat(simulator.requests()).isEmpty();
    }
    @Test
    void aGroupingTheTablesCannotHoldIsABadSetting() {
        simulatorEnvironment();
        environment.put("ANALYTICS_GROUP_BY", "actor,rbac_group_id");
        assertThat(run("ingest", "--reports", "analytics_usage")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("ANALYTICS_GROUP_BY").contains("rbac_group_id").contains("add up");
        environment.put("ANALYTICS_GROUP_BY", "actor,model,model");
        assertThat(run("ingest", "--reports", "analytics_usage")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("twice");
        environment.put("ANALYTICS_GROUP_BY", "actor,api_key_id,workspace_id,model,product,speed");
        assertThat(run("ingest", "--reports", "analytics_usage")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("1 to 5");
        environment.put("ANALYTICS_GROUP_BY", "actor,colour");
        assertThat(run("ingest", "--reports", "analytics_usage")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("'colour'").contains("inference_geo");
        assertThat(simulator.requests()).isEmpty();
    }
    @Test
    void badDatesAndRangesAreBadArguments() {
        simulatorEnvironment();
        assertThat(run("ingest", "--from", "2026-02-30")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(run("ingest", "--from", "2026-03-01", "--to", "2026-02-01")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("before --from");
        assertThat(run("ingest", "--from", "2026-03-01", "--to", "2026-03-09")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("not a complete UTC day");
        assertThat(run("ingest", "--reports", "usage,invoices")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("invoices").contains("usage,cost,claude_code");
        assertThat(run("ingest", "--deadline", "soon")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(run("ingest", "--warehouse", "oracle://db")).isEqualTo(Main.BAD_CONFIGURATION);
        environment.put("INGEST_LOOKBACK_DAYS", "three");
        assertThat(run("ingest")).isEqualTo(Main.BAD_CONFIGURATION);
        assertThat(err).contains("INGEST_LOOKBACK_DAYS");
        assertThat(simulator.requests()).isEmpty();
    }
    @Test
    void statusOnAMissingWarehouseSaysToIngestFirst() {
        environment.put("WAREHOUSE", warehouse());
        assertThat(run("status")).isEqualTo(Main.WAREHOUSE_FAILURE);
        assertThat(err).contains("ingest");
    }
}
