# Shared by the deployment scripts: settings, messages, and gcloud calls that fail with a clear message.
# shellcheck shell=bash

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=config.env source-path=SCRIPTDIR
source "${script_dir}/config.env"

PIPELINE_SA_EMAIL="${PIPELINE_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
SCHEDULER_SA_EMAIL="${SCHEDULER_SERVICE_ACCOUNT}@${PROJECT_ID}.iam.gserviceaccount.com"
export PIPELINE_SA_EMAIL SCHEDULER_SA_EMAIL

info() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Fails with a message naming what is missing when gcloud cannot be used at all.
require_gcloud() {
  command -v gcloud >/dev/null 2>&1 \
    || die "gcloud is not installed; install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)"
  [[ "${PROJECT_ID}" != "your-gcp-project" ]] \
    || die "PROJECT_ID is not set; export PROJECT_ID=<your project> or edit config.env"
  gcloud auth print-access-token >/dev/null 2>&1 \
    || die "gcloud is not logged in; run 'gcloud auth login' (or use a service account) and try again"
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
