package dev.claudedataingestion.cli;

import dev.claudedataingestion.bench.Bench;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Measures the pipeline end to end, from the simulator to a DuckDB file, for an organization of"
                + " the given size: rows per second, time waiting on the API, parsing and writing, API requests"
                + " against the minimum, peak heap and RSS; and, as the reference for the write side, DuckDB's own"
                + " read_json of the same pages. The simulator runs in a JVM of its own.",
            "Run with the heap the job gets, e.g. JAVA_OPTS=-Xmx256m ./claude-ingest bench --bucket-width 1h"})
final class BenchCommand implements Callable<Integer> {

    private final Context context;

    @Option(names = "--workspaces", defaultValue = "200", paramLabel = "N")
    int workspaces;

    @Option(names = "--api-keys", defaultValue = "2000", paramLabel = "N")
    int apiKeys;

    @Option(names = "--models", defaultValue = "10", paramLabel = "N")
    int models;

    @Option(names = "--days", defaultValue = "365", paramLabel = "N", description = "days of usage (default: 365)")
    int days;

    @Option(names = "--bucket-width", defaultValue = "1d", paramLabel = "WIDTH", description = "1d or 1h")
    String bucketWidth;

    @Option(names = "--reports", defaultValue = "usage", paramLabel = "LIST",
            completionCandidates = ReportNames.class, description = "comma-separated, of ${COMPLETION-CANDIDATES}"
            + " (default: usage, whose pages the reference loads too)")
    String reports;

    @Option(names = "--requests-per-second", defaultValue = "1000", paramLabel = "N",
            description = "the client's rate limit (default 1000; the job's default is "
                    + ApiConfig.DEFAULT_REQUESTS_PER_SECOND + ")")
    double requestsPerSecond;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the DuckDB files and pages go (default: a"
            + " temporary folder, deleted afterwards)")
    Path workDir;

    BenchCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (days < 1) {
            throw new ConfigException("--days " + days + " is not a number of days; give 1 or more");
        }
        if (!bucketWidth.equals("1d") && !bucketWidth.equals("1h")) {
            throw new ConfigException("--bucket-width must be 1d or 1h");
        }
        // The simulator is this program in a JVM of its own.
        List<String> claudeIngest = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName());
        new Bench(workspaces, apiKeys, models, days, bucketWidth, Settings.reports(reports), requestsPerSecond,
                workDir, context.clock(), Context.version(), claudeIngest).run(context.out());
        return Main.OK;
    }
}
