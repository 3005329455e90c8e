#!/usr/bin/env bash
# Alerts for every way the pipeline can fail without anyone noticing, the log-based metrics they read, a
# notification channel and a dashboard. Each alert has a severity, closes itself a day after its condition clears,
# and links its section of the runbook. Run it again at any time: it finds what exists by name, updates it, and
# creates only what is missing.
#   ALERT_EMAIL=oncall@example.com       creates (or finds) an e-mail notification channel for it, or
#   NOTIFICATION_CHANNEL=projects/P/notificationChannels/N   uses a channel made elsewhere (Slack, PagerDuty, …).
# The Monitoring and Logging REST APIs are called directly: alert policies have no GA gcloud command, and one
# HTTP request costs far less than starting gcloud.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud
require_permissions monitoring.alertPolicies.create=roles/monitoring.editor \
  monitoring.notificationChannels.create=roles/monitoring.editor monitoring.dashboards.create=roles/monitoring.editor \
  logging.logMetrics.create=roles/logging.configWriter

project="projects/${PROJECT_ID}"
job_logs="resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${JOB_NAME}\""

# The name of the item of a list answer (on standard input) whose field (a dotted path) has this value, or nothing:
# json_find LIST FIELD VALUE, e.g. json_find alertPolicies displayName "the title".
json_find() {
  python3 -c 'import json, sys
def field(item, path):
    for key in path.split("."):
        item = item.get(key, {}) if isinstance(item, dict) else {}
    return item
items = json.load(sys.stdin).get(sys.argv[1], [])
print(next((i["name"] for i in items if field(i, sys.argv[2]) == sys.argv[3]), ""))' "$@"
}

# Text as a JSON string, quotes and all.
json_string() {
  python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"
}

# --- Where alerts go -------------------------------------------------------------------------------------------
if [[ -n "${ALERT_EMAIL}" ]]; then
  channel="$(rest GET monitoring "v3/${project}/notificationChannels?pageSize=1000" \
    | json_find notificationChannels labels.email_address "${ALERT_EMAIL}")"
  if [[ -n "${channel}" ]]; then
    info "notification channel for ${ALERT_EMAIL} exists: ${channel}"
  else
    info "creating an e-mail notification channel for ${ALERT_EMAIL}"
    channel="$(rest POST monitoring "v3/${project}/notificationChannels" "$(cat <<JSON
{"type": "email", "displayName": "${JOB_NAME} on-call (${ALERT_EMAIL})", "labels": {"email_address": "${ALERT_EMAIL}"}}
JSON
)" | python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])')"
  fi
elif [[ -n "${NOTIFICATION_CHANNEL}" ]]; then
  channel="${NOTIFICATION_CHANNEL}"
else
  die "set ALERT_EMAIL=<address> to create an e-mail channel, or NOTIFICATION_CHANNEL=${project}/notificationChannels/<id> (list them with: gcloud beta monitoring channels list)"
fi

# --- Log-based metrics: what the job's JSON lines say, counted ---------------------------------------------------
# ensure_metric NAME JSON: creates the metric, or replaces its definition with this one.
ensure_metric() {
  local name="$1" definition="$2"
  if rest GET logging "v2/${project}/metrics/${name}" >/dev/null; then
    info "updating log-based metric ${name}"
    rest PUT logging "v2/${project}/metrics/${name}" "${definition}" >/dev/null
  else
    info "creating log-based metric ${name}"
    rest POST logging "v2/${project}/metrics" "${definition}" >/dev/null
  fi
}

# A run's summary line has status, days, rows, requests, retries and seconds as fields (docs/runbook.md).
summary_filter="${job_logs} AND jsonPayload.run_id:* AND jsonPayload.status:*"
ensure_metric claude_ingest_runs "$(cat <<JSON
{"name": "claude_ingest_runs", "description": "Runs of ${JOB_NAME}, by how they ended (succeeded, partial, failed, interrupted).",
 "filter": $(json_string "${summary_filter}"),
 "metricDescriptor": {"metricKind": "DELTA", "valueType": "INT64", "unit": "1",
   "labels": [{"key": "status", "valueType": "STRING", "description": "how the run ended"}]},
 "labelExtractors": {"status": "EXTRACT(jsonPayload.status)"}}
JSON
)"
for figure in rows retries seconds; do
  ensure_metric "claude_ingest_run_${figure}" "$(cat <<JSON
{"name": "claude_ingest_run_${figure}", "description": "The ${figure} of each run of ${JOB_NAME}, from its summary line.",
 "filter": $(json_string "${summary_filter}"),
 "valueExtractor": "EXTRACT(jsonPayload.${figure})",
 "metricDescriptor": {"metricKind": "DELTA", "valueType": "DISTRIBUTION", "unit": "1"},
 "bucketOptions": {"exponentialBuckets": {"numFiniteBuckets": 24, "growthFactor": 2, "scale": 1}}}
JSON
)"
done
ensure_metric claude_ingest_checks "$(cat <<JSON
{"name": "claude_ingest_checks", "description": "Results of the data checks that '${JOB_NAME}' runs after each ingest (ingest --check).",
 "filter": $(json_string "${job_logs} AND jsonPayload.check:* AND jsonPayload.check_status:*"),
 "metricDescriptor": {"metricKind": "DELTA", "valueType": "INT64", "unit": "1",
   "labels": [{"key": "check", "valueType": "STRING"}, {"key": "check_status", "valueType": "STRING"}]},
 "labelExtractors": {"check": "EXTRACT(jsonPayload.check)", "check_status": "EXTRACT(jsonPayload.check_status)"}}
JSON
)"
ensure_metric claude_ingest_scheduler_failures "$(cat <<JSON
{"name": "claude_ingest_scheduler_failures", "description": "Attempts of Cloud Scheduler's ${SCHEDULER_JOB_NAME} to start ${JOB_NAME} that failed (403, 404, 5xx).",
 "filter": $(json_string "resource.type=\"cloud_scheduler_job\" AND resource.labels.job_id=\"${SCHEDULER_JOB_NAME}\" AND severity>=ERROR"),
 "metricDescriptor": {"metricKind": "DELTA", "valueType": "INT64", "unit": "1"}}
JSON
)"

# --- Alert policies ------------------------------------------------------------------------------------------
existing_policies="$(rest GET monitoring "v3/${project}/alertPolicies?pageSize=1000")"

# ensure_policy TITLE SEVERITY RUNBOOK_SECTION WHAT CONDITION_JSON: one alert policy, found by its display name.
ensure_policy() {
  local title="${JOB_NAME}: $1" severity="$2" section="$3" what="$4" condition="$5" name definition
  definition="$(cat <<JSON
{"displayName": "${title}", "severity": "${severity}", "combiner": "OR",
 "userLabels": {"app": "claude-ingest"},
 "conditions": [${condition}],
 "alertStrategy": {"autoClose": "86400s"},
 "notificationChannels": ["${channel}"],
 "documentation": {"mimeType": "text/markdown", "subject": "${title}",
   "content": "${what} What to do: ${RUNBOOK_URL}#${section}. The job's logs: resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${JOB_NAME}\"."}}
JSON
)"
  name="$(json_find alertPolicies displayName "${title}" <<<"${existing_policies}")"
  if [[ -n "${name}" ]]; then
    info "updating alert policy '${title}'"
    rest PATCH monitoring "v3/${name}" "${definition}" >/dev/null
  else
    info "creating alert policy '${title}'"
    rest POST monitoring "v3/${project}/alertPolicies" "${definition}" >/dev/null
  fi
}

# threshold TITLE FILTER: a condition that holds when the metric counted anything in five minutes.
threshold() {
  cat <<JSON
{"displayName": "$1", "conditionThreshold": {
  "filter": $(json_string "$2"),
  "aggregations": [{"alignmentPeriod": "300s", "perSeriesAligner": "ALIGN_DELTA", "crossSeriesReducer": "REDUCE_SUM"}],
  "comparison": "COMPARISON_GT", "thresholdValue": 0, "duration": "0s"}}
JSON
}
user_metric="resource.type = \"cloud_run_job\" AND resource.labels.job_name = \"${JOB_NAME}\" AND metric.type = \"logging.googleapis.com/user"

ensure_policy "execution failed" ERROR a-failed-execution \
  "An execution of the Cloud Run job failed (exit code 2 to 5, out of memory, or the task timeout)." \
  "$(threshold "A ${JOB_NAME} execution failed" "resource.type = \"cloud_run_job\" AND resource.labels.job_name = \"${JOB_NAME}\" AND metric.type = \"run.googleapis.com/job/completed_execution_count\" AND metric.labels.result = \"failed\"")"

# A metric-absence condition cannot wait longer than 23.5 hours, less than the day between two runs: PromQL's
# absent_over_time can.
ensure_policy "no successful run in 26 hours" CRITICAL no-successful-run-in-26-hours \
  "No run of the job has ended 'succeeded' for 26 hours: the schedule may be paused or failing, or every run fails or ends partial." \
  "$(cat <<JSON
{"displayName": "No succeeded run of ${JOB_NAME} in 26 hours", "conditionPrometheusQueryLanguage": {
  "query": "absent_over_time(logging_googleapis_com:user_claude_ingest_runs{monitored_resource=\"cloud_run_job\", job_name=\"${JOB_NAME}\", status=\"succeeded\"}[26h])",
  "duration": "0s", "evaluationInterval": "300s"}}
JSON
)"

ensure_policy "run ended partial" WARNING a-partial-run \
  "A run ended 'partial': it kept some windows and stopped at its deadline or at an error; the next run continues, but one that repeats never catches up." \
  "$(threshold "A ${JOB_NAME} run ended partial" "${user_metric}/claude_ingest_runs\" AND metric.labels.status = one_of(\"partial\", \"interrupted\")")"

ensure_policy "a data check failed" ERROR a-failed-check \
  "A data check after the run failed (gaps, duplicates, units, reconciliation or the budget); its log line has the evidence." \
  "$(threshold "A ${JOB_NAME} data check failed" "${user_metric}/claude_ingest_checks\" AND metric.labels.check_status = \"fail\"")"

ensure_policy "data is stale" ERROR stale-data \
  "The freshness check says the warehouse is not complete through yesterday: the freshness objective is missed." \
  "$(threshold "${JOB_NAME} data older than the freshness objective" "${user_metric}/claude_ingest_checks\" AND metric.labels.check = \"freshness\" AND metric.labels.check_status = one_of(\"warn\", \"fail\")")"

ensure_policy "the scheduler cannot start the job" ERROR the-scheduler-cannot-start-the-job \
  "Cloud Scheduler's attempt to start the job failed (often 403: the scheduler account lost run.invoker, or the job was deleted)." \
  "$(threshold "${SCHEDULER_JOB_NAME} failed to start ${JOB_NAME}" "resource.type = \"cloud_scheduler_job\" AND resource.labels.job_id = \"${SCHEDULER_JOB_NAME}\" AND metric.type = \"logging.googleapis.com/user/claude_ingest_scheduler_failures\"")"

# --- The pipeline's dashboard ----------------------------------------------------------------------------------
dashboard_title="${JOB_NAME} pipeline"
dashboard="$(mktemp)"
trap 'rm -f "${dashboard}"' EXIT
# tile TITLE FILTER ALIGNER [REDUCER GROUP_BY]: one chart of a metric of this job.
tile() {
  local reducer="${4:-REDUCE_SUM}" group_by="${5:-}"
  cat <<JSON
{"width": 6, "height": 4, "widget": {"title": "$1", "xyChart": {"dataSets": [{"plotType": "LINE", "timeSeriesQuery": {
  "timeSeriesFilter": {"filter": $(json_string "$2"),
    "aggregation": {"alignmentPeriod": "86400s", "perSeriesAligner": "$3", "crossSeriesReducer": "${reducer}"${group_by:+, \"groupByFields\": [\"${group_by}\"]}}}}}]}}}
JSON
}
cat > "${dashboard}" <<JSON
{"displayName": "${dashboard_title}", "mosaicLayout": {"columns": 12, "tiles": [
  $(tile "Runs by how they ended (per day)" "${user_metric}/claude_ingest_runs\"" ALIGN_DELTA REDUCE_SUM metric.label.status),
  $(tile "Executions by result (per day)" "resource.type = \"cloud_run_job\" AND resource.labels.job_name = \"${JOB_NAME}\" AND metric.type = \"run.googleapis.com/job/completed_execution_count\"" ALIGN_DELTA REDUCE_SUM metric.label.result),
  $(tile "Run duration, seconds (99th percentile)" "${user_metric}/claude_ingest_run_seconds\"" ALIGN_DELTA REDUCE_PERCENTILE_99),
  $(tile "Rows written per run (99th percentile)" "${user_metric}/claude_ingest_run_rows\"" ALIGN_DELTA REDUCE_PERCENTILE_99),
  $(tile "API retries per run (99th percentile)" "${user_metric}/claude_ingest_run_retries\"" ALIGN_DELTA REDUCE_PERCENTILE_99),
  $(tile "Checks not ok (freshness, gaps, …)" "${user_metric}/claude_ingest_checks\" AND metric.labels.check_status != \"ok\"" ALIGN_DELTA REDUCE_SUM metric.label.check)
]}}
JSON
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for i, tile in enumerate(d["mosaicLayout"]["tiles"]):
    tile["xPos"], tile["yPos"] = (i % 2) * 6, (i // 2) * 4
json.dump(d, open(sys.argv[1], "w"))' "${dashboard}"
existing_dashboard="$(rest GET monitoring "v1/${project}/dashboards?pageSize=1000" \
  | json_find dashboards displayName "${dashboard_title}")"
if [[ -n "${existing_dashboard}" ]]; then
  info "updating dashboard '${dashboard_title}'"
  rest PATCH monitoring "v1/${existing_dashboard}" "$(cat "${dashboard}")" >/dev/null
else
  info "creating dashboard '${dashboard_title}'"
  rest POST monitoring "v1/${project}/dashboards" "$(cat "${dashboard}")" >/dev/null
fi
info "alerting is set up: 6 alert policies to ${channel}, 6 log-based metrics, the dashboard '${dashboard_title}'"
