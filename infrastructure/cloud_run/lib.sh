# Shared by the deployment scripts: settings, messages, and gcloud calls that fail with a clear message.
# shellcheck shell=bash

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=config.env source-path=SCRIPTDIR
source "${script_dir}/config.env"

PIPELINE_SA_EMAIL="${PIPELINE_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
SCHEDULER_SA_EMAIL="${SCHEDULER_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
BUILDER_SA_EMAIL="${BUILDER_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
export PIPELINE_SA_EMAIL SCHEDULER_SA_EMAIL BUILDER_SA_EMAIL

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
  ACCESS_TOKEN="$(gcloud auth print-access-token 2>/dev/null)" \
    || die "gcloud is not logged in; run 'gcloud auth login' (or use a service account) and try again"
}

# Calls a Google REST API as the operator, through gcloud's proxy and endpoint overrides when it has them:
# rest METHOD API PATH [JSON]. Prints the answer; a 404 returns 4 and prints
# nothing; a permission error or any other failure stops the script with a message naming the call.
rest() {
  local method="$1" api="$2" path="$3" body="${4:-}" answer code endpoint
  if [[ -z "${rest_settings+set}" ]]; then
    # gcloud's active configuration, read from its file (as 'gcloud config list' would, a second faster), and the
    # CLOUDSDK_* variables that override it.
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
print("|".join([get("proxy", "address"), get("proxy", "port")]
                + [get("api_endpoint_overrides", api) for api in ("monitoring", "logging", "cloudresourcemanager")]))
PY
)"
  fi
  local proxy_address proxy_port monitoring_endpoint logging_endpoint resourcemanager_endpoint
  IFS='|' read -r proxy_address proxy_port monitoring_endpoint logging_endpoint resourcemanager_endpoint \
    <<<"${rest_settings}"
  case "${api}" in
    monitoring) endpoint="${monitoring_endpoint:-https://monitoring.googleapis.com/}" ;;
    logging) endpoint="${logging_endpoint:-https://logging.googleapis.com/}" ;;
    cloudresourcemanager) endpoint="${resourcemanager_endpoint:-https://cloudresourcemanager.googleapis.com/}" ;;
    *) die "rest: no endpoint for ${api}" ;;
  esac
  local options=(-sS -X "${method}" -H "Authorization: Bearer ${ACCESS_TOKEN}" -H "Content-Type: application/json"
    -w $'\n%{http_code}')
  [[ -n "${proxy_address}" ]] && options+=(--proxy "http://${proxy_address}:${proxy_port}")
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
  local errors status output
  errors="$(mktemp)"
  if output="$(gcloud --project="${PROJECT_ID}" --quiet "$@" 2>"${errors}")"; then
    rm -f "${errors}"
    printf '%s' "${output}"
    return 0
  fi
  status=$?
  if grep -qiE 'PERMISSION_DENIED|does not have .*permission|403' "${errors}"; then
    printf '%s\n' "$(head -n 3 "${errors}")" >&2
    rm -f "${errors}"
    die "permission denied for 'gcloud $*': the account running this script lacks a role for it (owner, or the roles in docs/deployment.md)"
  fi
  cat "${errors}" >&2
  rm -f "${errors}"
  die "'gcloud $*' failed (exit ${status})"
}

# Prints the resource as JSON when 'gcloud <describe command>' finds it, else returns 1; like exists.
describe_json() {
  local output
  if output="$(gcloud --project="${PROJECT_ID}" --quiet "$@" --format=json 2>&1)"; then
    printf '%s' "${output}"
    return 0
  fi
  if grep -qiE 'NOT_FOUND|not found|cannot find|does not exist|404' <<<"${output}"; then
    return 1
  fi
  if grep -qiE 'PERMISSION_DENIED|403' <<<"${output}"; then
    die "permission denied for 'gcloud $*': the account running this script lacks a role for it"
  fi
  printf '%s\n' "${output}" >&2
  die "'gcloud $*' failed"
}

# True when 'gcloud <describe command>' finds the resource; any other failure than NOT_FOUND stops the script.
exists() {
  local output
  if output="$(gcloud --project="${PROJECT_ID}" --quiet "$@" --format='value(name)' 2>&1)"; then
    return 0
  fi
  if grep -qiE 'NOT_FOUND|not found|cannot find|does not exist|404' <<<"${output}"; then
    return 1
  fi
  if grep -qiE 'PERMISSION_DENIED|403' <<<"${output}"; then
    die "permission denied for 'gcloud $*': the account running this script lacks a role for it"
  fi
  printf '%s\n' "${output}" >&2
  die "'gcloud $*' failed"
}
