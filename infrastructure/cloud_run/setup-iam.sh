#!/usr/bin/env bash
# Creates what the job needs to run with least privilege, and nothing twice:
#  - service accounts ai-usage-pipeline (runs the job) and ai-usage-scheduler (starts it);
#  - the secret anthropic-admin-api-key, from standard input or the file named by SECRET_FILE (never an argument);
#  - the dataset and its companion <dataset>_staging, both in BIGQUERY_LOCATION;
#  - the pipeline account may read that secret only, edit data in those two datasets only, and run BigQuery jobs;
#  - the scheduler account may invoke the job only (once the job exists; setup-scheduler.sh repeats it).
# Usage: PROJECT_ID=my-project ./setup-iam.sh < admin-key.txt
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud
command -v bq >/dev/null 2>&1 || die "bq is not installed; it comes with the Google Cloud CLI"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to edit the dataset's access list"

ensure_service_account() {
  local name="$1" email="$2" title="$3"
  if exists iam service-accounts describe "${email}"; then
    info "service account ${email} exists"
  else
    info "creating service account ${email}"
    gc iam service-accounts create "${name}" --display-name="${title}" >/dev/null
  fi
}

ensure_service_account "${PIPELINE_SERVICE_ACCOUNT}" "${PIPELINE_SA_EMAIL}" "Claude usage ingestion (Cloud Run job)"
ensure_service_account "${SCHEDULER_SERVICE_ACCOUNT}" "${SCHEDULER_SA_EMAIL}" "Claude usage ingestion (scheduler)"

if exists secrets describe "${SECRET_NAME}"; then
  info "secret ${SECRET_NAME} exists; rotate it with: gcloud secrets versions add ${SECRET_NAME} --data-file=-"
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
  info "creating secret ${SECRET_NAME}"
  printf '%s' "${key}" | gcloud --project="${PROJECT_ID}" --quiet secrets create "${SECRET_NAME}" \
    --replication-policy=automatic --data-file=- >/dev/null 2>&1 \
    || die "could not create the secret ${SECRET_NAME}; check that the Secret Manager API is enabled and that you may create secrets"
  unset key
fi

info "granting ${PIPELINE_SA_EMAIL} read access to the secret ${SECRET_NAME} only"
gc secrets add-iam-policy-binding "${SECRET_NAME}" --member="serviceAccount:${PIPELINE_SA_EMAIL}" \
  --role=roles/secretmanager.secretAccessor >/dev/null

info "granting ${PIPELINE_SA_EMAIL} the right to run BigQuery jobs"
gc projects add-iam-policy-binding "${PROJECT_ID}" --member="serviceAccount:${PIPELINE_SA_EMAIL}" \
  --role=roles/bigquery.jobUser --condition=None >/dev/null

# Data access on the datasets alone, not the project: an entry in each dataset's access list (WRITER is Data Editor).
# The job writes its staging tables to a companion dataset whose tables expire after a day, out of the way of people
# browsing the dataset; both must be in one location, since a BigQuery job reads and writes within one.
access="$(mktemp)"
trap 'rm -f "${access}"' EXIT
ensure_dataset() {
  local dataset="${PROJECT_ID}:$1" purpose="$2"
  shift 2
  if bq --project_id="${PROJECT_ID}" show --format=prettyjson "${dataset}" > "${access}" 2>/dev/null; then
    local location
    location="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("location", ""))' "${access}")"
    info "dataset ${dataset} exists in ${location}"
    if [[ -n "${location}" && "${location,,}" != "${BIGQUERY_LOCATION,,}" ]]; then
      info "note: BIGQUERY_LOCATION is ${BIGQUERY_LOCATION}; the job runs its BigQuery jobs in the dataset's own location, ${location}"
    fi
  else
    info "creating dataset ${dataset} in ${BIGQUERY_LOCATION} (${purpose})"
    bq --project_id="${PROJECT_ID}" --location="${BIGQUERY_LOCATION}" mk --dataset "$@" "${dataset}" >/dev/null \
      || die "could not create the dataset ${dataset}; you need BigQuery Admin or Data Owner on the project"
    bq --project_id="${PROJECT_ID}" show --format=prettyjson "${dataset}" > "${access}" \
      || die "could not read the access list of ${dataset}"
  fi
  if python3 - "${access}" "${PIPELINE_SA_EMAIL}" <<'PY'
import json, sys
path, email = sys.argv[1], sys.argv[2]
dataset = json.load(open(path))
entries = dataset.setdefault("access", [])
if any(e.get("userByEmail") == email and e.get("role") in ("WRITER", "roles/bigquery.dataEditor") for e in entries):
    sys.exit(1)
entries.append({"role": "WRITER", "userByEmail": email})
json.dump({"access": entries}, open(path, "w"))
PY
  then
    info "granting ${PIPELINE_SA_EMAIL} Data Editor on ${dataset}"
    bq --project_id="${PROJECT_ID}" update --source "${access}" "${dataset}" >/dev/null \
      || die "could not update the access list of ${dataset}"
  else
    info "${PIPELINE_SA_EMAIL} is already Data Editor on ${dataset}"
  fi
}
ensure_dataset "${BIGQUERY_DATASET}" "the tables and views"
ensure_dataset "${BIGQUERY_DATASET}_staging" "staging tables, each deleted after a day" --default_table_expiration=86400

if exists run jobs describe "${JOB_NAME}" --region="${REGION}"; then
  info "granting ${SCHEDULER_SA_EMAIL} the right to run ${JOB_NAME} only"
  gc run jobs add-iam-policy-binding "${JOB_NAME}" --region="${REGION}" \
    --member="serviceAccount:${SCHEDULER_SA_EMAIL}" --role=roles/run.invoker >/dev/null
else
  info "job ${JOB_NAME} does not exist yet; setup-scheduler.sh lets ${SCHEDULER_SA_EMAIL} invoke it once deployed"
fi
info "IAM is set up"
