package dev.claudedataingestion.ingest;

import dev.claudedataingestion.warehouse.RunRecord;
import dev.claudedataingestion.warehouse.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Runs recorded {@code running} whose process has gone (killed, out of memory, timed out): how to tell, and their
 * record completed from what the coverage ledger holds of them, since a run that dies never records its counts.
 */
public final class AbandonedRuns {

    /** {@code pid@host} of this process, recorded with each run it starts. */
    public static final String THIS_PROCESS = ProcessHandle.current().pid() + "@" + hostName();

    private AbandonedRuns() {
    }

    /**
     * Whether {@code run}, recorded {@code running}, has lost its process: on this host, a process id no longer
     * alive; elsewhere, a Cloud Run execution more than an hour old (its task has 15 minutes), or any run more than a
     * day old.
     */
    public static boolean isAbandoned(RunRecord run, Instant now) {
        if (run.status() != RunRecord.Status.RUNNING) {
            return false;
        }
        String process = run.process() == null ? "" : run.process();
        int at = process.indexOf('@');
        if (process.matches("\\d+@.+") && process.substring(at + 1).equals(host(THIS_PROCESS))) {
            return ProcessHandle.of(Long.parseLong(process.substring(0, at))).isEmpty();
        }
        Duration age = Duration.between(run.startedAt(), now);
        return age.compareTo(Duration.ofDays(1)) > 0
                || run.executionId() != null && age.compareTo(Duration.ofHours(1)) > 0;
    }

    /**
     * {@code run} as {@code abandoned}, noticed at {@code now}, with the days and rows it wrote, per report, as the
     * coverage ledger holds them for its {@code run_id}:
     * <pre>
     * SELECT organization_id, report, COUNT(*) AS days, SUM(row_count) AS row_total FROM ingestion_coverage
     * WHERE run_id = @run GROUP BY organization_id, report ORDER BY report
     * </pre>
     */
    public static RunRecord completed(Warehouse warehouse, RunRecord run, Instant now) {
        ReportCounts counts = new ReportCounts();
        String[] organization = {run.organizationId()};
        warehouse.forEach("SELECT organization_id, report, COUNT(*) AS days, SUM(row_count) AS row_total FROM "
                + warehouse.dialect().table("ingestion_coverage") + " WHERE run_id = @run"
                + " GROUP BY organization_id, report ORDER BY report", Map.of("run", run.runId()), row -> {
                    counts.add(row.string("report"), row.int64("days"), row.int64("row_total"));
                    if (organization[0] == null) {
                        organization[0] = row.string("organization_id");
                    }
                });
        return run.abandoned(now, organization[0], counts.days(), counts.rows(), counts.isEmpty() ? null
                : counts.json());
    }

    private static String host(String process) {
        return process.substring(process.indexOf('@') + 1);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }
}
