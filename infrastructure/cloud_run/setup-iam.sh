#!/usr/bin/env bash
# Creates what the job needs to run with least privilege, and nothing twice:
#  - service accounts ai-usage-pipeline (runs the job), ai-usage-scheduler (starts it), ai-usage-builder (builds it);
#  - the secret anthropic-admin-api-key, from standard input or the file named by SECRET_FILE (never an argument),
#    replicated automatically or, with SECRET_LOCATIONS, only where that says;
#  - the dataset and its companion <dataset>_staging, both in BIGQUERY_LOCATION (from job.env);
#  - the pipeline account may read that secret only, edit data in those two datasets only, and run BigQuery jobs;
#  - the builder account may write build logs, read the uploaded source and push images;
#  - data-access audit logs for Secret Manager, so that every read of the key is recorded (SECRET_AUDIT_LOGS=false:
#    not);
#  - the scheduler account may invoke the job only (once the job exists; setup-scheduler.sh repeats it);
#  - optionally, the secret notify-webhook-url, from the file NOTIFY_WEBHOOK_FILE (an incoming webhook's https URL;
#    never an argument), which the pipeline account may read too; given again, it becomes the secret's new version.
# Usage: PROJECT_ID=my-project ./setup-iam.sh < admin-key.txt
#        NOTIFY_WEBHOOK_FILE=webhook.txt ./setup-iam.sh     also store (or replace) the notify webhook
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud
require_permissions iam.serviceAccounts.create=roles/iam.serviceAccountAdmin \
  secretmanager.secrets.create=roles/secretmanager.admin secretmanager.secrets.setIamPolicy=roles/secretmanager.admin \
  resourcemanager.projects.setIamPolicy=roles/resourcemanager.projectIamAdmin \
  bigquery.datasets.create=roles/bigquery.admin bigquery.datasets.update=roles/bigquery.admin

# The key first: a wrong one stops the script before anything is created.
secret_exists=false
if rest GET secretmanager "v1/projects/${PROJECT_ID}/secrets/${SECRET_NAME}" >/dev/null; then
  secret_exists=true
else
  if [[ -n "${SECRET_FILE:-}" ]]; then
    [[ -r "${SECRET_FILE}" ]] || die "SECRET_FILE ${SECRET_FILE} cannot be read"
    key="$(tr -d '[:space:]' < "${SECRET_FILE}")"
  elif [[ ! -t 0 ]]; then
    key="$(tr -d '[:space:]')"
  else
    die "the secret ${SECRET_NAME} does not exist yet: pipe the Admin key on standard input or set SECRET_FILE"
  fi
  [[ "${key}" == sk-ant-admin* ]] \
    || die "that is not an Admin key (it must start with sk-ant-admin); nothing was stored"
fi

# The webhook's URL is checked before anything is created too.
notify_exists=false
if rest GET secretmanager "v1/projects/${PROJECT_ID}/secrets/${NOTIFY_SECRET_NAME}" >/dev/null; then
  notify_exists=true
fi
if [[ -n "${NOTIFY_WEBHOOK_FILE:-}" ]]; then
  [[ -r "${NOTIFY_WEBHOOK_FILE}" ]] || die "NOTIFY_WEBHOOK_FILE ${NOTIFY_WEBHOOK_FILE} cannot be read"
  webhook="$(tr -d '[:space:]' < "${NOTIFY_WEBHOOK_FILE}")"
  [[ "${webhook}" =~ ^https://[^/]+/. ]] \
    || die "NOTIFY_WEBHOOK_FILE does not hold an https:// webhook URL; nothing was stored"
fi

ensure_service_account "${PIPELINE_SERVICE_ACCOUNT}" "${PIPELINE_SA_EMAIL}" "Claude usage ingestion (Cloud Run job)"
ensure_service_account "${SCHEDULER_SERVICE_ACCOUNT}" "${SCHEDULER_SA_EMAIL}" "Claude usage ingestion (scheduler)"
ensure_service_account "${BUILDER_SERVICE_ACCOUNT}" "${BUILDER_SA_EMAIL}" "Claude usage ingestion (image builds)"

replication=(--replication-policy=automatic)
if [[ -n "${SECRET_LOCATIONS}" ]]; then
  replication=(--replication-policy=user-managed --locations="${SECRET_LOCATIONS}")
fi
if [[ "${secret_exists}" == true ]]; then
  info "secret ${SECRET_NAME} exists; rotate it as docs/runbook.md says ('Rotating the Admin key')"
else
  info "creating secret ${SECRET_NAME}"
  printf '%s' "${key}" | gcloud --project="${PROJECT_ID}" --quiet secrets create "${SECRET_NAME}" \
    "${replication[@]}" --data-file=- >/dev/null 2>&1 \
    || die "could not create the secret ${SECRET_NAME}; check that the Secret Manager API is enabled and that you may create secrets"
  unset key
fi

info "granting ${PIPELINE_SA_EMAIL} read access to the secret ${SECRET_NAME} only"
grant secretmanager "v1/projects/${PROJECT_ID}/secrets/${SECRET_NAME}" "serviceAccount:${PIPELINE_SA_EMAIL}" \
  roles/secretmanager.secretAccessor

if [[ -n "${webhook:-}" && "${notify_exists}" == true ]]; then
  info "storing the notify webhook as a new version of the secret ${NOTIFY_SECRET_NAME}"
  printf '%s' "${webhook}" | gcloud --project="${PROJECT_ID}" --quiet secrets versions add "${NOTIFY_SECRET_NAME}" \
    --data-file=- >/dev/null 2>&1 || die "could not add a version to the secret ${NOTIFY_SECRET_NAME}"
elif [[ -n "${webhook:-}" ]]; then
  info "creating secret ${NOTIFY_SECRET_NAME} for the notify webhook"
  printf '%s' "${webhook}" | gcloud --project="${PROJECT_ID}" --quiet secrets create "${NOTIFY_SECRET_NAME}" \
    "${replication[@]}" --data-file=- >/dev/null 2>&1 \
    || die "could not create the secret ${NOTIFY_SECRET_NAME}; check that you may create secrets"
  notify_exists=true
fi
unset webhook
if [[ "${notify_exists}" == true ]]; then
  info "granting ${PIPELINE_SA_EMAIL} read access to the secret ${NOTIFY_SECRET_NAME}"
  grant secretmanager "v1/projects/${PROJECT_ID}/secrets/${NOTIFY_SECRET_NAME}" "serviceAccount:${PIPELINE_SA_EMAIL}" \
    roles/secretmanager.secretAccessor
else
  info "no notify webhook (optional): NOTIFY_WEBHOOK_FILE=<file holding its URL> $0 sets one up"
fi

# The project's own policy, read and written once: the few project-wide roles, and the audit log setting.
policy="$(rest POST cloudresourcemanager "v1/projects/${PROJECT_ID}:getIamPolicy" '{"options": {"requestedPolicyVersion": 3}}')"
audit=()
[[ "${SECRET_AUDIT_LOGS}" == true ]] && audit=(--audit-secret-reads)
update="$(python3 "${script_dir}/iam_policy.py" "${policy}" ${audit[@]+"${audit[@]}"} \
  "serviceAccount:${PIPELINE_SA_EMAIL}=roles/bigquery.jobUser" \
  "serviceAccount:${BUILDER_SA_EMAIL}=roles/logging.logWriter" \
  "serviceAccount:${BUILDER_SA_EMAIL}=roles/artifactregistry.writer" \
  "serviceAccount:${BUILDER_SA_EMAIL}=roles/storage.objectViewer")"
changes="$(sed -n 1p <<<"${update}")"
if [[ -n "${changes}" ]]; then
  info "granting on the project: ${changes}"
  rest POST cloudresourcemanager "v1/projects/${PROJECT_ID}:setIamPolicy" "$(sed -n 2p <<<"${update}")" >/dev/null
else
  info "the project's roles and audit logs are as they should be"
fi

# Data access on the datasets alone, not the project: an entry in each dataset's access list (WRITER is Data Editor).
# The job writes its staging tables to a companion dataset whose tables expire after a day, out of the way of people
# browsing the dataset; both must be in one location, since a BigQuery job reads and writes within one.
# ensure_dataset NAME PURPOSE [TABLE_EXPIRATION_MS]: the dataset in BIGQUERY_LOCATION, with the pipeline account
# among its writers.
ensure_dataset() {
  local name="$1" purpose="$2" expiration="${3:-}" path dataset location found=0
  path="bigquery/v2/projects/${PROJECT_ID}/datasets/${name}"
  dataset="$(rest GET bigquery "${path}")" || found=$?
  # 4: not found; anything else has said what went wrong.
  (( found == 0 || found == 4 )) || exit 1
  if (( found == 0 )); then
    location="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("location", ""))' "${dataset}")"
    info "dataset ${PROJECT_ID}:${name} exists in ${location}"
    if [[ -n "${location}" && "${location,,}" != "${BIGQUERY_LOCATION,,}" ]]; then
      info "note: BIGQUERY_LOCATION is ${BIGQUERY_LOCATION}; the job runs its BigQuery jobs in the dataset's own location, ${location}"
    fi
  else
    info "creating dataset ${PROJECT_ID}:${name} in ${BIGQUERY_LOCATION} (${purpose})"
    dataset="$(rest POST bigquery "bigquery/v2/projects/${PROJECT_ID}/datasets" "$(python3 -c '
import json, sys
project, name, location, expiration = sys.argv[1:5]
dataset = {"datasetReference": {"projectId": project, "datasetId": name}, "location": location}
if expiration:
    dataset["defaultTableExpirationMs"] = expiration
print(json.dumps(dataset))' "${PROJECT_ID}" "${name}" "${BIGQUERY_LOCATION}" "${expiration}")")"
  fi
  dataset_writer "${path}" "${dataset}" "${PIPELINE_SA_EMAIL}"
}
ensure_dataset "${BIGQUERY_DATASET}" "the tables and views"
ensure_dataset "${BIGQUERY_DATASET}_staging" "staging tables, each deleted after a day" 86400000

if rest GET run "${RUN_JOB_PATH}" >/dev/null; then
  info "granting ${SCHEDULER_SA_EMAIL} the right to run ${JOB_NAME} only"
  grant run "${RUN_JOB_RESOURCE}" "serviceAccount:${SCHEDULER_SA_EMAIL}" roles/run.invoker
else
  info "job ${JOB_NAME} does not exist yet; setup-scheduler.sh lets ${SCHEDULER_SA_EMAIL} invoke it once deployed"
fi
info "IAM is set up"
