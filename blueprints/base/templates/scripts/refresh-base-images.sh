#!/usr/bin/env bash
# Keeps each service's base image pinned at the digest its tag points to now, in the spec
# itself (the source of the Dockerfiles), every other line kept:
# - a base image the spec pins by digest moves to the tag's digest where it has moved (a
#   rebuild, most often for security fixes): each digest the rendered output pins the image by
#   is replaced where the spec says it;
# - a service whose base image follows its tag gets its first pin, the tag's digest, in its
#   params (gen reads no network, so this first pin is proposed here, in a pull request).
# Then `gen render` writes the Dockerfiles again, and the drift check passes on the result.
# The workflow that runs this names the services, params and images only, never a digest nor
# whether one is pinned, so that a refresh never edits a workflow file (which the workflow's
# token may not push). Prints a Markdown list of what moved (nothing when nothing did).
# usage: refresh-base-images.sh SPEC OUT   with one `SERVICE PARAM IMAGE` per line on stdin:
# the service, its blueprint's param that pins the base image by digest, the image (name:tag).
# `docker buildx imagetools inspect` reads the registry.
set -euo pipefail

digest_pattern='^sha256:[0-9a-f]{64}$'

# The digest IMAGE's tag names now, checked to be one.
lookup() {
  local current
  if ! current=$(docker buildx imagetools inspect "$1" --format '{{json .Manifest}}' </dev/null | jq -re .digest); then
    echo "::error::the registry did not answer with a digest for $1" >&2
    return 1
  fi
  if ! [[ $current =~ $digest_pattern ]]; then
    echo "::error::the registry answered $current for $1, which is not a digest" >&2
    return 1
  fi
  printf '%s\n' "$current"
}

# Writes `PARAM: "DIGEST"` into the params of the service SERVICE in the spec's top-level
# `services:` list, in the forms a spec writes them: a one-line flow mapping (`params: {...}`),
# a block mapping under `params:`, or no params (then `params: {PARAM: "DIGEST"}` after its
# name). Every other line is kept as it is. Fails on any other form: the pin is then the
# user's to write. The render after it checks the spec as gen reads it.
# Whether the service SERVICE (in the spec's top-level `services:` list) states PARAM
# anywhere in its entry: then the spec pins its base image, and the output says by what.
has_pin() {
  awk -v service="$1" -v param="$2" '
    function indent(line) { match(line, /^ */); return RLENGTH }
    function finish() { if (ours && stated) pinned = 1; ours = 0; stated = 0 }
    BEGIN { top = 0; entry = -1; pinned = 0 }
    {
      if ($0 ~ /^services:[ \t]*(#.*)?$/) { top = 1; next }
      if (top && $0 ~ /^[^ \t#-]/) { finish(); top = 0 }
      if (!top || $0 ~ /^[ \t]*(#.*)?$/) next
      item = ($0 ~ /^ *- /)
      if (item && (entry < 0 || indent($0) == entry)) { finish(); entry = indent($0) }
      stripped = $0; sub(/^ *(- )?/, "", stripped)
      if ((item && indent($0) == entry || !item && indent($0) == entry + 2) &&
        stripped ~ ("^name:[ \t]*[\"\x27]?" service "[\"\x27]?[ \t]*(#.*)?$")) ours = 1
      if ($0 ~ ("(^|[{, \t])" param "[ \t]*:")) stated = 1
    }
    END { finish(); exit pinned ? 0 : 1 }
  ' "$3"
}

pin_in_spec() {
  awk -v service="$1" -v param="$2" -v digest="$3" '
    function indent(line) { match(line, /^ */); return RLENGTH }
    BEGIN { top = 0; found = 0; done = 0; failed = 0; block = 0; noparams = 0 }
    {
      line = $0
      if (line ~ /^services:[ \t]*(#.*)?$/) { top = 1; print line; next }
      if (top && line ~ /^[^ \t#-]/) { top = 0 }
      if (!top || done || line ~ /^[ \t]*(#.*)?$/) { print line; next }
      item = (line ~ /^ *- /)
      stripped = line; sub(/^ *(- )?/, "", stripped)
      if (!found) {
        if (stripped ~ ("^name:[ \t]*[\"\x27]?" service "[\"\x27]?[ \t]*(#.*)?$")) {
          found = 1
          keys = item ? indent(line) + 2 : indent(line)
        }
        print line; next
      }
      if (block) {
        # The first key under `params:` sets the indent the pin is written at.
        if (indent(line) > keys && !item) {
          printf "%*s%s: \"%s\"\n", indent(line), "", param, digest
          done = 1
        } else { failed = 1; done = 1 }
        print line; next
      }
      if (item || indent(line) < keys) { noparams = 1; done = 1; print line; next }
      if (indent(line) == keys && stripped ~ /^params:/) {
        rest = stripped; sub(/^params:[ \t]*/, "", rest)
        if (rest ~ /^\{[ \t]*\}[ \t]*(#.*)?$/) {
          sub(/\{[ \t]*\}/, "{" param ": \"" digest "\"}", line); done = 1
        } else if (rest ~ /^\{[^#]*\}[ \t]*(#.*)?$/) {
          n = match(line, /\}[ \t]*(#.*)?$/)
          line = substr(line, 1, n - 1) ", " param ": \"" digest "\"" substr(line, n); done = 1
        } else if (rest ~ /^(#.*)?$/) {
          block = 1
        } else { failed = 1; done = 1 }
      }
      print line
    }
    END {
      if (!found) { print "::error::the spec lists no service " service " under services:" > "/dev/stderr"; exit 1 }
      if (failed || (block && !done)) {
        print "::error::the service " service " has its params in a form this script does not edit: write " param ": \"" digest "\" in them" > "/dev/stderr"
        exit 1
      }
      if (noparams || !done) exit 3
    }
  ' "$4"
}

spec=${1:?usage: refresh-base-images.sh SPEC OUT < services}
out=${2:?usage: refresh-base-images.sh SPEC OUT < services}
declare -A digests=() moved=()
while read -r service param image; do
  [[ -n ${service-} ]] || continue
  if ! [[ $service =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ && ${param-} =~ ^[A-Za-z_][A-Za-z0-9_]*$ && -n ${image-} ]]; then
    echo "::error::a line names no service, param and image: $service ${param-} ${image-}" >&2
    exit 1
  fi
  # Each image is looked up once.
  if [[ -z ${digests[$image]-} ]]; then
    digests[$image]=$(lookup "$image")
  fi
  current=${digests[$image]}
  if has_pin "$service" "$param" "$spec"; then
    [[ -z ${moved[$image]-} ]] || continue
    moved[$image]=1
    # The image as a pattern: its dots are literal.
    pattern=${image//./\\.}
    pinned=$(grep -rhoE --exclude-dir=.git -- "(^|[[:space:]])$pattern@sha256:[0-9a-f]{64}" "$out" |
      sed 's/.*@//' | sort -u) || true
    if [[ -z $pinned ]]; then
      echo "::error::no file under $out pins $image by digest: render the spec again (gen render $spec) and commit the result" >&2
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
    continue
  fi
  status=0
  pin_in_spec "$service" "$param" "$current" "$spec" >"$spec.pinned" || status=$?
  if [[ $status == 3 ]]; then
    # The service has no params: `params:` goes after its name line, at the name's indent.
    awk -v service="$service" -v param="$param" -v digest="$current" '
      BEGIN { top = 0; done = 0 }
      {
        print
        if ($0 ~ /^services:[ \t]*(#.*)?$/) { top = 1; next }
        if (top && $0 ~ /^[^ \t#-]/) { top = 0 }
        if (top && !done && $0 ~ ("^ *(- )?name:[ \t]*[\"\x27]?" service "[\"\x27]?[ \t]*(#.*)?$")) {
          match($0, /^ *(- )?/)
          printf "%*sparams: {%s: \"%s\"}\n", RLENGTH, "", param, digest
          done = 1
        }
      }
    ' "$spec" >"$spec.pinned"
  elif [[ $status != 0 ]]; then
    rm -f "$spec.pinned"
    exit 1
  fi
  mv "$spec.pinned" "$spec"
  if ! grep -qF -- "$param: \"$current\"" "$spec"; then
    echo "::error::the spec does not pin $service's base image after the edit" >&2
    exit 1
  fi
  printf -- "- \`%s\`: \`%s\` pinned at \`%s\` (it followed the tag)\n" "$service" "$image" "$current"
done
