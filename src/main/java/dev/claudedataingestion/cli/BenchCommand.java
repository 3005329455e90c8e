package dev.claudedataingestion.cli;

import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.ConfigException;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.pipeline.IngestListener;
import dev.claudedataingestion.pipeline.IngestionJob;
import dev.claudedataingestion.pipeline.Planner;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.simulator.SyntheticOrganization;
import dev.claudedataingestion.sink.WriteResult;
import dev.claudedataingestion.sink.duckdb.DuckDbWarehouse;
import dev.claudedataingestion.source.AdminApiClient;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = {"Measures the pipeline end to end, from the simulator to a DuckDB file, for an organization of"
                + " the given size: rows per second, time fetching and writing, API requests against the minimum,"
                + " peak heap and RSS; and, as the reference for the write side, DuckDB's own read_json of the same"
                + " pages. The simulator runs in the same process: its serving time is shown apart.",
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

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the DuckDB files and pages go (default: a"
            + " temporary folder, deleted afterwards)")
    Path workDir;

    BenchCommand(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (!bucketWidth.equals("1d") && !bucketWidth.equals("1h")) {
            throw new ConfigException("--bucket-width must be 1d or 1h");
        }
        ReportKind report = bucketWidth.equals("1h") ? ReportKind.USAGE_HOURLY : ReportKind.USAGE;
        LocalDate last = Planner.lastCompleteDay(ReportKind.USAGE, context.clock().instant());
        DayRange range = DayRange.of(last.minusDays(days - 1L), last);
        SyntheticOrganization organization = new SyntheticOrganization(42,
                new SyntheticOrganization.Size(workspaces, apiKeys, models, 20), range.first());
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("claude-bench-");
        PrintStream out = context.out();
        try (AdminApiSimulator simulator = new AdminApiSimulator(organization, context.clock(), null).start(0)) {
            ApiConfig api = ApiConfig.of(simulator.baseUrl(), AdminKey.parse(AdminApiSimulator.DEMO_KEY, "bench"),
                    Optional.empty(), 1000, Context.version());
            AdminApiClient client = new AdminApiClient(api);
            IngestConfig ingest = new IngestConfig(range.first(), 0, EnumSet.of(report), false, Optional.of(range),
                    Optional.empty());
            Timings timings = new Timings();
            HeapSampler heap = new HeapSampler();
            heap.start();
            long start = System.nanoTime();
            try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(work.resolve("bench.duckdb"), false)) {
                IngestionJob.Outcome outcome = new IngestionJob(client, Optional.empty(), warehouse, ingest,
                        context.clock(), Context.version(), timings, work, RunOrigin.MANUAL).run();
                if (outcome.failure() != null) {
                    throw outcome.failure();
                }
            }
            Duration total = Duration.ofNanos(System.nanoTime() - start);
            long peakHeap = heap.finish();
            long peakLive = heap.peakLive;
            long windows = Planner.windows(report, new java.util.TreeSet<>(range.days().toList())).size();

            out.printf("organization   %,d workspaces, %,d API keys, %d models; %,d days of %s buckets%n",
                    workspaces, apiKeys, models, days, bucketWidth);
            out.printf("rows written   %,d into %s%n", timings.rows, report == ReportKind.USAGE ? "claude_usage"
                    : "claude_usage_hourly");
            out.printf("end to end     %.1f s, %,.0f rows/s%n", seconds(total), timings.rows / seconds(total));
            out.printf("  fetch        %.1f s (requests, parsing, spooling; of which the simulator answering: %.1f s)%n",
                    seconds(timings.fetch), seconds(simulator.servingTime()));
            out.printf("  write        %.1f s (DuckDB: appender, staging copy, replace, coverage)%n",
                    seconds(timings.write));
            out.printf("API requests   %d (minimum %d: /me and one page per window)%n", client.requestsMade(),
                    1 + windows);
            out.printf("peak heap      %,d MB used of %,d MB allowed; %,d MB live after a collection (sampled every"
                    + " 10 ms; the simulator's included)%n", peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20,
                    peakLive >> 20);
            out.printf("peak RSS       %,d MB (the whole process: pipeline, simulator and DuckDB)%n", peakRssMegabytes());

            Path pages = Files.createDirectories(work.resolve("pages"));
            savePages(simulator, pages);
            long referenceStart = System.nanoTime();
            long referenceRows = loadWithDuckDb(pages, work.resolve("reference.duckdb"));
            Duration reference = Duration.ofNanos(System.nanoTime() - referenceStart);
            out.printf("reference      DuckDB read_json of the same pages: %,d rows in %.1f s, %,.0f rows/s%n",
                    referenceRows, seconds(reference), referenceRows / seconds(reference));
            out.printf("ratio          end to end / reference: %.2f%n",
                    (timings.rows / seconds(total)) / (referenceRows / seconds(reference)));
        } finally {
            if (workDir == null) {
                delete(work);
            }
        }
        return Main.OK;
    }

    /**
     * The most heap in use at once, sampled while the run goes on, and the most that stayed in use after a
     * collection: the live data, which is what must not grow with the backfill.
     */
    private static final class HeapSampler extends Thread {
        private volatile boolean running = true;
        private long peak;
        private long peakLive;

        HeapSampler() {
            super("heap-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                peak = Math.max(peak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                long live = 0;
                for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                        live += pool.getCollectionUsage().getUsed();
                    }
                }
                peakLive = Math.max(peakLive, live);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long finish() throws InterruptedException {
            running = false;
            join();
            return peak;
        }
    }

    /** Sums the timings of every window written. */
    private static final class Timings implements IngestListener {
        long rows;
        Duration fetch = Duration.ZERO;
        Duration write = Duration.ZERO;

        @Override
        public void timed(WriteResult result, Duration fetchTime, Duration writeTime) {
            rows += result.rows();
            fetch = fetch.plus(fetchTime);
            write = write.plus(writeTime);
        }
    }

    /** Asks the simulator again for every usage page the run read, and keeps the bodies. */
    private static void savePages(AdminApiSimulator simulator, Path pages) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        int page = 0;
        for (AdminApiSimulator.RecordedRequest request : simulator.requests()) {
            if (!request.path().endsWith("/usage_report/messages")) {
                continue;
            }
            HttpRequest again = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + request.path() + "?"
                    + request.rawQuery())).header("x-api-key", AdminApiSimulator.DEMO_KEY)
                    .header("anthropic-version", "2023-06-01").build();
            http.send(again, HttpResponse.BodyHandlers.ofFile(pages.resolve("page-" + (page++) + ".json")));
        }
    }

    /** The reference: DuckDB reads the pages itself, in parallel, and writes the rows. */
    private static long loadWithDuckDb(Path pages, Path file) throws SQLException, IOException {
        long largest;
        try (Stream<Path> files = Files.list(pages)) {
            largest = files.mapToLong(page -> page.toFile().length()).max().orElse(1);
        }
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("SET preserve_insertion_order = false");
            statement.execute("CREATE TABLE reference AS SELECT CAST(b.starting_at AS TIMESTAMP) AS bucket_start,"
                    + " r.api_key_id, r.workspace_id, r.model, r.service_tier, r.context_window, r.inference_geo,"
                    + " r.account_id, r.service_account_id, r.uncached_input_tokens,"
                    + " r.cache_creation.ephemeral_5m_input_tokens, r.cache_creation.ephemeral_1h_input_tokens,"
                    + " r.cache_read_input_tokens, r.output_tokens, r.server_tool_use.web_search_requests"
                    + " FROM (SELECT unnest(data) AS b FROM read_json('" + pages.resolve("*.json")
                    + "', maximum_object_size = " + Math.max(16 << 20, 2 * largest) + ")) t, unnest(t.b.results) AS x(r)");
            try (ResultSet count = statement.executeQuery("SELECT count(*) FROM reference")) {
                count.next();
                return count.getLong(1);
            }
        }
    }

    private static long peakRssMegabytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
