#!/usr/bin/env bash
# Builds the image with Cloud Build as the builder account (BUILD_WITH=docker: with a local Docker), pushes it to
# Artifact Registry tagged with its commit, in a repository whose tags cannot be moved, and points the Cloud Run job
# at it by digest, with exactly the variables of job.env, after printing which of them change.
# Usage: ./deploy-claude-ingestion.sh [--smoke]    build the committed checkout and deploy it; --smoke then runs the
#                                                 job for yesterday and waits for it to succeed
#        IMAGE=<image>@sha256:<digest> ./deploy-claude-ingestion.sh    deploy that image, with job.env
#        ./deploy-claude-ingestion.sh rollback <image>@sha256:<digest>  change the job's image and nothing else
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

smoke=false
case "${1:-}" in
  rollback)
    [[ "${2:-}" == *@sha256:* ]] || die "usage: $0 rollback <image>@sha256:<digest> (the digests deployed before are in 'gcloud run jobs describe ${JOB_NAME} --region=${REGION}' history and in Artifact Registry)"
    require_gcloud
    require_permissions run.jobs.update=roles/run.developer iam.serviceAccounts.actAs=roles/iam.serviceAccountUser
    rest GET run "${RUN_JOB_PATH}" >/dev/null || die "the Cloud Run job ${JOB_NAME} does not exist"
    info "rolling ${JOB_NAME} back to $2 (its variables stay as they are)"
    gc run jobs update "${JOB_NAME}" --region="${REGION}" --image="$2" >/dev/null
    info "rolled back; run it now with: gcloud run jobs execute ${JOB_NAME} --region=${REGION} --wait"
    exit 0
    ;;
  --smoke) smoke=true ;;
  "") ;;
  *) die "usage: $0 [--smoke] | $0 rollback <image>@sha256:<digest>" ;;
esac
require_gcloud
require_permissions run.jobs.create=roles/run.developer run.jobs.update=roles/run.developer \
  iam.serviceAccounts.actAs=roles/iam.serviceAccountUser \
  artifactregistry.repositories.create=roles/artifactregistry.admin \
  cloudbuild.builds.create=roles/cloudbuild.builds.editor

repo_root="$(cd "${script_dir}/../.." && pwd)"
image_base="${REGION}-docker.pkg.dev/${PROJECT_ID}/${REPOSITORY}/${IMAGE_NAME}"

if [[ -z "${IMAGE:-}" ]]; then
  pom_version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "${repo_root}/pom.xml" | head -n 1)"
  [[ -n "${pom_version}" ]] || die "could not read the version from pom.xml"
  commit="$(git -C "${repo_root}" rev-parse --short=12 HEAD 2>/dev/null)" \
    || die "not a git checkout: the image is tagged with the commit it was built from"
  if [[ -n "$(git -C "${repo_root}" status --porcelain 2>/dev/null)" ]]; then
    die "the checkout has uncommitted changes; commit them so that the image's tag names what it contains"
  fi
  # What ingestion_runs.version records for every run of this image.
  version="${pom_version}+g${commit}"
  repository="v1/projects/${PROJECT_ID}/locations/${REGION}/repositories/${REPOSITORY}"
  if rest GET artifactregistry "${repository}" >/dev/null; then
    info "Artifact Registry repository ${REPOSITORY} exists"
  else
    info "creating Artifact Registry repository ${REPOSITORY} in ${REGION}, with immutable tags"
    gc artifacts repositories create "${REPOSITORY}" --repository-format=docker --location="${REGION}" \
      --immutable-tags --description="claude-data-ingestion images, tagged by commit" >/dev/null
  fi
  tag="${image_base}:git-${commit}"
  # A tag names the version it points to, sha256:<digest>.
  tag_resource="${repository}/packages/${IMAGE_NAME}/tags/git-${commit}"
  if rest GET artifactregistry "${tag_resource}" >/dev/null; then
    info "${tag} is built already (tags are immutable): deploying it"
  elif [[ "${BUILD_WITH:-cloudbuild}" == docker ]]; then
    command -v docker >/dev/null 2>&1 || die "BUILD_WITH=docker but docker is not installed"
    info "building ${tag} (version ${version}) with the local Docker"
    docker build -f "${repo_root}/Dockerfile.claude-ingestion" --build-arg "VERSION=${version}" -t "${tag}" "${repo_root}"
    gc auth configure-docker "${REGION}-docker.pkg.dev" >/dev/null
    docker push "${tag}"
  else
    info "building ${tag} (version ${version}) with Cloud Build as ${BUILDER_SA_EMAIL}"
    build_config="$(mktemp)"
    trap 'rm -f "${build_config}"' EXIT
    cat > "${build_config}" <<YAML
steps:
  - name: gcr.io/cloud-builders/docker
    args: ["build", "-f", "Dockerfile.claude-ingestion", "--build-arg", "VERSION=${version}", "-t", "${tag}", "."]
images: ["${tag}"]
serviceAccount: projects/${PROJECT_ID}/serviceAccounts/${BUILDER_SA_EMAIL}
options:
  logging: CLOUD_LOGGING_ONLY
YAML
    gc builds submit "${repo_root}" --region="${REGION}" --config="${build_config}" >/dev/null
  fi
  digest="$(rest GET artifactregistry "${tag_resource}" | python3 -c '
import json, sys
print(json.load(sys.stdin).get("version", "").rpartition("/")[2])')" || die "could not find ${tag} after the build"
  [[ "${digest}" == sha256:* ]] || die "could not read the digest of ${tag}"
  IMAGE="${image_base}@${digest}"
fi

# The job's variables: job.env, and the project the job writes to unless job.env names another.
env_file="$(mktemp)"
current="$(mktemp)"
trap 'rm -f "${env_file}" "${current}" "${build_config:-}"' EXIT
if rest GET run "${RUN_JOB_PATH}" > "${current}"; then
  job_exists=true
else
  job_exists=false
  printf '{}' > "${current}"
fi
python3 - "${JOB_ENV_FILE}" "${PROJECT_ID}" "${env_file}" "${current}" <<'PY' || exit 1
import json, re, sys
source, project, out, current = sys.argv[1:5]
wanted = {}
for number, line in enumerate(open(source), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    name, equals, value = line.partition("=")
    if not equals or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
        sys.exit(f"error: {source}:{number} is not NAME=value")
    if name == "ANTHROPIC_ADMIN_API_KEY" or name.endswith("_KEY"):
        sys.exit(f"error: {source}:{number}: keys belong in Secret Manager, not in the job's variables")
    if value:
        wanted[name] = value
wanted.setdefault("BIGQUERY_PROJECT_ID", project)
with open(out, "w") as f:
    for name, value in wanted.items():
        f.write(f"{name}: {json.dumps(value)}\n")
job = json.load(open(current))
containers = job.get("spec", {}).get("template", {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])
deployed = {e["name"]: e.get("value", "") for e in containers[0].get("env", []) if "valueFrom" not in e}
changes = [f"  + {n}={wanted[n]}" for n in wanted if n not in deployed]
changes += [f"  ~ {n}: {deployed[n]} -> {wanted[n]}" for n in wanted if n in deployed and deployed[n] != wanted[n]]
changes += [f"  - {n} (not in job.env)" for n in deployed if n not in wanted]
print("==> the job's variables " + ("change:\n" + "\n".join(changes) if changes else "do not change"), file=sys.stderr)
PY

# The notify webhook, once setup-iam.sh has stored it.
secrets="ANTHROPIC_ADMIN_API_KEY=${SECRET_NAME}:latest"
if rest GET secretmanager "v1/projects/${PROJECT_ID}/secrets/${NOTIFY_SECRET_NAME}" >/dev/null; then
  secrets+=",NOTIFY_WEBHOOK_URL=${NOTIFY_SECRET_NAME}:latest"
fi

job_settings=(
  --region="${REGION}"
  --image="${IMAGE}"
  --memory=512Mi
  --cpu=1
  --task-timeout=15m
  --max-retries=3
  --tasks=1
  --service-account="${PIPELINE_SA_EMAIL}"
  --env-vars-file="${env_file}"
  --set-secrets="${secrets}"
  "--args=ingest,--check"
)
if [[ "${job_exists}" == true ]]; then
  info "updating Cloud Run job ${JOB_NAME} to ${IMAGE}"
  gc run jobs update "${JOB_NAME}" "${job_settings[@]}" >/dev/null
else
  info "creating Cloud Run job ${JOB_NAME} with ${IMAGE}"
  gc run jobs create "${JOB_NAME}" "${job_settings[@]}" >/dev/null
fi
info "deployed ${IMAGE}; roll back to it later with: $0 rollback ${IMAGE}"

if [[ "${smoke}" == true ]]; then
  yesterday="$(date -u -d yesterday +%F 2>/dev/null || date -u -v-1d +%F)"
  info "smoke test: running ${JOB_NAME} for ${yesterday} and waiting for it"
  gc run jobs execute "${JOB_NAME}" --region="${REGION}" --wait \
    --args="ingest,--check,--from=${yesterday},--to=${yesterday}" >/dev/null
  info "the smoke run succeeded"
else
  info "run it now with: gcloud run jobs execute ${JOB_NAME} --region=${REGION} --wait"
fi
