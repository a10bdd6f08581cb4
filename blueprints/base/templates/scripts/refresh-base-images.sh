#!/usr/bin/env bash
# Moves each base image the spec pins by digest to the digest its tag points to now, in the
# spec itself (the source of the Dockerfiles): each digest the rendered output pins the image
# by is replaced where the spec says it, every other byte kept. Then `gen render` writes the
# Dockerfiles again, and the drift check passes on the result. The workflow that runs this
# names the images only, never a digest, so that a refresh never edits a workflow file (which
# the workflow's token may not push). Prints a Markdown list of what moved (nothing when
# nothing did).
# usage: refresh-base-images.sh SPEC OUT   with one image (`name:tag`) per line on stdin.
# `docker buildx imagetools inspect` reads the registry.
set -euo pipefail

spec=${1:?usage: refresh-base-images.sh SPEC OUT < images}
out=${2:?usage: refresh-base-images.sh SPEC OUT < images}
digest_pattern='^sha256:[0-9a-f]{64}$'
while read -r image; do
  [[ -n ${image-} ]] || continue
  # The image as a pattern: its dots are literal.
  pattern=${image//./\\.}
  pinned=$(grep -rhoE --exclude-dir=.git -- "(^|[[:space:]])$pattern@sha256:[0-9a-f]{64}" "$out" |
    sed 's/.*@//' | sort -u) || true
  if [[ -z $pinned ]]; then
    echo "::error::no file under $out pins $image by digest: render the spec again (gen render $spec) and commit the result" >&2
    exit 1
  fi
  if ! current=$(docker buildx imagetools inspect "$image" --format '{{json .Manifest}}' </dev/null | jq -re .digest); then
    echo "::error::the registry did not answer with a digest for $image" >&2
    exit 1
  fi
  if ! [[ $current =~ $digest_pattern ]]; then
    echo "::error::the registry answered $current for $image, which is not a digest" >&2
    exit 1
  fi
  while read -r old; do
    [[ $old != "$current" ]] || continue
    if ! grep -qF -- "$old" "$spec"; then
      echo "::error::the output pins $image by $old, which $spec does not say: render the spec again (gen render $spec) and commit the result" >&2
      exit 1
    fi
    # Both are [a-z0-9:] only: nothing in them is special to sed.
    sed -i "s/$old/$current/g" "$spec"
    printf -- "- \`%s\`: \`%s\` to \`%s\`\n" "$image" "$old" "$current"
  done <<<"$pinned"
done
