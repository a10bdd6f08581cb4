#!/usr/bin/env bash
# Prints the version the next release of a line of git tags gets: the newest tag PREFIX + X.Y.Z
# with its patch bumped (v0.0.9 -> 0.0.10), or 0.0.1 when there is none. Tags that are not
# PREFIX followed by a plain semver X.Y.Z (no leading zeros, no pre-release) are ignored.
# usage: next-version.sh [PREFIX]   (default: v; the pipeline of one service of several
# passes <service>/v)
set -euo pipefail

prefix=${1-v}
newest=$(
  git tag --list |
    while IFS= read -r tag; do
      [[ $tag == "$prefix"* ]] || continue
      core=${tag#"$prefix"}
      if [[ $core =~ ^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$ ]]; then
        printf '%s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
      fi
    done |
    sort -n -k1,1 -k2,2 -k3,3 |
    tail -n 1
)
if [[ -z $newest ]]; then
  echo 0.0.1
  exit 0
fi
read -r major minor patch <<<"$newest"
echo "$major.$minor.$((patch + 1))"
