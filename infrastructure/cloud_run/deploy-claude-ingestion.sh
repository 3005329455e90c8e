#!/usr/bin/env bash
# Builds the image (by Cloud Build; BUILD_WITH=docker for a local Docker), pushes it to Artifact Registry tagged
# with the version and the git commit, and creates or updates the Cloud Run job to run it.
# IMAGE=<image reference> deploys that image without building: this is also how to roll back.
# Usage: PROJECT_ID=my-project ./deploy-claude-ingestion.sh
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_gcloud

repo_root="$(cd "${script_dir}/../.." && pwd)"
image_base="${REGION}-docker.pkg.dev/${PROJECT_ID}/${REPOSITORY}/${IMAGE_NAME}"

if [[ -z "${IMAGE:-}" ]]; then
  version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "${repo_root}/pom.xml" | head -n 1)"
  [[ -n "${version}" ]] || die "could not read the version from pom.xml"
  commit="$(git -C "${repo_root}" rev-parse --short=12 HEAD 2>/dev/null)" \
    || die "not a git checkout: the image is tagged with the commit it was built from"
  if [[ -n "$(git -C "${repo_root}" status --porcelain 2>/dev/null)" ]]; then
    die "the checkout has uncommitted changes; commit them so that the image's tag names what it contains"
  fi
  if exists artifacts repositories describe "${REPOSITORY}" --location="${REGION}"; then
    info "Artifact Registry repository ${REPOSITORY} exists"
  else
    info "creating Artifact Registry repository ${REPOSITORY} in ${REGION}"
    gc artifacts repositories create "${REPOSITORY}" --repository-format=docker --location="${REGION}" \
      --description="claude-data-ingestion images" >/dev/null
  fi
  IMAGE="${image_base}:git-${commit}"
  if [[ "${BUILD_WITH:-cloudbuild}" == docker ]]; then
    command -v docker >/dev/null 2>&1 || die "BUILD_WITH=docker but docker is not installed"
    info "building ${IMAGE} with the local Docker"
    docker build -f "${repo_root}/Dockerfile.claude-ingestion" -t "${IMAGE}" -t "${image_base}:${version}" "${repo_root}"
    gc auth configure-docker "${REGION}-docker.pkg.dev" >/dev/null
    docker push "${IMAGE}"
    docker push "${image_base}:${version}"
  else
    info "building ${IMAGE} with Cloud Build"
    build_config="$(mktemp)"
    trap 'rm -f "${build_config}"' EXIT
    cat > "${build_config}" <<YAML
steps:
  - name: gcr.io/cloud-builders/docker
    args: ["build", "-f", "Dockerfile.claude-ingestion", "-t", "${IMAGE}", "-t", "${image_base}:${version}", "."]
images: ["${IMAGE}", "${image_base}:${version}"]
YAML
    gc builds submit "${repo_root}" --region="${REGION}" --config="${build_config}" >/dev/null
  fi
fi

env_vars="BIGQUERY_PROJECT_ID=${PROJECT_ID},BIGQUERY_DATASET=${BIGQUERY_DATASET},BIGQUERY_LOCATION=${BIGQUERY_LOCATION}"
if [[ -n "${ANTHROPIC_ORGANIZATION_ID}" ]]; then
  env_vars="ANTHROPIC_ORGANIZATION_ID=${ANTHROPIC_ORGANIZATION_ID},${env_vars}"
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
  --set-env-vars="${env_vars}"
  --set-secrets="ANTHROPIC_ADMIN_API_KEY=${SECRET_NAME}:latest"
)
if exists run jobs describe "${JOB_NAME}" --region="${REGION}"; then
  info "updating Cloud Run job ${JOB_NAME} to ${IMAGE}"
  gc run jobs update "${JOB_NAME}" "${job_settings[@]}" >/dev/null
else
  info "creating Cloud Run job ${JOB_NAME} with ${IMAGE}"
  gc run jobs create "${JOB_NAME}" "${job_settings[@]}" >/dev/null
fi
info "deployed ${IMAGE}; run it now with: gcloud run jobs execute ${JOB_NAME} --region=${REGION} --wait"
