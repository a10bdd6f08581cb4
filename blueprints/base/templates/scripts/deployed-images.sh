#!/usr/bin/env bash
# Prints the image each environment runs of each service, as the pipeline recorded it, for the
# scheduled scan (.github/workflows/scan.yml): one line `SERVICE ENVIRONMENT REF` each.
# - GitOps: the release file the pipeline commits for the environment (what Argo CD syncs),
#   its image by digest: REF is IMAGE@DIGEST.
# - Helm: the newest successful deployment the service's own workflow made to the
#   environment's GitHub environment; its commit is the release tag's, and the release's
#   image is IMAGE:VERSION, a tag the pipeline never moves. A rollback (the service's rollback
#   workflow) records no version GitHub's API shows: the environment is then named in a
#   warning and the release before it is not guessed.
# usage: deployed-images.sh < lines `SERVICE ENVIRONMENT IMAGE SOURCE`, where SOURCE is
#   `release:FILE` (GitOps) or `deployment:GITHUB_ENVIRONMENT:WORKFLOW_FILE:TAG_PREFIX` (Helm).
# Needs GH_TOKEN (deployments: read, actions: read) and GITHUB_REPOSITORY for Helm.
set -euo pipefail

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
        path=$(gh api "repos/$GITHUB_REPOSITORY/actions/runs/$run" --jq .path)
        case $path in
          ".github/workflows/$workflow.yml")
            # The service's release at that commit: its tag, prefix and version.
            tag=$(gh api "repos/$GITHUB_REPOSITORY/git/matching-refs/tags/$prefix" \
              --jq ".[] | select(.object.sha == \"$sha\") | .ref" | sed 's|^refs/tags/||' | tail -n 1)
            version=${tag#"$prefix"}
            if ! [[ -n $tag && $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
              echo "::warning::$service's newest deployment to $environment (run $run) is at $sha, which no release tag $prefix* names" >&2
              found=skip
              break
            fi
            found="$image:$version"
            break
            ;;
          ".github/workflows/$workflow.rollback.yml")
            echo "::warning::$service was rolled back in $environment (run $run): which release it runs is in that run's log, not in what this scan reads; scan it by hand" >&2
            found=skip
            break
            ;;
        esac
      done < <(gh api "repos/$GITHUB_REPOSITORY/deployments?environment=$github_environment&per_page=100" \
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
