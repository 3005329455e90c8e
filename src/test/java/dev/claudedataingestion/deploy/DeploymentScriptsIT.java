package dev.claudedataingestion.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudedataingestion.TestApi;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudedataingestion.deploy.GoogleCloudRecorder.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment scripts, run for real with the installed gcloud and bq, against {@link GoogleCloudRecorder}
 * through a throwaway gcloud configuration: nothing leaves the machine. Asserts what the scripts ask Google for.
 */
class DeploymentScriptsIT {

    private static final Path SCRIPTS = Path.of("infrastructure/cloud_run").toAbsolutePath();
    private static final String PROJECT = "test-project";
    private static final String KEY = "sk-ant-admin01-deployment-test-key";
    private static final String PIPELINE = "ai-usage-pipeline@test-project.iam.gserviceaccount.com";
    private static final String SCHEDULER = "ai-usage-scheduler@test-project.iam.gserviceaccount.com";
    private static final String WEBHOOK = "https://hooks.slack.com/services/T0/B0/notify-test-token";
    private static final String IMAGE = "us-central1-docker.pkg.dev/test-project/claude-data-ingestion/"
            + "claude-data-ingestion:git-0123456789ab";

    @TempDir
    static Path home;

    private static GoogleCloudRecorder recorder;
    /** Where the installed Google Cloud SDK lives. */
    private static Path sdkRoot;
    private static Map<String, String> environment;

    record Result(int exit, String output) {
    }

    @BeforeAll
    static void configureGcloud() throws Exception {
        assumeTrue(TestApi.onPath("gcloud") && TestApi.onPath("bq"), "the Google Cloud CLI (gcloud, bq) is not installed here");
        recorder = new GoogleCloudRecorder();
        Path config = home.resolve("gcloud");
        Files.createDirectories(config);
        Files.writeString(home.resolve("token"), "test-access-token");
        environment = new HashMap<>();
        environment.put("CLOUDSDK_CONFIG", config.toString());
        environment.put("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", home.resolve("token").toString());
        environment.put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
        environment.put("HOME", home.toString());
        environment.put("PROJECT_ID", PROJECT);
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
            // The system's Python for gcloud, bq and the scripts: a version manager's shim in front of it costs a
            // third of a second on every start, a minute over this class.
            environment.put("PATH", "/usr/bin:" + System.getenv("PATH"));
        }
        // gcloud's configuration file, written as 'gcloud config set' would write it (17 calls of a second each).
        StringBuilder properties = new StringBuilder("[core]\nproject = " + PROJECT + "\n"
                + "disable_usage_reporting = true\ncheck_gce_metadata = false\n\n"
                + "[component_manager]\ndisable_update_check = true\n\n"
                + "[proxy]\ntype = http\naddress = 127.0.0.1\nport = " + recorder.proxyPort() + "\n\n"
                + "[api_endpoint_overrides]\n");
        for (String api : List.of("run", "cloudscheduler", "iam", "secretmanager", "cloudresourcemanager",
                "serviceusage", "artifactregistry", "cloudbuild", "monitoring", "logging", "bigquery")) {
            properties.append(api).append(" = http://").append(api).append(".fake/\n");
        }
        Files.createDirectories(config.resolve("configurations"));
        Files.writeString(config.resolve("active_config"), "default");
        Files.writeString(config.resolve("configurations/config_default"), properties);
        assertThat(run(List.of("gcloud", "config", "get", "proxy/port"), "", Map.of()).output())
                .contains(String.valueOf(recorder.proxyPort()));
        // bq reads its flags from ~/.bigqueryrc: the recorder's address and the API description that ships with it.
        sdkRoot = Path.of(run(List.of("gcloud", "info", "--format=value(installation.sdk_root)"), "", Map.of())
                .output().strip());
        Files.writeString(home.resolve(".bigqueryrc"), "--api=http://127.0.0.1:" + recorder.port()
                + "\n--discovery_file=" + sdkRoot + "/platform/bq/discovery_next/bigquery.json\n");
    }

    @AfterAll
    static void stopRecorder() {
        if (recorder != null) {
            recorder.close();
        }
    }

    private static Result run(List<String> command, String stdin, Map<String, String> extra) throws IOException,
            InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (environment != null) {
            builder.environment().putAll(environment);
        }
        builder.environment().putAll(extra);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static Result script(String name, String stdin, Map<String, String> extra, String... arguments)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve(name).toString()));
        command.addAll(List.of(arguments));
        return run(command, stdin, extra);
    }

    private static List<Request> requests(String method, String pathPart) {
        return recorder.requests().stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart))
                .toList();
    }

    private static JsonNode policyBinding(Request setIamPolicy, String role) {
        for (JsonNode binding : setIamPolicy.json().at("/policy/bindings")) {
            if (binding.get("role").asText().equals(role)) {
                return binding;
            }
        }
        throw new AssertionError("no binding for " + role + " in " + setIamPolicy.body());
    }

    @Test
    void deploysEverythingTheGuideAsksForAndASecondRunCreatesNothing() throws Exception {
        // The job's variables come from a committed file, never from the deploying shell.
        Path jobEnv = home.resolve("job.env");
        Files.writeString(jobEnv, Files.readString(SCRIPTS.resolve("job.env"))
                .replace("ANTHROPIC_ORGANIZATION_ID=\n", "ANTHROPIC_ORGANIZATION_ID=org-1234\n"));
        // A chat's incoming webhook for notify, from a file.
        Path webhookFile = home.resolve("webhook.txt");
        Files.writeString(webhookFile, WEBHOOK + "\n");
        Map<String, String> settings = Map.of("JOB_ENV_FILE", jobEnv.toString(), "IMAGE", IMAGE,
                "ALERT_EMAIL", "oncall@example.com", "SECRET_LOCATIONS", "us-central1,us-east1",
                "NOTIFY_WEBHOOK_FILE", webhookFile.toString());
        Result iam = script("setup-iam.sh", KEY + "\n", settings);
        assertThat(iam.exit()).as(iam.output()).isZero();
        assertThat(iam.output()).doesNotContain(KEY).doesNotContain("notify-test-token");
        Result deploy = script("deploy-claude-ingestion.sh", "", settings);
        assertThat(deploy.exit()).as(deploy.output()).isZero();
        Result schedule = script("setup-scheduler.sh", "", settings);
        assertThat(schedule.exit()).as(schedule.output()).isZero();
        Result alerting = script("setup-alerting.sh", "", settings);
        assertThat(alerting.exit()).as(alerting.output()).isZero();

        // Service accounts and the secret, whose value came from standard input.
        assertThat(requests("POST", "/serviceAccounts")).extracting(r -> r.json().get("accountId").asText())
                .containsExactly("ai-usage-pipeline", "ai-usage-scheduler", "ai-usage-builder");
        // Replicated only where SECRET_LOCATIONS says.
        assertThat(requests("POST", "/secrets").stream().filter(Request::creates).findFirst().orElseThrow().json()
                .at("/replication/userManaged/replicas").findValuesAsText("location"))
                .containsExactly("us-central1", "us-east1");
        assertThat(requests("POST", "/secrets").stream().filter(Request::creates).map(Request::query))
                .satisfiesExactly(key -> assertThat(key).contains("secretId=anthropic-admin-api-key"),
                        webhook -> assertThat(webhook).contains("secretId=notify-webhook-url"));
        Request version = requests("POST", "secrets/anthropic-admin-api-key:addVersion").get(0);
        assertThat(new String(Base64.getDecoder().decode(version.json().at("/payload/data").asText()),
                StandardCharsets.UTF_8)).isEqualTo(KEY);
        Request webhookVersion = requests("POST", "secrets/notify-webhook-url:addVersion").get(0);
        assertThat(new String(Base64.getDecoder().decode(webhookVersion.json().at("/payload/data").asText()),
                StandardCharsets.UTF_8)).isEqualTo(WEBHOOK);
        assertThat(policyBinding(requests("POST", "secrets/notify-webhook-url:setIamPolicy").get(0),
                "roles/secretmanager.secretAccessor").get("members").toString()).contains(PIPELINE);

        // Least privilege: the secret, the dataset, BigQuery jobs, and invoking this job; nothing project-wide else.
        Request secretPolicy = requests("POST", "secrets/anthropic-admin-api-key:setIamPolicy").get(0);
        assertThat(policyBinding(secretPolicy, "roles/secretmanager.secretAccessor").get("members").toString())
                .contains("serviceAccount:" + PIPELINE);
        List<Request> projectPolicies = requests("POST", "/v1/projects/test-project:setIamPolicy");
        assertThat(projectPolicies).hasSize(1);
        JsonNode projectPolicy = projectPolicies.get(0).json();
        assertThat(projectPolicy.at("/policy/bindings").findValuesAsText("role")).containsExactlyInAnyOrder(
                "roles/bigquery.jobUser", "roles/logging.logWriter", "roles/artifactregistry.writer",
                "roles/storage.objectViewer");
        for (JsonNode binding : projectPolicy.at("/policy/bindings")) {
            assertThat(binding.get("members").toString()).contains(binding.get("role").asText()
                    .equals("roles/bigquery.jobUser") ? PIPELINE : "ai-usage-builder@").doesNotContain(SCHEDULER);
        }
        // Every read of the Admin key leaves a record.
        JsonNode audit = projectPolicy.at("/policy/auditConfigs/0");
        assertThat(audit.get("service").asText()).isEqualTo("secretmanager.googleapis.com");
        assertThat(audit.at("/auditLogConfigs/0/logType").asText()).isEqualTo("DATA_READ");
        assertThat(projectPolicy.get("updateMask").asText()).contains("auditConfigs");
        Request dataset = requests("PATCH", "/datasets/ai_usage_analytics").get(0);
        assertThat(dataset.json().get("access").toString()).contains("\"role\":\"WRITER\"")
                .contains("\"userByEmail\":\"" + PIPELINE + "\"");
        assertThat(requests("POST", "/datasets")).extracting(r -> r.json().at("/datasetReference/datasetId").asText()
                + " " + r.json().get("location").asText() + " " + r.json().path("defaultTableExpirationMs").asText())
                .containsExactly("ai_usage_analytics US ", "ai_usage_analytics_staging US 86400000");
        Request staging = requests("PATCH", "/datasets/ai_usage_analytics_staging").get(0);
        assertThat(staging.json().get("access").toString()).contains("\"role\":\"WRITER\"")
                .contains("\"userByEmail\":\"" + PIPELINE + "\"");
        List<Request> jobPolicies = requests("POST", "jobs/claude-data-ingestion:setIamPolicy");
        assertThat(policyBinding(jobPolicies.get(0), "roles/run.invoker").get("members").toString())
                .isEqualTo("[\"serviceAccount:" + SCHEDULER + "\"]");
        // The notify schedule starts the job with other arguments, which takes a role of its own.
        assertThat(policyBinding(jobPolicies.get(jobPolicies.size() - 1), "roles/run.jobsExecutorWithOverrides")
                .get("members").toString()).isEqualTo("[\"serviceAccount:" + SCHEDULER + "\"]");

        // The job: size, time, retries, identity, environment and the secret reference.
        JsonNode job = requests("POST", "/namespaces/test-project/jobs").get(0).json();
        assertThat(job.at("/metadata/name").asText()).isEqualTo("claude-data-ingestion");
        JsonNode task = job.at("/spec/template/spec/template/spec");
        assertThat(job.at("/spec/template/spec/taskCount").asInt()).isEqualTo(1);
        assertThat(task.get("maxRetries").asInt()).isEqualTo(3);
        assertThat(task.get("timeoutSeconds").asText()).isEqualTo("900");
        assertThat(task.get("serviceAccountName").asText()).isEqualTo(PIPELINE);
        JsonNode container = task.at("/containers/0");
        assertThat(container.get("image").asText()).isEqualTo(IMAGE);
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("512Mi");
        assertThat(container.at("/resources/limits/cpu").asText()).isEqualTo("1");
        Map<String, JsonNode> env = new HashMap<>();
        container.get("env").forEach(variable -> env.put(variable.get("name").asText(), variable));
        assertThat(env.get("ANTHROPIC_ORGANIZATION_ID").get("value").asText()).isEqualTo("org-1234");
        assertThat(env.get("BIGQUERY_PROJECT_ID").get("value").asText()).isEqualTo(PROJECT);
        assertThat(env.get("BIGQUERY_DATASET").get("value").asText()).isEqualTo("ai_usage_analytics");
        assertThat(env.get("ANTHROPIC_ADMIN_API_KEY").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo("anthropic-admin-api-key");
        assertThat(env.get("ANTHROPIC_ADMIN_API_KEY").has("value")).isFalse();
        assertThat(env).doesNotContainKey("CHECK_MONTHLY_BUDGET_USD");
        assertThat(env.get("NOTIFY_WEBHOOK_URL").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo("notify-webhook-url");
        assertThat(env.get("NOTIFY_WEBHOOK_URL").has("value")).isFalse();
        // The checks run after every ingest, and their log lines feed the alerts.
        assertThat(container.get("args").toString()).isEqualTo("[\"ingest\",\"--check\"]");

        // The schedule: 14:00 UTC, POST to the job's run endpoint as the scheduler account, 3 retries in an hour.
        List<JsonNode> schedules = requests("POST", "/locations/us-central1/jobs").stream()
                .filter(r -> r.host().startsWith("cloudscheduler")).map(Request::json).toList();
        assertThat(schedules).hasSize(2);
        JsonNode trigger = schedules.get(0);
        assertThat(trigger.get("schedule").asText()).isEqualTo("0 14 * * *");
        assertThat(trigger.get("timeZone").asText()).isEqualTo("UTC");
        assertThat(trigger.at("/httpTarget/uri").asText()).isEqualTo(
                "https://run.googleapis.com/v2/projects/test-project/locations/us-central1/jobs/claude-data-ingestion:run");
        assertThat(trigger.at("/httpTarget/httpMethod").asText()).isEqualTo("POST");
        assertThat(trigger.at("/httpTarget/oauthToken/serviceAccountEmail").asText()).isEqualTo(SCHEDULER);
        assertThat(trigger.at("/retryConfig/retryCount").asInt()).isEqualTo(3);
        assertThat(trigger.at("/retryConfig/maxRetryDuration").asText()).isEqualTo("3600s");
        // An hour later, the same job as 'notify --digest daily', from the run request's overrides.
        JsonNode notify = schedules.get(1);
        assertThat(notify.get("name").asText()).endsWith("/jobs/claude-daily-notify");
        assertThat(notify.get("schedule").asText()).isEqualTo("0 15 * * *");
        assertThat(notify.at("/httpTarget/uri").asText()).isEqualTo(trigger.at("/httpTarget/uri").asText());
        assertThat(notify.at("/httpTarget/oauthToken/serviceAccountEmail").asText()).isEqualTo(SCHEDULER);
        assertThat(notify.at("/httpTarget/headers/Content-Type").asText()).isEqualTo("application/json");
        assertThat(new ObjectMapper().readTree(Base64.getDecoder().decode(notify.at("/httpTarget/body").asText()))
                .at("/overrides/containerOverrides/0/args").toString())
                .isEqualTo("[\"notify\",\"--digest\",\"daily\"]");

        assertAlerting();

        // Again, from a shell that exports other values for the job's variables: everything is found, nothing is
        // created, nothing fails, and the job keeps the variables of the file.
        recorder.clearRequests();
        Map<String, String> otherShell = new HashMap<>(settings);
        otherShell.putAll(Map.of("ANTHROPIC_ORGANIZATION_ID", "", "BIGQUERY_DATASET", "another_dataset"));
        for (String name : List.of("setup-iam.sh", "deploy-claude-ingestion.sh", "setup-scheduler.sh",
                "setup-alerting.sh")) {
            Result again = script(name, "", otherShell);
            assertThat(again.exit()).as(name + ": " + again.output()).isZero();
            if (name.startsWith("deploy")) {
                assertThat(again.output()).contains("the job's variables do not change");
            }
        }
        assertThat(recorder.requests()).filteredOn(Request::creates).isEmpty();
        // Every grant is in place already: no policy is written again.
        assertThat(recorder.requests()).filteredOn(r -> r.path().endsWith(":setIamPolicy")).isEmpty();
        assertThat(requests("PUT", "/namespaces/test-project/jobs/claude-data-ingestion")).singleElement()
                .satisfies(update -> assertThat(update.json().at("/spec/template/spec/template/spec/containers/0/env")
                        .toString()).contains("org-1234").contains("ai_usage_analytics")
                        .doesNotContain("another_dataset"));
        assertThat(requests("PATCH", "/jobs/claude-daily-ingestion")).hasSize(1);
        assertThat(requests("PATCH", "/jobs/claude-daily-notify")).hasSize(1);
        // Given the file again, the webhook became the secret's new version.
        assertThat(requests("POST", "secrets/notify-webhook-url:addVersion")).hasSize(1);

        // Pausing and resuming, as the guide describes.
        assertThat(script("setup-scheduler.sh", "", settings, "pause").exit()).isZero();
        assertThat(script("setup-scheduler.sh", "", settings, "resume").exit()).isZero();
        assertThat(requests("POST", "claude-daily-ingestion:pause")).hasSize(1);
        assertThat(requests("POST", "claude-daily-ingestion:resume")).hasSize(1);
        assertThat(requests("POST", "claude-daily-notify:pause")).hasSize(1);
        assertThat(requests("POST", "claude-daily-notify:resume")).hasSize(1);
        assertThat(recorder.refusedTunnels()).isEmpty();
    }

    /** The channel, the metrics the alerts read, six policies that each say how bad and where to look, a dashboard. */
    private static void assertAlerting() {
        JsonNode channel = requests("POST", "/notificationChannels").get(0).json();
        assertThat(channel.get("type").asText()).isEqualTo("email");
        assertThat(channel.at("/labels/email_address").asText()).isEqualTo("oncall@example.com");

        Map<String, JsonNode> metrics = new HashMap<>();
        requests("POST", "/v2/projects/test-project/metrics").forEach(r -> metrics.put(r.json().get("name").asText(),
                r.json()));
        assertThat(metrics).containsOnlyKeys("claude_ingest_runs", "claude_ingest_run_rows",
                "claude_ingest_run_retries", "claude_ingest_run_seconds", "claude_ingest_checks",
                "claude_ingest_scheduler_failures");
        assertThat(metrics.get("claude_ingest_runs").at("/labelExtractors/status").asText())
                .isEqualTo("EXTRACT(jsonPayload.status)");
        assertThat(metrics.get("claude_ingest_runs").get("filter").asText())
                .contains("resource.labels.job_name=\"claude-data-ingestion\"").contains("jsonPayload.status:*");
        assertThat(metrics.get("claude_ingest_checks").at("/labelExtractors/check_status").asText())
                .isEqualTo("EXTRACT(jsonPayload.check_status)");
        assertThat(metrics.get("claude_ingest_run_seconds").get("valueExtractor").asText())
                .isEqualTo("EXTRACT(jsonPayload.seconds)");

        List<JsonNode> policies = requests("POST", "/v3/projects/test-project/alertPolicies").stream()
                .map(Request::json).toList();
        assertThat(policies).hasSize(6).allSatisfy(policy -> {
            assertThat(policy.get("severity").asText()).isIn("CRITICAL", "ERROR", "WARNING");
            assertThat(policy.at("/alertStrategy/autoClose").asText()).isEqualTo("86400s");
            assertThat(policy.at("/documentation/content").asText()).contains("docs/runbook.md#");
            assertThat(policy.get("notificationChannels").get(0).asText())
                    .startsWith("projects/test-project/notificationChannels/generated");
        });
        assertThat(policies).extracting(policy -> policy.get("displayName").asText()).containsExactly(
                "claude-data-ingestion: execution failed",
                "claude-data-ingestion: no successful run in 26 hours",
                "claude-data-ingestion: run ended partial",
                "claude-data-ingestion: a data check failed",
                "claude-data-ingestion: data is stale",
                "claude-data-ingestion: the scheduler cannot start the job");
        assertThat(policies.get(0).at("/conditions/0/conditionThreshold/filter").asText())
                .contains("run.googleapis.com/job/completed_execution_count").contains("result = \"failed\"");
        // The absence condition: no summary line saying "succeeded" for longer than a day between two runs.
        assertThat(policies.get(1).at("/conditions/0/conditionPrometheusQueryLanguage/query").asText())
                .startsWith("absent_over_time(logging_googleapis_com:user_claude_ingest_runs{")
                .contains("status=\"succeeded\"").endsWith("[26h])");
        assertThat(policies.get(3).at("/conditions/0/conditionThreshold/filter").asText())
                .contains("user/claude_ingest_checks").contains("check_status = \"fail\"");

        JsonNode dashboard = requests("POST", "/v1/projects/test-project/dashboards").get(0).json();
        assertThat(dashboard.get("displayName").asText()).isEqualTo("claude-data-ingestion pipeline");
        assertThat(dashboard.at("/mosaicLayout/tiles")).hasSize(6);
    }

    /**
     * The telemetry receiver beside the job: its own account with write on the two telemetry tables only, a token
     * made and kept in Secret Manager, and the service with its ingress, authentication and scaling; run twice, it
     * creates each once.
     */
    @Test
    void theTelemetryServiceIsDeployedOnceWithItsOwnAccountAndToken() throws Exception {
        // What the job's deployment and first run left: the dataset, its staging companion and the two tables.
        String dataset = "/bigquery/v2/projects/test-project/datasets/ai_usage_analytics";
        ObjectMapper json = new ObjectMapper();
        recorder.put(dataset + "_staging", json.createObjectNode().put("location", "US"));
        for (String table : List.of("claude_code_events", "claude_code_metrics")) {
            recorder.put(dataset + "/tables/" + table, json.createObjectNode().put("id", table));
        }
        recorder.clearRequests();
        Map<String, String> settings = Map.of("IMAGE", IMAGE);

        for (int run = 0; run < 2; run++) {
            Result telemetry = script("setup-telemetry.sh", "", settings);
            assertThat(telemetry.exit()).as(telemetry.output()).isZero();
            assertThat(telemetry.output()).contains("receiving at https://claude-telemetry-")
                    .contains("gcloud secrets versions access latest --secret=otlp-token");
        }

        String account = "ai-usage-telemetry@test-project.iam.gserviceaccount.com";
        assertThat(requests("POST", "/serviceAccounts").stream().filter(Request::creates))
                .extracting(r -> r.json().get("accountId").asText()).containsExactly("ai-usage-telemetry");
        List<Request> secrets = requests("POST", "/secrets").stream().filter(Request::creates).toList();
        assertThat(secrets).singleElement().extracting(Request::query).asString().contains("secretId=otlp-token");
        String token = new String(Base64.getDecoder().decode(requests("POST", "secrets/otlp-token:addVersion").get(0)
                .json().at("/payload/data").asText()), StandardCharsets.UTF_8);
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        assertThat(recorder.requests()).noneMatch(r -> r.body().contains(token) && !r.path().contains(":addVersion"));
        assertThat(policyBinding(requests("POST", "secrets/otlp-token:setIamPolicy").get(0),
                "roles/secretmanager.secretAccessor").get("members").toString()).contains(account)
                .doesNotContain(PIPELINE);
        // Write on the two tables, not the dataset; its staging tables in the companion dataset; BigQuery jobs.
        for (String table : List.of("claude_code_events", "claude_code_metrics")) {
            assertThat(policyBinding(requests("POST", "tables/" + table + ":setIamPolicy").get(0),
                    "roles/bigquery.dataEditor").get("members").toString()).contains(account);
        }
        assertThat(requests("PATCH", "/datasets/ai_usage_analytics")).allSatisfy(patch ->
                assertThat(patch.path()).endsWith("_staging")).singleElement().satisfies(patch ->
                assertThat(patch.json().get("access").toString()).contains(account));
        assertThat(policyBinding(requests("POST", "/v1/projects/test-project:setIamPolicy").get(0),
                "roles/bigquery.jobUser").get("members").toString()).contains(account);

        // Created once, then replaced with the same settings.
        List<Request> services = requests("POST", "/services").stream().filter(Request::creates).toList();
        assertThat(services).singleElement();
        JsonNode service = services.get(0).json();
        assertThat(service.at("/metadata/annotations/run.googleapis.com~1ingress").asText()).isEqualTo("all");
        JsonNode template = service.at("/spec/template");
        assertThat(template.at("/metadata/annotations/autoscaling.knative.dev~1maxScale").asText()).isEqualTo("1");
        assertThat(template.at("/spec/serviceAccountName").asText()).isEqualTo(account);
        assertThat(template.at("/spec/containerConcurrency").asInt()).isEqualTo(80);
        JsonNode container = template.at("/spec/containers/0");
        assertThat(container.get("image").asText()).isEqualTo(IMAGE);
        assertThat(container.get("args").toString()).isEqualTo("[\"serve\",\"--existing-tables\"]");
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("512Mi");
        assertThat(container.get("env").toString()).contains("\"name\":\"OTLP_TOKEN\"")
                .contains("\"name\":\"otlp-token\"").contains("BIGQUERY_DATASET").doesNotContain(token);
        assertThat(requests("PUT", "/services/claude-telemetry")).hasSize(1);
        // Cloud Run lets requests through to the token check.
        assertThat(policyBinding(requests("POST", "services/claude-telemetry:setIamPolicy").get(0),
                "roles/run.invoker").get("members").toString()).contains("allUsers");
        // The other tests count what their scripts ask for.
        recorder.clearRequests();
    }

    @Test
    void aScriptNamesThePermissionsItLacksBeforeChangingAnything() throws Exception {
        recorder.withhold("monitoring.alertPolicies.create");
        recorder.withhold("logging.logMetrics.create");
        recorder.clearRequests();
        try {
            Result result = script("setup-alerting.sh", "", Map.of("ALERT_EMAIL", "oncall@example.com"));
            assertThat(result.exit()).isNotZero();
            assertThat(result.output()).contains("lacks: logging.logMetrics.create (roles/logging.configWriter),"
                    + " monitoring.alertPolicies.create (roles/monitoring.editor)");
            assertThat(recorder.requests()).filteredOn(r -> !r.path().endsWith(":testIamPermissions")).isEmpty();
        } finally {
            recorder.withhold(null);
        }
    }

    /** A webhook file that holds no https URL stops setup-iam.sh before anything is created, and is not shown. */
    @Test
    void aWebhookFileWithoutAnHttpsUrlIsRefusedBeforeAnythingIsCreated() throws Exception {
        Path file = home.resolve("not-a-url.txt");
        Files.writeString(file, "hooks.slack.com/services/notify-test-token");
        int before = recorder.requests().size();
        Result refused = script("setup-iam.sh", KEY + "\n", Map.of("NOTIFY_WEBHOOK_FILE", file.toString(),
                "SECRET_NAME", "refused-key", "NOTIFY_SECRET_NAME", "refused-webhook"));

        assertThat(refused.exit()).isNotZero();
        assertThat(refused.output()).contains("does not hold an https:// webhook URL").doesNotContain("notify-test-token");
        assertThat(recorder.requests().subList(before, recorder.requests().size())).filteredOn(Request::creates)
                .isEmpty();
    }

    /**
     * A job's variables changed by hand are named before a deploy puts the file's back; --smoke runs the job for
     * yesterday and waits; a rollback moves the image only.
     */
    @Test
    void aDeployPrintsWhatItChangesAndARollbackChangesOnlyTheImage() throws Exception {
        Map<String, String> settings = Map.of("JOB_NAME", "diff-job", "IMAGE", IMAGE);
        assertThat(script("deploy-claude-ingestion.sh", "", settings).exit()).isZero();
        String path = "/apis/run.googleapis.com/v1/namespaces/test-project/jobs/diff-job";
        com.fasterxml.jackson.databind.node.ObjectNode job = recorder.resource(path);
        assertThat(job).as(path).isNotNull();
        com.fasterxml.jackson.databind.node.ArrayNode env = (com.fasterxml.jackson.databind.node.ArrayNode)
                job.at("/spec/template/spec/template/spec/containers/0/env");
        env.addObject().put("name", "ANTHROPIC_REQUESTS_PER_SECOND_BY_HAND").put("value", "1");
        for (JsonNode variable : env) {
            if (variable.get("name").asText().equals("INGEST_LOOKBACK_DAYS")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) variable).put("value", "7");
            }
        }

        Result deploy = script("deploy-claude-ingestion.sh", "", settings, "--smoke");
        assertThat(deploy.exit()).as(deploy.output()).isZero();
        assertThat(deploy.output()).contains("the job's variables change:")
                .contains("~ INGEST_LOOKBACK_DAYS: 7 -> 3").contains("- ANTHROPIC_REQUESTS_PER_SECOND_BY_HAND")
                .contains("the smoke run succeeded");
        // The smoke run: yesterday, as the job, waited for.
        String yesterday = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString();
        assertThat(requests("POST", "/jobs/diff-job:run").get(0).json().at("/overrides/containerOverrides/0/args")
                .toString()).isEqualTo("[\"ingest\",\"--check\",\"--from=" + yesterday + "\",\"--to=" + yesterday
                + "\"]");

        recorder.clearRequests();
        String digest = IMAGE.replaceFirst(":git-.*", "@sha256:" + "ab".repeat(32));
        Result rollback = script("deploy-claude-ingestion.sh", "", settings, "rollback", digest);
        assertThat(rollback.exit()).as(rollback.output()).isZero();
        JsonNode update = requests("PUT", "/jobs/diff-job").get(0).json();
        assertThat(update.at("/spec/template/spec/template/spec/containers/0/image").asText()).isEqualTo(digest);
        assertThat(update.at("/spec/template/spec/template/spec/containers/0/env").toString())
                .contains("INGEST_LOOKBACK_DAYS").contains("\"30\"");
        Result byTag = script("deploy-claude-ingestion.sh", "", settings, "rollback", IMAGE);
        assertThat(byTag.exit()).isNotZero();
        assertThat(byTag.output()).contains("rollback <image>@sha256:<digest>");
    }

    /** The gcloud commands of the operations docs, as written there: in code blocks, or inline between backticks. */
    static List<String> documentedGcloudCommands() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String doc : List.of("docs/runbook.md", "docs/deployment.md", "docs/recovery.md")) {
            String text = Files.readString(Path.of(doc)).replace("\\\n", " ");
            java.util.regex.Matcher inline = java.util.regex.Pattern.compile("`(gcloud [^`]+)`").matcher(text);
            while (inline.find()) {
                commands.add(inline.group(1).replaceAll("\\s+", " "));
            }
            for (String line : text.lines().toList()) {
                if (line.startsWith("gcloud ")) {
                    commands.add(line.replaceAll("\\s+#.*$", ""));
                }
            }
        }
        return commands;
    }

    /**
     * Every gcloud command the runbook, the deployment guide and the recovery guide tell an operator to type names a
     * command of the installed gcloud, and every flag it passes is one of that command's.
     */
    @Test
    void everyDocumentedGcloudCommandExistsWithItsFlags() throws Exception {
        // The installed gcloud's own command tree, which its shell completion reads: the commands and flags its
        // --help pages describe, without starting gcloud once per command.
        String text = Files.readString(sdkRoot.resolve("data/cli/gcloud_completions.py"));
        JsonNode root = new ObjectMapper().readTree(text.substring(text.indexOf('{')));
        List<String> commands = documentedGcloudCommands();
        assertThat(commands).hasSizeGreaterThan(10);
        for (String command : commands) {
            // The command is the longest run of words naming subcommands; what follows are its arguments.
            JsonNode node = root;
            List<String> path = new ArrayList<>();
            String[] tokens = command.substring("gcloud ".length()).split(" ");
            int i = 0;
            while (i < tokens.length && node.path("commands").has(tokens[i])) {
                node = node.path("commands").path(tokens[i]);
                path.add(tokens[i++]);
            }
            assertThat(node.path("commands").isEmpty()).as("'%s' names a command of gcloud, not a group", command)
                    .isTrue();
            for (; i < tokens.length; i++) {
                if (tokens[i].startsWith("--")) {
                    String flag = tokens[i].replaceFirst("=.*", "");
                    assertThat(node.path("flags").has(flag) || root.path("flags").has(flag))
                            .as("gcloud %s %s", String.join(" ", path), flag).isTrue();
                }
            }
        }
    }

    @Test
    void refusesAKeyThatIsNotAnAdminKeyWithoutStoringOrShowingIt() throws Exception {
        String apiKey = "sk-ant-api03-not-an-admin-key";
        Result result = script("setup-iam.sh", apiKey, Map.of("SECRET_NAME", "another-secret"));
        assertThat(result.exit()).isNotZero();
        assertThat(result.output()).contains("not an Admin key").doesNotContain(apiKey);
        assertThat(requests("POST", "/secrets")).noneMatch(r -> r.query() != null && r.query().contains("another-secret"));
    }

    @Test
    void saysWhatIsWrongWhenGcloudCannotBeUsed() throws Exception {
        Result noProject = script("deploy-claude-ingestion.sh", "", Map.of("PROJECT_ID", "your-gcp-project"));
        assertThat(noProject.exit()).isNotZero();
        assertThat(noProject.output()).contains("PROJECT_ID is not set");

        Path emptyConfig = home.resolve("logged-out");
        Files.createDirectories(emptyConfig);
        Result loggedOut = script("deploy-claude-ingestion.sh", "", Map.of("CLOUDSDK_CONFIG", emptyConfig.toString(),
                "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "", "CLOUDSDK_CORE_CHECK_GCE_METADATA", "false",
                "GCE_METADATA_HOST", "127.0.0.1:1"));
        assertThat(loggedOut.exit()).isNotZero();
        assertThat(loggedOut.output()).contains("gcloud is not logged in");

        Path bin = home.resolve("bin-without-gcloud");
        Files.createDirectories(bin);
        for (String tool : List.of("bash", "dirname", "sed", "head", "git", "mktemp", "rm", "cat", "grep")) {
            Path real = Stream.of("/usr/bin", "/bin").map(dir -> Path.of(dir, tool)).filter(Files::exists).findFirst()
                    .orElseThrow();
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        Result missing = run(List.of("/bin/bash", SCRIPTS.resolve("setup-scheduler.sh").toString()), "",
                Map.of("PATH", bin.toString()));
        // The links themselves, so that the temporary folder's cleanup has nothing pointing outside it.
        try (Stream<Path> links = Files.list(bin)) {
            for (Path link : links.toList()) {
                Files.delete(link);
            }
        }
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.output()).contains("gcloud is not installed");
    }

    @Test
    void aMissingPermissionIsNamed() throws Exception {
        recorder.deny("/namespaces/test-project/jobs");
        try {
            Result result = script("setup-scheduler.sh", "", Map.of());
            assertThat(result.exit()).isNotZero();
            assertThat(result.output()).contains("permission denied for GET apis/run.googleapis.com/v1/namespaces/"
                    + "test-project/jobs/claude-data-ingestion");
        } finally {
            recorder.deny(null);
        }
    }
}
