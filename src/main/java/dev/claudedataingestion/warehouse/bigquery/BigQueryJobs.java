package dev.claudedataingestion.warehouse.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobId;
import com.google.cloud.bigquery.JobStatus;
import dev.claudedataingestion.model.Backoff;
import dev.claudedataingestion.model.Deadline;
import dev.claudedataingestion.warehouse.WarehouseException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the BigQuery jobs of one warehouse: each under an id that names its write, step and attempt, so that a
 * request whose answer was lost is looked up instead of sent twice; retried while BigQuery says another attempt may
 * work, with jittered pauses that never pass the deadline; and cancelled when the deadline comes first.
 */
final class BigQueryJobs {

    private static final Logger log = LoggerFactory.getLogger(BigQueryJobs.class);
    /** The label every job carries. */
    static final String APP = "claude-ingest";
    /** After a cancel, how long to wait for the job to say how it ended. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(15);
    private static final Duration MAX_POLL = Duration.ofSeconds(2);

    /** The client of the dataset's location, which the warehouse may replace once it has read it. */
    private final Supplier<BigQuery> bigquery;
    private final String project;
    private final BigQueryWarehouse.Options options;
    private final Supplier<String> location;

    BigQueryJobs(Supplier<BigQuery> bigquery, String project, BigQueryWarehouse.Options options,
            Supplier<String> location) {
        this.bigquery = bigquery;
        this.project = project;
        this.options = options;
        this.location = location;
    }

    /**
     * Twelve hex digits that tell one write from another: a run that writes the same window twice must not find
     * its first write's jobs under the second's ids.
     */
    static String nonce() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** What the jobs of one write share: the stem of their ids, and their labels. */
    record JobContext(String stem, Map<String, String> labels) {
        static JobContext unnamed(String what) {
            return new JobContext(what + "_" + nonce(), Map.of("app", APP));
        }

        /** The id of one attempt of one step: {@code claude_ingest_<stem>_<step>_<attempt>}. */
        String jobId(String step, int attempt) {
            return "claude_ingest_" + stem + "_" + step + "_" + attempt;
        }
    }

    /** The time left to {@code deadline}, as a job's timeout: at least a second. */
    static long jobTimeoutMs(Deadline deadline) {
        return Math.max(1_000, deadline.remaining().toMillis());
    }

    /**
     * Submits a job with {@code submit} and waits for it to end, again under a new id while BigQuery says another
     * attempt may work. When a submission fails without an answer (a dropped connection, a 5xx, or a 409 because
     * the client's request did arrive), the job is looked up by its id first: a job that exists is waited for, never
     * submitted twice. A job still running at the deadline is cancelled.
     *
     * @param submit starts the job with the given id and returns it; {@code null} when there was nothing to do
     */
    Job runJob(JobContext context, String step, String what, Deadline deadline, Function<JobId, Job> submit) {
        return retrying(what, deadline, attempt -> {
            if (deadline.hasPassed()) {
                throw new DeadlinePassed("the run's deadline passed before BigQuery could " + what + "; nothing was"
                        + " changed");
            }
            JobId jobId = JobId.newBuilder().setProject(project).setLocation(location.get())
                    .setJob(context.jobId(step, attempt)).build();
            Job job;
            try {
                job = submit.apply(jobId);
            } catch (BigQueryException e) {
                job = lookUp(jobId, deadline);
                if (job == null) {
                    throw e;
                }
                log.info("BigQuery: the request for job {} failed ({}) but the job exists; waiting for it instead of"
                        + " running it again", jobId.getJob(), BigQueryErrors.describe(BigQueryErrors.of(e)));
            }
            if (job == null) {
                return null;
            }
            Job done = await(jobId, what, deadline);
            BigQueryError error = done.getStatus().getError();
            if (error != null) {
                throw new JobFailed("job " + jobId.getJob(), error);
            }
            return done;
        });
    }

    /** The job with this id, or null when BigQuery has none; asking is safe to repeat. */
    Job lookUp(JobId jobId, Deadline deadline) {
        return retrying("look up job " + jobId.getJob(), deadline.withGrace(CANCEL_GRACE), attempt ->
                bigquery.get().getJob(jobId));
    }

    /**
     * Polls the job until it is done. At the deadline the job is cancelled and polled a little longer for how it
     * ended: one that finished before the cancel took effect counts as done.
     */
    private Job await(JobId jobId, String what, Deadline deadline) {
        Duration pause = options.firstPoll();
        boolean cancelled = false;
        Deadline afterCancel = null;
        while (true) {
            Job job = lookUp(jobId, cancelled ? afterCancel : deadline);
            if (job == null) {
                throw new WarehouseException("BigQuery job " + jobId.getJob() + " disappeared while it ran");
            }
            if (job.getStatus() != null && job.getStatus().getState() == JobStatus.State.DONE) {
                if (cancelled && job.getStatus().getError() != null) {
                    throw new DeadlinePassed("BigQuery job " + jobId.getJob() + " (" + what + ") was still running"
                            + " at the run's deadline and was cancelled; nothing it would have changed was kept");
                }
                return job;
            }
            if (!cancelled && deadline.hasPassed()) {
                log.warn("BigQuery: job {} ({}) is still running at the run's deadline; cancelling it", jobId.getJob(),
                        what);
                cancelQuietly(jobId);
                cancelled = true;
                afterCancel = Deadline.after(CANCEL_GRACE, deadline.clock());
                pause = options.firstPoll();
            } else if (cancelled && afterCancel.hasPassed()) {
                throw new DeadlinePassed("BigQuery job " + jobId.getJob() + " (" + what + ") was still running at the"
                        + " run's deadline; it was cancelled but had not stopped " + CANCEL_GRACE.toSeconds() + " s later."
                        + " Check it with 'bq show -j " + jobId.getJob() + "' before running again");
            }
            sleep((cancelled ? afterCancel : deadline).cap(pause), "waiting for job " + jobId.getJob());
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
        }
    }

    private void cancelQuietly(JobId jobId) {
        try {
            bigquery.get().cancel(jobId);
        } catch (BigQueryException e) {
            log.warn("BigQuery: could not cancel job {} ({})", jobId.getJob(), BigQueryErrors.describe(BigQueryErrors.of(e)));
        }
    }

    /** A job that ended with an {@code errorResult}. */
    static final class JobFailed extends RuntimeException {
        final BigQueryError error;

        JobFailed(String job, BigQueryError error) {
            super(job + " failed: " + BigQueryErrors.describe(error));
            this.error = error;
        }
    }

    /** The run's deadline came before the work was done; never retried. */
    static final class DeadlinePassed extends WarehouseException {
        DeadlinePassed(String message) {
            super(message);
        }
    }

    /** {@link #retrying} for work that does not care which attempt it is. */
    <T> T attempt(String what, Deadline deadline, Supplier<T> action) {
        return retrying(what, deadline, attempt -> action.get());
    }

    /**
     * Runs {@code action} with the attempt's number, again after a jittered pause while the failure is one that may
     * pass (rate limits, backend errors, aborted transactions); never past the deadline. The final failure says how
     * many attempts were made and keeps the cause.
     */
    <T> T retrying(String what, Deadline deadline, IntFunction<T> action) {
        Backoff backoff = options.backoff();
        for (int attempt = 1; ; attempt++) {
            BigQueryError error;
            RuntimeException failure;
            boolean retryable;
            try {
                return action.apply(attempt);
            } catch (JobFailed e) {
                error = e.error;
                failure = e;
                retryable = BigQueryErrors.isRetryable(error);
            } catch (BigQueryException e) {
                error = BigQueryErrors.of(e);
                failure = e;
                retryable = BigQueryErrors.isRetryable(error) || BigQueryErrors.isUnanswered(e);
            }
            String problem = failure instanceof JobFailed ? failure.getMessage() : BigQueryErrors.describe(error);
            String attempts = attempt + " attempt" + (attempt == 1 ? "" : "s");
            if (!retryable || !backoff.mayRetryAfter(attempt)) {
                throw new WarehouseException("BigQuery: " + what + " failed after " + attempts + ": " + problem, failure);
            }
            Duration pause = backoff.delay(attempt);
            if (pause.compareTo(deadline.remaining()) >= 0) {
                throw new DeadlinePassed("BigQuery: " + what + " failed after " + attempts + " and the run's deadline"
                        + " leaves no time for another: " + problem);
            }
            log.warn("BigQuery: {} failed ({}); attempt {} of {} in {} ms", what, problem, attempt + 1,
                    backoff.attempts(), pause.toMillis());
            sleep(pause, "waiting to retry " + what);
        }
    }

    static void sleep(Duration pause, String what) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WarehouseException("interrupted while " + what, e);
        }
    }
}
