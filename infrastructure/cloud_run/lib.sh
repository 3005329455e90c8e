# Shared by the deployment scripts: settings, messages, and gcloud calls that fail with a clear message.
# shellcheck shell=bash

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=config.env source-path=SCRIPTDIR
source "${script_dir}/config.env"

PIPELINE_SA_EMAIL="${PIPELINE_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
SCHEDULER_SA_EMAIL="${SCHEDULER_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
BUILDER_SA_EMAIL="${BUILDER_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
export PIPELINE_SA_EMAIL SCHEDULER_SA_EMAIL BUILDER_SA_EMAIL
# The job in Cloud Run's v1 API, the one gcloud uses for jobs.
RUN_JOB_PATH="apis/run.googleapis.com/v1/namespaces/${PROJECT_ID}/jobs/${JOB_NAME}"
# The same job as its IAM policy names it.
RUN_JOB_RESOURCE="v1/projects/${PROJECT_ID}/locations/${REGION}/jobs/${JOB_NAME}"
export RUN_JOB_PATH RUN_JOB_RESOURCE

# A variable of the job as job.env sets it (empty when unset): job_variable NAME.
job_variable() {
  sed -n "s/^$1=//p" "${JOB_ENV_FILE}" | sed -n '$p'
}
[[ -r "${JOB_ENV_FILE}" ]] || { printf 'error: %s\n' "the job's variables file ${JOB_ENV_FILE} cannot be read" >&2; exit 1; }
BIGQUERY_DATASET="$(job_variable BIGQUERY_DATASET)"
BIGQUERY_DATASET="${BIGQUERY_DATASET:-ai_usage_analytics}"
BIGQUERY_LOCATION="$(job_variable BIGQUERY_LOCATION)"
BIGQUERY_LOCATION="${BIGQUERY_LOCATION:-US}"

info() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Fails with a message naming what is missing when gcloud cannot be used at all.
require_gcloud() {
  command -v gcloud >/dev/null 2>&1 \
    || die "gcloud is not installed; install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)"
  [[ "${PROJECT_ID}" != "your-gcp-project" ]] \
    || die "PROJECT_ID is not set; export PROJECT_ID=<your project> or edit config.env"
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to read and write the APIs' JSON"
  command -v curl >/dev/null 2>&1 || die "curl is needed to call the Google Cloud APIs"
  if [[ -n "${CLOUDSDK_AUTH_ACCESS_TOKEN_FILE:-}" && -r "${CLOUDSDK_AUTH_ACCESS_TOKEN_FILE}" ]]; then
    # The token gcloud itself is told to use; reading it saves starting gcloud for it.
    ACCESS_TOKEN="$(cat "${CLOUDSDK_AUTH_ACCESS_TOKEN_FILE}")"
  else
    ACCESS_TOKEN="$(gcloud auth print-access-token 2>/dev/null)" \
      || die "gcloud is not logged in; run 'gcloud auth login' (or use a service account) and try again"
  fi
}

# Calls a Google REST API as the operator, through gcloud's proxy and endpoint overrides when it has them, a
# hundred times faster than a gcloud command: rest METHOD API PATH [JSON], where API is the service's short name
# (run, iam, secretmanager, bigquery, …). Prints the answer; a 404 returns 4 and prints nothing; a permission error
# or any other failure stops the script with a message naming the call.
rest() {
  local method="$1" api="$2" path="$3" body="${4:-}" answer code endpoint proxy
  if [[ -z "${rest_settings+set}" ]]; then
    # gcloud's active configuration, read from its file as 'gcloud config list' would (a second faster), with the
    # CLOUDSDK_* variables that override it: "proxy|host:port", then "api|endpoint" per override.
    rest_settings="$(python3 - <<'PY'
import configparser, os
root = os.environ.get("CLOUDSDK_CONFIG") or os.path.expanduser("~/.config/gcloud")
name = os.environ.get("CLOUDSDK_ACTIVE_CONFIG_NAME")
if not name:
    try:
        name = open(os.path.join(root, "active_config")).read().strip() or "default"
    except OSError:
        name = "default"
config = configparser.ConfigParser(interpolation=None)
config.read(os.path.join(root, "configurations", "config_" + name))
def get(section, key):
    return os.environ.get(f"CLOUDSDK_{section}_{key}".upper()) or config.get(section, key, fallback="")
address, port = get("proxy", "address"), get("proxy", "port")
print("proxy|" + (f"{address}:{port}" if address else ""))
overrides = dict(config.items("api_endpoint_overrides")) if config.has_section("api_endpoint_overrides") else {}
for key, value in os.environ.items():
    if key.startswith("CLOUDSDK_API_ENDPOINT_OVERRIDES_"):
        overrides[key[len("CLOUDSDK_API_ENDPOINT_OVERRIDES_"):].lower()] = value
for api, endpoint in overrides.items():
    print(f"{api}|{endpoint}")
PY
)"
  fi
  proxy="$(sed -n 's/^proxy|//p' <<<"${rest_settings}")"
  endpoint="$(sed -n "s/^${api}|//p" <<<"${rest_settings}")"
  if [[ -z "${endpoint}" ]]; then
    # Cloud Run's v1 API (the one gcloud uses for jobs) is regional.
    [[ "${api}" == run ]] && endpoint="https://${REGION}-run.googleapis.com/" || endpoint="https://${api}.googleapis.com/"
  fi
  local options=(-sS -X "${method}" -H "Authorization: Bearer ${ACCESS_TOKEN}" -H "Content-Type: application/json"
    -w $'\n%{http_code}')
  [[ -n "${proxy}" ]] && options+=(--proxy "http://${proxy}")
  [[ -n "${body}" ]] && options+=(--data-binary "${body}")
  answer="$(curl "${options[@]}" "${endpoint%/}/${path}")" || die "could not reach ${endpoint} for ${method} ${path}"
  code="${answer##*$'\n'}"
  answer="${answer%$'\n'*}"
  case "${code}" in
    2??) printf '%s' "${answer}" ;;
    404) return 4 ;;
    403) die "permission denied for ${method} ${path}: the account running this script lacks a role for it (the roles in docs/deployment.md)" ;;
    *) printf '%s\n' "${answer}" | head -n 5 >&2
       die "${method} ${endpoint%/}/${path} failed (HTTP ${code})" ;;
  esac
}

# Creates a service account unless it exists: ensure_service_account NAME EMAIL DISPLAY_NAME.
ensure_service_account() {
  local name="$1" email="$2" title="$3"
  if rest GET iam "v1/projects/-/serviceAccounts/${email}" >/dev/null; then
    info "service account ${email} exists"
  else
    info "creating service account ${email}"
    rest POST iam "v1/projects/${PROJECT_ID}/serviceAccounts" "$(python3 -c '
import json, sys
print(json.dumps({"accountId": sys.argv[1], "serviceAccount": {"displayName": sys.argv[2]}}))' "${name}" "${title}")" \
      >/dev/null
  fi
}

# Makes EMAIL a writer (Data Editor) of a dataset, through an entry in its access list, unless it is one:
# dataset_writer PATH DATASET_JSON EMAIL, where PATH is the dataset's REST path and DATASET_JSON the dataset as read.
dataset_writer() {
  local path="$1" dataset="$2" email="$3" access
  if access="$(python3 - "${dataset}" "${email}" <<'PY'
import json, sys
dataset, email = json.loads(sys.argv[1]), sys.argv[2]
entries = dataset.get("access", [])
if any(e.get("userByEmail") == email and e.get("role") in ("WRITER", "roles/bigquery.dataEditor") for e in entries):
    sys.exit(1)
entries.append({"role": "WRITER", "userByEmail": email})
print(json.dumps({"access": entries}))
PY
)"; then
    info "granting ${email} Data Editor on ${path##*/datasets/}"
    rest PATCH bigquery "${path}" "${access}" >/dev/null
  else
    info "${email} is already Data Editor on ${path##*/datasets/}"
  fi
}

# Grants ROLE to MEMBER on one resource: grant API RESOURCE MEMBER ROLE, e.g. grant secretmanager
# v1/projects/P/secrets/S serviceAccount:… roles/secretmanager.secretAccessor. Reads the resource's policy and writes
# it back, with the etag read, only when the binding is missing: what 'gcloud … add-iam-policy-binding' does, but
# without starting gcloud (a second or two each) and without writing a policy that does not change.
grant() {
  local api="$1" resource="$2" member="$3" role="$4" policy update
  if [[ "${api}" == bigquery ]]; then
    # BigQuery reads a table's policy by POST.
    policy="$(rest POST bigquery "${resource}:getIamPolicy" '{"options": {"requestedPolicyVersion": 1}}')"
  else
    policy="$(rest GET "${api}" "${resource}:getIamPolicy?options.requestedPolicyVersion=3")"
  fi
  update="$(python3 "${script_dir}/iam_policy.py" "${policy}" "${member}=${role}")"
  [[ -z "$(sed -n 1p <<<"${update}")" ]] || rest POST "${api}" "${resource}:setIamPolicy" "$(sed -n 2p <<<"${update}")" >/dev/null
}

# Stops before anything is changed when the account running the script lacks a permission it needs, naming the
# role that grants each: require_permissions permission=role … (SKIP_PERMISSION_CHECK=true skips it, for an account
# whose Service Account User grant is on the service accounts themselves, which a project-level test cannot see).
require_permissions() {
  [[ "${SKIP_PERMISSION_CHECK:-false}" == true ]] && return 0
  local missing
  missing="$(rest POST cloudresourcemanager "v1/projects/${PROJECT_ID}:testIamPermissions" "$(python3 -c '
import json, sys
print(json.dumps({"permissions": [p.split("=")[0] for p in sys.argv[1:]]}))' "$@")" \
    | python3 -c '
import json, sys
held = set(json.load(sys.stdin).get("permissions", []))
needed = dict(p.split("=") for p in sys.argv[1:])
print(", ".join(sorted(f"{p} ({r})" for p, r in needed.items() if p not in held)))' "$@")"
  [[ -z "${missing}" ]] || die "the account running this script lacks: ${missing}; grant those roles (docs/deployment.md lists them all)"
}

# Runs gcloud and prints what it prints on standard output; on failure names the command and, for a permission
# error, what is missing.
gc() {
  local errors status=0 output
  errors="$(mktemp)"
  output="$(gcloud --project="${PROJECT_ID}" --quiet "$@" 2>"${errors}")" || status=$?
  if (( status == 0 )); then
    rm -f "${errors}"
    printf '%s' "${output}"
    return 0
  fi
  if grep -qiE 'PERMISSION_DENIED|does not have .*permission|403' "${errors}"; then
    printf '%s\n' "$(head -n 3 "${errors}")" >&2
    rm -f "${errors}"
    die "permission denied for 'gcloud $*': the account running this script lacks a role for it (owner, or the roles in docs/deployment.md)"
  fi
  cat "${errors}" >&2
  rm -f "${errors}"
  die "'gcloud $*' failed (exit ${status})"
}
