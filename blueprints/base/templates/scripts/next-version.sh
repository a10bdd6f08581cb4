#!/usr/bin/env bash
# Prints the version the next release of a service gets: the newest of its git tags, PREFIX
# followed by a plain semver X.Y.Z, with its patch bumped (v0.0.9 -> 0.0.10), or 0.0.1 when
# there is none. FORMER prefixes, the ones the service's tags had before, count as PREFIX does:
# a renamed prefix continues the sequence instead of restarting at 0.0.1. Tags that are not a
# prefix followed by X.Y.Z (no leading zeros, no pre-release) are ignored. With --newest, prints
# that newest tag itself instead (nothing when there is none).
# usage: next-version.sh [--newest] [PREFIX [FORMER...]]   (default: v; the pipeline passes the
# service's release.tagPrefix and release.formerTagPrefixes)
set -euo pipefail

newest_tag=false
if [[ ${1-} == --newest ]]; then
  newest_tag=true
  shift
fi
prefixes=("$@")
[[ $# -gt 0 ]] || prefixes=(v)
newest=$(
  git tag --list |
    while IFS= read -r tag; do
      for prefix in "${prefixes[@]}"; do
        [[ $tag == "$prefix"* ]] || continue
        core=${tag#"$prefix"}
        if [[ $core =~ ^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$ ]]; then
          printf '%s %s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "$tag"
        fi
      done
    done |
    sort -n -k1,1 -k2,2 -k3,3 |
    tail -n 1
)
read -r major minor patch tag <<<"$newest" || true
if $newest_tag; then
  [[ -z $newest ]] || printf '%s\n' "$tag"
elif [[ -z $newest ]]; then
  echo 0.0.1
else
  echo "$major.$minor.$((patch + 1))"
fi
