package dev.claudedataingestion.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Days and rows written per report, as {@code ingestion_runs.report_counts} holds them
 * ({@code {"usage":{"days":3,"rows":120},…}}): what a finished run counted, or what the ledger holds of an abandoned
 * one.
 */
final class ReportCounts {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** One report's entry. */
    private record Count(long days, long rows) {
    }

    private final Map<String, Count> counts = new LinkedHashMap<>();

    /** Adds {@code days} and {@code rows} to {@code report}'s count. */
    void add(String report, long days, long rows) {
        counts.merge(report, new Count(days, rows), (a, b) -> new Count(a.days() + b.days(), a.rows() + b.rows()));
    }

    long days() {
        return counts.values().stream().mapToLong(Count::days).sum();
    }

    long rows() {
        return counts.values().stream().mapToLong(Count::rows).sum();
    }

    boolean isEmpty() {
        return counts.isEmpty();
    }

    /** The JSON of the counts, in the order the reports were first added. */
    String json() {
        try {
            return JSON.writeValueAsString(counts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
