package dev.claudedataingestion.bench;

import dev.claudedataingestion.analysis.AnalysisViews;
import dev.claudedataingestion.config.AdminKey;
import dev.claudedataingestion.config.ApiConfig;
import dev.claudedataingestion.config.IngestConfig;
import dev.claudedataingestion.config.RunOrigin;
import dev.claudedataingestion.ingest.IngestListener;
import dev.claudedataingestion.ingest.IngestionJob;
import dev.claudedataingestion.ingest.Planner;
import dev.claudedataingestion.model.DayRange;
import dev.claudedataingestion.model.ReportKind;
import dev.claudedataingestion.model.Table;
import dev.claudedataingestion.reports.Endpoint;
import dev.claudedataingestion.reports.Report;
import dev.claudedataingestion.reports.Reports;
import dev.claudedataingestion.simulator.AdminApiSimulator;
import dev.claudedataingestion.source.AdminApiClient;
import dev.claudedataingestion.warehouse.Warehouse;
import dev.claudedataingestion.warehouse.WarehouseLocation;
import dev.claudedataingestion.warehouse.Warehouses;
import dev.claudedataingestion.warehouse.WriteResult;
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
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code claude-ingest bench}: the pipeline measured end to end, from a simulator of an organization of the given size
 * (in a JVM of its own, so that the heap and RSS measured here are the pipeline's) to a DuckDB file: rows per second,
 * time waiting on the API, parsing and writing, API requests against the minimum, peak heap and RSS; and, as the
 * reference for the write side, DuckDB's own {@code read_json} of the same pages.
 */
public final class Bench {

    private final int workspaces;
    private final int apiKeys;
    private final int models;
    private final int days;
    private final String bucketWidth;
    private final Set<ReportKind> reports;
    private final double requestsPerSecond;
    private final Path workDir;
    private final Clock clock;
    private final String version;
    private final List<String> claudeIngest;

    /**
     * @param reports      the reports to run ({@code usage} stands for the hourly one with {@code bucketWidth} 1h)
     * @param workDir      where the DuckDB files and pages go; null: a temporary folder, deleted afterwards
     * @param claudeIngest the command that starts {@code claude-ingest} in a new JVM, to which the simulator's
     *                     arguments are added
     */
    public Bench(int workspaces, int apiKeys, int models, int days, String bucketWidth, Set<ReportKind> reports,
            double requestsPerSecond, Path workDir, Clock clock, String version, List<String> claudeIngest) {
        this.workspaces = workspaces;
        this.apiKeys = apiKeys;
        this.models = models;
        this.days = days;
        this.bucketWidth = bucketWidth;
        this.reports = reports;
        this.requestsPerSecond = requestsPerSecond;
        this.workDir = workDir;
        this.clock = clock;
        this.version = version;
        this.claudeIngest = List.copyOf(claudeIngest);
    }

    /** Runs the bench and prints its figures to {@code out}. */
    public void run(PrintStream out) throws Exception {
        ReportKind report = bucketWidth.equals("1h") ? ReportKind.USAGE_HOURLY : ReportKind.USAGE;
        LocalDate last = Reports.of(ReportKind.USAGE).lastCompleteDay(clock.instant());
        DayRange range = DayRange.of(last.minusDays(days - 1L), last);
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("claude-bench-");
                // The simulator runs in a JVM of its own, so that the heap and RSS measured here are the pipeline's.
        Process simulator = startSimulator(days);
        try {
            URI simulatorUrl = URI.create(readUrl(simulator));
            ApiConfig api = ApiConfig.of(simulatorUrl, AdminKey.parse(AdminApiSimulator.DEMO_KEY, "bench"),
                    Optional.empty(), requestsPerSecond, version);
            AdminApiClient client = new AdminApiClient(api);
            EnumSet<ReportKind> selected = EnumSet.copyOf(reports);
            if (selected.remove(ReportKind.USAGE)) {
                selected.add(report);
            }
            IngestConfig ingest = new IngestConfig(range.first(), 0, selected, false, Optional.of(range),
                    Optional.empty());
            Timings timings = new Timings();
            HeapSampler heap = new HeapSampler();
            heap.start();
            long start = System.nanoTime();
            Map<ReportKind, Long> rowPages = new java.util.EnumMap<>(ReportKind.class);
            WarehouseLocation file = Warehouses.locate(Optional.of("duckdb:" + work.resolve("bench.duckdb")), Map.of());
            try (Warehouse warehouse = file.open(false)) {
                IngestionJob.Outcome outcome = new IngestionJob(client, Optional.empty(), warehouse, ingest,
                        clock, version, timings, work, RunOrigin.MANUAL,
                        AnalysisViews.catalog(ingest.prices()))
                        .run(ingest.deadlineFrom(clock));
                if (outcome.failure() != null) {
                    throw outcome.failure();
                }
                selected.forEach(kind -> rowPages.put(kind, rowPages(warehouse, kind, range)));
            }
            Duration total = Duration.ofNanos(System.nanoTime() - start);
            long peakHeap = heap.finish();
            long peakLive = heap.peakLive;
            long minimum = 1;
            for (ReportKind kind : selected) {
                int windows = Planner.windows(kind, new java.util.TreeSet<>(range.days().toList())).size();
                // A report of buckets takes a request per window, one of daily records a request per day, and one
                // of rows a request per page of its groups.
                minimum += Reports.of(kind).endpoint().<Long>match(buckets -> (long) windows,
                        records -> (long) range.size(), rows -> rowPages.get(kind));
            }

            out.printf("organization   %,d workspaces, %,d API keys, %d models; %,d days of %s buckets%n",
                    workspaces, apiKeys, models, days, bucketWidth);
            out.printf("rows written   %,d (%s)%n", timings.rows, selected.stream().map(ReportKind::id)
                    .collect(java.util.stream.Collectors.joining(", ")));
            out.printf("end to end     %.1f s, %,.0f rows/s%n", seconds(total), timings.rows / seconds(total));
            // Both measured inside the windows' fetches: the organization request and the plan are not in either.
            out.printf("  fetch        %.1f s: waiting on the API %.1f s (the simulator answering, the network),"
                    + " parsing and spooling %.1f s%n", seconds(timings.fetch), seconds(timings.waiting),
                    seconds(timings.fetch.minus(timings.waiting)));
            out.printf("  write        %.1f s (DuckDB: appender, replace, coverage)%n",
                    seconds(timings.write));
            out.printf("API requests   %d (minimum %d: /me, one page per window, one per Claude Code day, one per"
                    + " 1,000 groups of an analytics window)%n",
                    client.requestsMade(), minimum);
            out.printf("peak heap      %,d MB used of %,d MB allowed; %,d MB live after a collection (sampled every"
                    + " 10 ms)%n", peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20, peakLive >> 20);
            out.printf("peak RSS       %,d MB (the pipeline and DuckDB; the simulator is another process)%n",
                    peakRssMegabytes());

            if (!selected.equals(EnumSet.of(report))) {
                // The reference loads usage pages only: it compares with a run of the usage report alone.
                return;
            }
            Path pages = Files.createDirectories(work.resolve("pages"));
            savePages(simulatorUrl, report, range, pages);
            long referenceStart = System.nanoTime();
            long referenceRows = loadWithDuckDb(pages, work.resolve("reference.duckdb"));
            Duration reference = Duration.ofNanos(System.nanoTime() - referenceStart);
            out.printf("reference      DuckDB read_json of the same pages: %,d rows in %.1f s, %,.0f rows/s%n",
                    referenceRows, seconds(reference), referenceRows / seconds(reference));
            // Write against load only: the end to end time also holds the simulator's answers on the same cores,
            // which the reference, reading files already on disk, never waits for.
            out.printf("write / load   %.2f: this run's write (%.1f s) against DuckDB loading the same rows (%.1f s);"
                    + " below 1, the write is the faster%n", seconds(timings.write) / seconds(reference),
                    seconds(timings.write), seconds(reference));
        } finally {
            simulator.destroy();
            simulator.waitFor();
            if (workDir == null) {
                delete(work);
            }
        }
    }

    /** {@code claude-ingest simulator} for an organization of the given size, on a free port, in a new JVM. */
    private Process startSimulator(int historyDays) throws IOException {
        List<String> command = new ArrayList<>(claudeIngest);
        command.addAll(List.of("simulator", "--port", "0", "--workspaces", String.valueOf(workspaces),
                "--api-keys", String.valueOf(apiKeys), "--models", String.valueOf(models), "--users", "20",
                "--history-days", String.valueOf(historyDays + 1)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String readUrl(Process simulator) throws IOException {
        java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                simulator.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            java.util.regex.Matcher url = java.util.regex.Pattern.compile("at (http://\\S+)$").matcher(line);
            if (url.find()) {
                return url.group(1);
            }
        }
        throw new IOException("the simulator did not start");
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
        Duration waiting = Duration.ZERO;
        Duration write = Duration.ZERO;

        @Override
        public void timed(WriteResult result, Duration fetchTime, Duration waitingTime, Duration writeTime) {
            rows += result.rows();
            fetch = fetch.plus(fetchTime);
            waiting = waiting.plus(waitingTime);
            write = write.plus(writeTime);
        }
    }

    /** Asks the simulator for the usage pages of every window, as the client does, and keeps the bodies. */
    private static void savePages(URI simulator, ReportKind report, DayRange range, Path pages)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Endpoint.Buckets usage = (Endpoint.Buckets) Reports.of(report).endpoint();
        int page = 0;
        for (DayRange window : Planner.windows(report, new java.util.TreeSet<>(range.days().toList()))) {
            String query = "starting_at=" + window.startInstant() + "&ending_at=" + window.endInstant()
                    + "&bucket_width=" + usage.widthName() + "&limit="
                    + Duration.between(window.startInstant(), window.endInstant()).dividedBy(usage.width())
                    + usage.groupBy().stream().map(dimension -> "&group_by%5B%5D=" + dimension)
                    .collect(java.util.stream.Collectors.joining());
            HttpRequest request = HttpRequest.newBuilder(URI.create(simulator + usage.path() + "?" + query))
                    .header("x-api-key", AdminApiSimulator.DEMO_KEY).header("anthropic-version", "2023-06-01")
                    .build();
            http.send(request, HttpResponse.BodyHandlers.ofFile(pages.resolve("page-" + (page++) + ".json")));
        }
    }

    /** The reference: DuckDB reads the pages itself, in parallel, and writes the rows. */
    private static long loadWithDuckDb(Path pages, Path file) throws SQLException, IOException {
        long largest;
        try (Stream<Path> files = Files.list(pages)) {
            largest = files.mapToLong(page -> page.toFile().length()).max().orElse(1);
        }
        // The bench's own warehouse has already loaded DuckDB's native library.
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

    /**
     * The fewest pages a report of rows can come in: per window, its day-and-group rows (the key without the cost
     * and token types, which do not count toward a page) by the page's limit. Zero for the other reports.
     */
    private static long rowPages(Warehouse warehouse, ReportKind kind, DayRange range) {
        Report report = Reports.of(kind);
        return report.endpoint().match(buckets -> 0L, records -> 0L, rows -> {
            Table table = report.tables().get(0);
            List<String> group = table.key().stream().filter(column -> !List.of("organization_id", "grouped_by",
                    "cost_type", "token_type").contains(column)).toList();
            long pages = 0;
            for (DayRange window : Planner.windows(kind, new java.util.TreeSet<>(range.days().toList()))) {
                long groups = warehouse.read("SELECT count(*) AS n FROM (SELECT DISTINCT " + String.join(", ", group)
                        + " FROM " + warehouse.dialect().table(table.name()) + " WHERE activity_date BETWEEN"
                        + " @first_day AND @last_day) g", Map.of("first_day", window.first(), "last_day",
                        window.last()), row -> row.int64("n")).get(0);
                pages += Math.max(1, (groups + rows.limit() - 1) / rows.limit());
            }
            return pages;
        });
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
