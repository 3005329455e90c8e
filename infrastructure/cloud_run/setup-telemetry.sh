#!/usr/bin/env bash
# Deploys Claude Code's telemetry receiver ('claude-ingest serve') as a Cloud Run service beside the job, and creates
# nothing twice:
#  - its own service account ai-usage-telemetry, which may add rows to claude_code_events and claude_code_metrics
#    only (Data Editor on those two tables, not the dataset), write its staging tables in <dataset>_staging, and run
#    BigQuery jobs;
#  - with TELEMETRY_AUTH=token (the default), the secret otlp-token: a random bearer token made here, never printed,
#    which that account alone may read; every request must carry it, since Claude Code cannot present a Google
#    identity, so Cloud Run's edge lets requests through and the service checks the token;
#    with TELEMETRY_AUTH=iam, no token: Cloud Run admits only callers with roles/run.invoker (a collector with Google
#    auth, docs/telemetry.md);
#  - the service claude-telemetry: ingress all (developers' machines send to it), the job's image (IMAGE=… for
#    another), 1 CPU and 512 MiB, 80 requests at a time, at most TELEMETRY_MAX_INSTANCES instances (default 1: two
#    instances could add the same retried record at once, docs/telemetry.md), none when idle.
# It needs the job deployed and run once: the job creates the tables, which the service only adds rows to.
# Usage: PROJECT_ID=my-project ./setup-telemetry.sh
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud
require_permissions run.services.create=roles/run.admin run.services.setIamPolicy=roles/run.admin \
  iam.serviceAccounts.create=roles/iam.serviceAccountAdmin iam.serviceAccounts.actAs=roles/iam.serviceAccountUser \
  secretmanager.secrets.create=roles/secretmanager.admin secretmanager.secrets.setIamPolicy=roles/secretmanager.admin \
  resourcemanager.projects.setIamPolicy=roles/resourcemanager.projectIamAdmin \
  bigquery.tables.setIamPolicy=roles/bigquery.admin bigquery.datasets.update=roles/bigquery.admin

case "${TELEMETRY_AUTH}" in
  token | iam) ;;
  *) die "TELEMETRY_AUTH is '${TELEMETRY_AUTH}'; use token (a bearer token in Secret Manager) or iam (Cloud Run's IAM)" ;;
esac
[[ "${TELEMETRY_MAX_INSTANCES}" =~ ^[1-9][0-9]*$ ]] \
  || die "TELEMETRY_MAX_INSTANCES is '${TELEMETRY_MAX_INSTANCES}'; give a whole number, 1 or more"
TELEMETRY_SA_EMAIL="${TELEMETRY_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
dataset_path="bigquery/v2/projects/${PROJECT_ID}/datasets/${BIGQUERY_DATASET}"

# Everything checked before anything is created: the image, and the tables the job makes.
if [[ -z "${IMAGE:-}" ]]; then
  IMAGE="$(rest GET run "${RUN_JOB_PATH}" | python3 -c '
import json, sys
job = json.load(sys.stdin)
print(job["spec"]["template"]["spec"]["template"]["spec"]["containers"][0]["image"])')" \
    || die "the Cloud Run job ${JOB_NAME} does not exist yet: deploy it first (deploy-claude-ingestion.sh), or set IMAGE"
fi
for table in claude_code_events claude_code_metrics; do
  rest GET bigquery "${dataset_path}/tables/${table}" >/dev/null \
    || die "${PROJECT_ID}:${BIGQUERY_DATASET}.${table} does not exist: run the job once (gcloud run jobs execute ${JOB_NAME} --region=${REGION} --wait); it creates the tables"
done

ensure_service_account "${TELEMETRY_SERVICE_ACCOUNT}" "${TELEMETRY_SA_EMAIL}" "Claude Code telemetry receiver (Cloud Run service)"

secrets=()
if [[ "${TELEMETRY_AUTH}" == token ]]; then
  if rest GET secretmanager "v1/projects/${PROJECT_ID}/secrets/${TELEMETRY_SECRET_NAME}" >/dev/null; then
    info "secret ${TELEMETRY_SECRET_NAME} exists"
  else
    info "creating secret ${TELEMETRY_SECRET_NAME}: a random bearer token"
    python3 -c 'import secrets; print(secrets.token_urlsafe(32), end="")' \
      | gcloud --project="${PROJECT_ID}" --quiet secrets create "${TELEMETRY_SECRET_NAME}" \
        --replication-policy=automatic --data-file=- >/dev/null 2>&1 \
      || die "could not create the secret ${TELEMETRY_SECRET_NAME}; check that you may create secrets"
  fi
  info "granting ${TELEMETRY_SA_EMAIL} read access to the secret ${TELEMETRY_SECRET_NAME} only"
  grant secretmanager "v1/projects/${PROJECT_ID}/secrets/${TELEMETRY_SECRET_NAME}" \
    "serviceAccount:${TELEMETRY_SA_EMAIL}" roles/secretmanager.secretAccessor
  secrets=(--set-secrets="OTLP_TOKEN=${TELEMETRY_SECRET_NAME}:latest")
fi

info "granting ${TELEMETRY_SA_EMAIL} Data Editor on the two telemetry tables only"
for table in claude_code_events claude_code_metrics; do
  grant bigquery "${dataset_path}/tables/${table}" "serviceAccount:${TELEMETRY_SA_EMAIL}" roles/bigquery.dataEditor
done
# Its batches are staged in the companion dataset, whose tables expire after a day.
staging="$(rest GET bigquery "${dataset_path}_staging")" \
  || die "the dataset ${BIGQUERY_DATASET}_staging does not exist: run setup-iam.sh first"
dataset_writer "${dataset_path}_staging" "${staging}" "${TELEMETRY_SA_EMAIL}"
policy="$(rest POST cloudresourcemanager "v1/projects/${PROJECT_ID}:getIamPolicy" '{"options": {"requestedPolicyVersion": 3}}')"
update="$(python3 "${script_dir}/iam_policy.py" "${policy}" "serviceAccount:${TELEMETRY_SA_EMAIL}=roles/bigquery.jobUser")"
if [[ -n "$(sed -n 1p <<<"${update}")" ]]; then
  info "granting ${TELEMETRY_SA_EMAIL} BigQuery Job User on the project"
  rest POST cloudresourcemanager "v1/projects/${PROJECT_ID}:setIamPolicy" "$(sed -n 2p <<<"${update}")" >/dev/null
fi

organization="$(job_variable ANTHROPIC_ORGANIZATION_ID)"
variables="BIGQUERY_PROJECT_ID=${PROJECT_ID},BIGQUERY_DATASET=${BIGQUERY_DATASET},BIGQUERY_LOCATION=${BIGQUERY_LOCATION}"
[[ -n "${organization}" ]] && variables+=",ANTHROPIC_ORGANIZATION_ID=${organization}"
arguments="serve,--existing-tables"
authentication=(--allow-unauthenticated)
if [[ "${TELEMETRY_AUTH}" == iam ]]; then
  arguments+=",--no-token"
  authentication=(--no-allow-unauthenticated)
fi
if rest GET run "apis/serving.knative.dev/v1/namespaces/${PROJECT_ID}/services/${TELEMETRY_SERVICE}" >/dev/null; then
  info "updating Cloud Run service ${TELEMETRY_SERVICE} to ${IMAGE}"
else
  info "creating Cloud Run service ${TELEMETRY_SERVICE} with ${IMAGE}"
fi
gc run deploy "${TELEMETRY_SERVICE}" --region="${REGION}" --image="${IMAGE}" \
  --service-account="${TELEMETRY_SA_EMAIL}" --ingress=all "${authentication[@]}" \
  --min-instances=0 --max-instances="${TELEMETRY_MAX_INSTANCES}" --concurrency=80 --cpu=1 --memory=512Mi \
  --timeout=60s --set-env-vars="${variables}" ${secrets[@]+"${secrets[@]}"} --args="${arguments}" >/dev/null
url="$(rest GET run "apis/serving.knative.dev/v1/namespaces/${PROJECT_ID}/services/${TELEMETRY_SERVICE}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin).get("status", {}).get("url", ""))')"
info "receiving at ${url}; developers' Claude Code: OTEL_EXPORTER_OTLP_ENDPOINT=${url} (docs/telemetry.md)"
if [[ "${TELEMETRY_AUTH}" == token ]]; then
  info "the token exporters send: gcloud secrets versions access latest --secret=${TELEMETRY_SECRET_NAME}"
fi
