#!/usr/bin/env bash
# Starts the job every day with Cloud Scheduler: an authenticated HTTP POST to the job's run endpoint, as the
# scheduler account, at 14:00 UTC (6 AM Pacific), retried 3 times within an hour.
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

case "${1:-create}" in
  pause|resume)
    info "${1%e}ing ${SCHEDULER_JOB_NAME}"
    gc scheduler jobs "$1" "${SCHEDULER_JOB_NAME}" --location="${REGION}" >/dev/null
    exit 0
    ;;
  create) ;;
  *) die "usage: $0 [create|pause|resume]" ;;
esac

rest GET run "${RUN_JOB_PATH}" >/dev/null \
  || die "the Cloud Run job ${JOB_NAME} does not exist yet; run deploy-claude-ingestion.sh first"

info "letting ${SCHEDULER_SA_EMAIL} run ${JOB_NAME}, and nothing else"
gc run jobs add-iam-policy-binding "${JOB_NAME}" --region="${REGION}" \
  --member="serviceAccount:${SCHEDULER_SA_EMAIL}" --role=roles/run.invoker >/dev/null

schedule_settings=(
  --location="${REGION}"
  --schedule="${SCHEDULE}"
  --time-zone="${SCHEDULE_TIME_ZONE}"
  --uri="https://run.googleapis.com/v2/projects/${PROJECT_ID}/locations/${REGION}/jobs/${JOB_NAME}:run"
  --http-method=POST
  --oauth-service-account-email="${SCHEDULER_SA_EMAIL}"
  --max-retry-attempts=3
  --max-retry-duration=1h
)
if rest GET cloudscheduler "v1/projects/${PROJECT_ID}/locations/${REGION}/jobs/${SCHEDULER_JOB_NAME}" >/dev/null; then
  info "updating ${SCHEDULER_JOB_NAME}: '${SCHEDULE}' ${SCHEDULE_TIME_ZONE}"
  gc scheduler jobs update http "${SCHEDULER_JOB_NAME}" "${schedule_settings[@]}" >/dev/null
else
  info "creating ${SCHEDULER_JOB_NAME}: '${SCHEDULE}' ${SCHEDULE_TIME_ZONE}"
  gc scheduler jobs create http "${SCHEDULER_JOB_NAME}" "${schedule_settings[@]}" >/dev/null
fi
info "scheduled; trigger a run now with: gcloud scheduler jobs run ${SCHEDULER_JOB_NAME} --location=${REGION}"
