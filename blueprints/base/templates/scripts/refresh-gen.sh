#!/usr/bin/env bash
# Finds gen's newest release: the highest vX.Y.Z tag of gen's source ($GEN_REPOSITORY) above
# the one this project renders with ($GEN_REVISION). When there is one, prints it, and moves
# `revision:` in the spec to it where the spec states the old one (a spec that leaves it out
# follows the gen that renders it). A revision that is not a release tag (a commit, a branch)
# is a choice to move by hand: nothing is printed. The workflows' actions, the tools they
# install and the templates' defaults move with gen's releases, reviewed there.
# usage: refresh-gen.sh SPEC   (GEN_REPOSITORY and GEN_REVISION in the environment)
set -euo pipefail

spec=${1:?usage: refresh-gen.sh SPEC}
release='^v(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$'
if ! [[ $GEN_REVISION =~ $release ]]; then
  echo "::notice::gen is pinned at $GEN_REVISION, not a release tag: pipeline.gen.revision in $spec moves by hand" >&2
  exit 0
fi
if ! refs=$(GIT_TERMINAL_PROMPT=0 timeout 120 git ls-remote --tags --refs "$GEN_REPOSITORY" 2>&1); then
  echo "::error::gen's source $GEN_REPOSITORY cannot be read without credentials: $refs" >&2
  exit 1
fi
newest=$(
  cut -f2 <<<"$refs" | sed 's#^refs/tags/##' |
    while IFS= read -r tag; do
      if [[ $tag =~ $release ]]; then
        printf '%s %s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "$tag"
      fi
    done |
    sort -n -k1,1 -k2,2 -k3,3 | tail -n 1 | cut -d' ' -f4
)
[[ -n $newest && $newest != "$GEN_REVISION" ]] || exit 0
# Newer, not only different: a release tag removed from the source moves nothing back.
[[ $GEN_REVISION =~ $release ]]
current=("${BASH_REMATCH[@]:1:3}")
[[ $newest =~ $release ]]
for i in 0 1 2; do
  ((BASH_REMATCH[i + 1] == current[i])) && continue
  ((BASH_REMATCH[i + 1] > current[i])) && break
  exit 0
done
# The spec's `revision: vX.Y.Z` (quoted or not, in a block or a flow mapping; no other key of
# a spec is called `revision`). A spec that states the old release in another form is not
# edited blindly: the run stops and says so.
old=${GEN_REVISION//./\\.}
sed -i -E "s/(^|[{,\"'[:space:]])(revision[\"']?:[[:space:]]*[\"']?)$old([\"']?([[:space:]]|,|\}|$))/\1\2$newest\3/" "$spec"
if grep -qE -- "revision[\"']?:.*[\"' ]$old([\"' ,}]|$)" "$spec"; then
  echo "::error::$spec states gen's revision $GEN_REVISION in a form this script does not edit: move pipeline.gen.revision to $newest by hand" >&2
  exit 1
fi
echo "$newest"
