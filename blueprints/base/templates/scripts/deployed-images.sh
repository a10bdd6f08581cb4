#!/usr/bin/env bash
# Prints the image each environment runs of each service, as the pipeline recorded it, for the
# scheduled scan (.github/workflows/scan.yml): one line `SERVICE ENVIRONMENT REF` each.
# - GitOps: the release file the pipeline commits for the environment (what Argo CD syncs),
#   its image by digest: REF is IMAGE@DIGEST.
# - Helm: the newest successful deployment the service's own workflow or its rollback
#   workflow made to the environment's GitHub environment (every page of them, the newest
#   first). The release's image is IMAGE:VERSION, a tag the pipeline never moves; VERSION is
#   the release tag's at the deployment's commit for the service's workflow, and the one the
#   rollback run is named after (its run-name, `SERVICE X.Y.Z to ENVIRONMENT`) for a rollback.
# An environment the pipeline deployed to whose image cannot be determined is an error: the
# script prints what it found of the others and exits 3, so that the scan runs and the
# workflow still fails (and notifies). Nothing deployed yet is a notice.
# usage: deployed-images.sh < lines `SERVICE ENVIRONMENT IMAGE SOURCE`, where SOURCE is
#   `release:FILE` (GitOps) or `deployment:GITHUB_ENVIRONMENT:WORKFLOW_FILE:TAG_PREFIX` (Helm).
# Needs GH_TOKEN (deployments: read, actions: read) and GITHUB_REPOSITORY for Helm.
set -euo pipefail

undetermined=0
# Names an environment whose image this scan cannot determine, and fails the run at the end.
undetermined() {
  echo "::error::$1" >&2
  undetermined=1
}

digest_pattern='sha256:[0-9a-f]{64}'
while read -r service environment image source; do
  [[ -n ${service-} ]] || continue
  case $source in
    release:*)
      file=${source#release:}
      if [[ ! -f $file ]]; then
        echo "::warning::$service has no release file for $environment ($file): nothing released there yet" >&2
        continue
      fi
      digest=$(grep -m 1 -oE "digest: \"$digest_pattern\"" "$file" | grep -oE "$digest_pattern") || true
      if [[ -z $digest ]]; then
        echo "::notice::$service is not released to $environment yet ($file names no digest)" >&2
        continue
      fi
      echo "$service $environment $image@$digest"
      ;;
    deployment:*)
      IFS=: read -r _ github_environment workflow prefix <<<"$source"
      found=""
      # The newest deployments first; each one's newest status says whether it succeeded and
      # which run made it.
      while read -r id sha; do
        [[ -n ${id-} ]] || continue
        status=$(gh api "repos/$GITHUB_REPOSITORY/deployments/$id/statuses?per_page=1" \
          --jq '.[0] | "\(.state) \(.log_url // "")"')
        [[ ${status%% *} == success ]] || continue
        run=$(grep -oE '/actions/runs/[0-9]+' <<<"$status" | grep -oE '[0-9]+$') || true
        [[ -n $run ]] || continue
        read -r path title < <(gh api "repos/$GITHUB_REPOSITORY/actions/runs/$run" \
          --jq '"\(.path) \(.display_title)"') || true
        case ${path-} in
          ".github/workflows/$workflow.yml")
            # The service's release at that commit: its tag, prefix and version.
            tag=$(gh api "repos/$GITHUB_REPOSITORY/git/matching-refs/tags/$prefix" \
              --jq ".[] | select(.object.sha == \"$sha\") | .ref" | sed 's|^refs/tags/||' | tail -n 1)
            version=${tag#"$prefix"}
            if ! [[ -n $tag && $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
              undetermined "$service's newest deployment to $environment (run $run) is at $sha, which no release tag $prefix* names: scan it by hand"
              found=skip
              break
            fi
            found="$image:$version"
            break
            ;;
          ".github/workflows/$workflow.rollback.yml")
            # The rollback run is named after what it deployed: `SERVICE X.Y.Z to ENVIRONMENT`
            # (`SERVICE X.Y.Z` where the spec declares no environments).
            version=${title-}
            version=${version#"$service "}
            version=${version% to "$environment"}
            if ! [[ ${title-} == "$service "* && $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
              undetermined "$service was rolled back in $environment (run $run), whose name \"${title-}\" is not \"$service X.Y.Z to $environment\": scan it by hand"
              found=skip
              break
            fi
            found="$image:$version"
            break
            ;;
        esac
      done < <(gh api --paginate "repos/$GITHUB_REPOSITORY/deployments?environment=$github_environment&per_page=100" \
        --jq '.[] | "\(.id) \(.sha)"')
      if [[ -z $found ]]; then
        echo "::notice::$service has no successful deployment to $environment yet" >&2
      elif [[ $found != skip ]]; then
        echo "$service $environment $found"
      fi
      ;;
    *)
      echo "::error::$service in $environment: no source of the deployed image in \"$source\"" >&2
      exit 1
      ;;
  esac
done
if ((undetermined)); then
  exit 3
fi
