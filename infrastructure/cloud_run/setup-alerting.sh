#!/usr/bin/env bash
# Alerts when an execution of the job fails, through the notification channel the operator names:
# NOTIFICATION_CHANNEL=projects/P/notificationChannels/ID (list them with: gcloud beta monitoring channels list).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud

[[ -n "${NOTIFICATION_CHANNEL}" ]] \
  || die "set NOTIFICATION_CHANNEL=projects/${PROJECT_ID}/notificationChannels/<id>; list them with: gcloud beta monitoring channels list"

display_name="${JOB_NAME}: execution failed"
policy="$(mktemp)"
trap 'rm -f "${policy}"' EXIT
cat > "${policy}" <<JSON
{
  "displayName": "${display_name}",
  "combiner": "OR",
  "conditions": [{
    "displayName": "A ${JOB_NAME} execution failed",
    "conditionThreshold": {
      "filter": "resource.type = \"cloud_run_job\" AND resource.labels.job_name = \"${JOB_NAME}\" AND metric.type = \"run.googleapis.com/job/completed_execution_count\" AND metric.labels.result = \"failed\"",
      "aggregations": [{"alignmentPeriod": "300s", "perSeriesAligner": "ALIGN_DELTA"}],
      "comparison": "COMPARISON_GT",
      "thresholdValue": 0,
      "duration": "0s"
    }
  }],
  "notificationChannels": ["${NOTIFICATION_CHANNEL}"],
  "documentation": {
    "content": "An execution of the Cloud Run job ${JOB_NAME} failed. Its logs: resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${JOB_NAME}\" AND severity>=ERROR. What to do: docs/runbook.md.",
    "mimeType": "text/markdown"
  }
}
JSON

existing="$(gc alpha monitoring policies list --filter="displayName=\"${display_name}\"" --format='value(name)')"
if [[ -n "${existing}" ]]; then
  info "updating alert policy '${display_name}'"
  gc alpha monitoring policies update "${existing%%$'\n'*}" --policy-from-file="${policy}" >/dev/null
else
  info "creating alert policy '${display_name}'"
  gc alpha monitoring policies create --policy-from-file="${policy}" >/dev/null
fi
info "alerting is set up"
