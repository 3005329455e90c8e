#!/usr/bin/env bash
# Starts the job every day with Cloud Scheduler: an authenticated HTTP POST to the job's run endpoint, as the
# scheduler account, at 14:00 UTC (6 AM Pacific), retried 3 times within an hour. Once the notify webhook's secret
# exists (setup-iam.sh), a second schedule starts the same job as 'notify' an hour later: on a schedule of its own,
# not as the ingest's last step, so that an ingest that failed, timed out or never started is still reported.
# Usage: ./setup-scheduler.sh          create or update the schedule
#        ./setup-scheduler.sh pause    stop the daily runs (the job and its data stay)
#        ./setup-scheduler.sh resume   start them again
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud
require_permissions cloudscheduler.jobs.create=roles/cloudscheduler.admin \
  cloudscheduler.jobs.update=roles/cloudscheduler.admin run.jobs.setIamPolicy=roles/run.admin \
  iam.serviceAccounts.actAs=roles/iam.serviceAccountUser

notify_secret="v1/projects/${PROJECT_ID}/secrets/${NOTIFY_SECRET_NAME}"
schedules="v1/projects/${PROJECT_ID}/locations/${REGION}/jobs"
ingest_schedule="${schedules}/${SCHEDULER_JOB_NAME}"
notify_schedule="${schedules}/${NOTIFY_SCHEDULER_JOB_NAME}"

case "${1:-create}" in
  pause|resume)
    for job in "${SCHEDULER_JOB_NAME}" "${NOTIFY_SCHEDULER_JOB_NAME}"; do
      if [[ "${job}" == "${NOTIFY_SCHEDULER_JOB_NAME}" ]] && ! rest GET cloudscheduler "${notify_schedule}" >/dev/null; then
        continue
      fi
      info "${1%e}ing ${job}"
      rest POST cloudscheduler "${schedules}/${job}:$1" '{}' >/dev/null
    done
    exit 0
    ;;
  create) ;;
  *) die "usage: $0 [create|pause|resume]" ;;
esac

rest GET run "${RUN_JOB_PATH}" >/dev/null \
  || die "the Cloud Run job ${JOB_NAME} does not exist yet; run deploy-claude-ingestion.sh first"

info "letting ${SCHEDULER_SA_EMAIL} run ${JOB_NAME}, and nothing else"
grant run "${RUN_JOB_RESOURCE}" "serviceAccount:${SCHEDULER_SA_EMAIL}" roles/run.invoker

# Both schedules: the job's run endpoint, as the scheduler account, 3 retries in an hour; created, or updated in
# place: put_schedule PATH SCHEDULE [BODY], where BODY is the run request's JSON.
put_schedule() {
  local path="$1" job
  job="$(python3 - "$1" "$2" "${3:-}" "${SCHEDULE_TIME_ZONE}" \
    "https://run.googleapis.com/v2/projects/${PROJECT_ID}/locations/${REGION}/jobs/${JOB_NAME}:run" \
    "${SCHEDULER_SA_EMAIL}" <<'PY'
import base64, json, sys
path, schedule, body, zone, uri, account = sys.argv[1:]
target = {"uri": uri, "httpMethod": "POST", "oauthToken": {"serviceAccountEmail": account}}
if body:
    target["headers"] = {"Content-Type": "application/json"}
    target["body"] = base64.b64encode(body.encode()).decode()
print(json.dumps({"name": path[len("v1/"):], "schedule": schedule, "timeZone": zone, "httpTarget": target,
                  "retryConfig": {"retryCount": 3, "maxRetryDuration": "3600s"}}))
PY
)"
  if rest GET cloudscheduler "${path}" >/dev/null; then
    rest PATCH cloudscheduler "${path}?updateMask=schedule,timeZone,httpTarget,retryConfig" "${job}" >/dev/null
  else
    rest POST cloudscheduler "${path%/*}" "${job}" >/dev/null
  fi
}
info "scheduling ${SCHEDULER_JOB_NAME}: '${SCHEDULE}' ${SCHEDULE_TIME_ZONE}"
put_schedule "${ingest_schedule}" "${SCHEDULE}"
info "scheduled; trigger a run now with: gcloud scheduler jobs run ${SCHEDULER_JOB_NAME} --location=${REGION}"

if ! rest GET secretmanager "${notify_secret}" >/dev/null; then
  info "no notify webhook, so no notify schedule (docs/deployment.md, 'Digests and alerts in a chat')"
  exit 0
fi
[[ "${NOTIFY_DIGEST}" =~ ^(daily|weekly|off)$ ]] || die "NOTIFY_DIGEST must be daily, weekly or off"
info "letting ${SCHEDULER_SA_EMAIL} start ${JOB_NAME} with other arguments (notify's)"
grant run "${RUN_JOB_RESOURCE}" "serviceAccount:${SCHEDULER_SA_EMAIL}" roles/run.jobsExecutorWithOverrides
# The run request's body gives the job's container other arguments for this execution only.
info "scheduling ${NOTIFY_SCHEDULER_JOB_NAME}: notify --digest ${NOTIFY_DIGEST}, '${NOTIFY_SCHEDULE}' ${SCHEDULE_TIME_ZONE}"
put_schedule "${notify_schedule}" "${NOTIFY_SCHEDULE}" \
  "{\"overrides\":{\"containerOverrides\":[{\"args\":[\"notify\",\"--digest\",\"${NOTIFY_DIGEST}\"]}]}}"
