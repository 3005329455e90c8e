package dev.claudedataingestion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudedataingestion.TestApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark runs and prints its figures; the figures themselves are for docs/benchmarks.md, not for asserts. */
class BenchCommandIT {

    @TempDir
    Path directory;

    @Test
    void printsEveryFigureForASmallOrganization() throws Exception {
        TestApi.Ran ran = TestApi.run(Map.of(), Clock.systemUTC(), "bench", "--workspaces", "3", "--api-keys", "20",
                "--models", "3", "--days", "40", "--work-dir", directory.toString());
        int code = ran.code();
        String report = ran.out();
        assertThat(code).as(report).isZero();
        assertThat(report).contains("rows/s").contains("fetch").contains("write").contains("peak heap")
                .contains("peak RSS").contains("reference").contains("write / load");
        // The rows the pipeline wrote and the rows DuckDB read from the same pages are the same rows.
        Matcher written = Pattern.compile("rows written   ([0-9,]+)").matcher(report);
        Matcher reference = Pattern.compile("read_json of the same pages: ([0-9,]+) rows").matcher(report);
        assertThat(written.find() && reference.find()).isTrue();
        assertThat(written.group(1)).isEqualTo(reference.group(1));
        // Two windows of 31 and 9 days, and /me: the minimum.
        assertThat(report).contains("API requests   3 (minimum 3");
        assertThat(Files.exists(directory.resolve("bench.duckdb"))).isTrue();
    }

    @Test
    void theAnalyticsReportsTakeTheFewestPagesTheirLimitAllows() {
        // About 900 groups on a weekday: five days take several pages of 1,000.
        TestApi.Ran ran = TestApi.run(Map.of(), Clock.systemUTC(), "bench", "--workspaces", "3", "--api-keys", "300",
                "--models", "5", "--days", "5", "--reports", "analytics_usage,analytics_cost", "--work-dir",
                directory.toString());
        int code = ran.code();
        String report = ran.out();
        assertThat(code).as(report).isZero();
        Matcher requests = Pattern.compile("API requests   ([0-9]+) \\(minimum ([0-9]+)").matcher(report);
        assertThat(requests.find()).as(report).isTrue();
        assertThat(requests.group(1)).isEqualTo(requests.group(2));
        assertThat(Integer.parseInt(requests.group(1))).as("more than a page per window").isGreaterThan(1 + 2 * 2);
    }
}
