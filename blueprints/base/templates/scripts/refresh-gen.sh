#!/usr/bin/env bash
# Finds gen's newest release: the highest vX.Y.Z tag of gen's source ($GEN_REPOSITORY) above
# the one this project renders with ($GEN_REVISION). When there is one, prints it, and moves
# the spec's `pipeline.gen.revision` to it where the spec states the old one (a spec that
# leaves it out follows the gen that renders it, and is not edited). A revision that is not a
# release tag (a commit, a branch) is a choice to move by hand: nothing is printed. The
# workflows' actions, the tools they install and the templates' defaults move with gen's
# releases, reviewed there.
# With `install: wheel` (GEN_INDEX, GEN_VERSION, GEN_LOCK and GEN_REPOSITORY in the
# environment), the releases are the versions of gen-platform on the package index (its JSON
# API, PEP 691) with a wheel, not withdrawn, for each platform gen's release builds. When one is
# newer than GEN_VERSION, prints it; where the spec states the old one, moves the spec's
# `pipeline.gen.version` to it and writes GEN_LOCK for it: the SHA-256 of each of its wheels, as
# the index published them, each the one the release's SHA256SUMS (on GEN_REPOSITORY's GitHub
# release) gives (every platform: developers' machines install from the same lock).
# usage: refresh-gen.sh SPEC   (GEN_REPOSITORY and GEN_REVISION, or GEN_INDEX, GEN_VERSION,
# GEN_LOCK and GEN_REPOSITORY, in the environment)
set -euo pipefail

spec=${1:?usage: refresh-gen.sh SPEC}

wheel_release() {
  page=$(mktemp)
  sums=$(mktemp)
  trap 'rm -f "$page" "$sums"' EXIT
  if ! said=$(curl -fsSL --retry 3 --max-time 60 -H 'Accept: application/vnd.pypi.simple.v1+json' \
    -o "$page" "${GEN_INDEX%/}/gen-platform/" 2>&1); then
    echo "::error::the package index $GEN_INDEX (pipeline.gen.index in $spec) cannot be read: $said" >&2
    exit 1
  fi
  newest=$(wheel_lock -)
  [[ -n $newest ]] || exit 0
  # The release's own checksums (SHA256SUMS on gen's GitHub release, written by the workflow
  # that built the wheels, published after the index has them): the lock takes the index's
  # hashes only where they are the release's.
  url="${GEN_REPOSITORY%.git}/releases/download/v$newest/SHA256SUMS"
  if ! code=$(curl -sSL --retry 3 --max-time 60 -o "$sums" -w '%{http_code}' "$url" 2>&1); then
    echo "::error::gen's release checksums $url (pipeline.gen.repository in $spec) cannot be read: $code" >&2
    exit 1
  fi
  if [[ $code == 404 ]]; then
    echo "::notice::gen $newest is on the index but its release has no SHA256SUMS yet ($url): it is adopted once it has" >&2
    exit 0
  elif [[ $code != 200 ]]; then
    echo "::error::gen's release checksums $url (pipeline.gen.repository in $spec) answered HTTP $code" >&2
    exit 1
  fi
  wheel_lock "$sums" > /dev/null
  # The lock moves with the spec's version: where the spec does not state it (it follows the
  # gen that renders it), or the edit fails, the lock stays as it was.
  before=$(sha256sum "$spec")
  if ! move_in_spec version "$GEN_VERSION" "$newest"; then
    rm -f "$GEN_LOCK.new"
    exit 1
  fi
  if [[ $(sha256sum "$spec") != "$before" ]]; then
    mv "$GEN_LOCK.new" "$GEN_LOCK"
  else
    rm -f "$GEN_LOCK.new"
  fi
  echo "$newest"
}

source_release() {
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
  move_in_spec revision "$GEN_REVISION" "$newest"
  echo "$newest"
}

# wheel_lock SUMS: from the index's page ($page), the newest release above GEN_VERSION with a
# wheel, not withdrawn, for each platform gen's release builds, printed. With SUMS, the file of
# the release's checksums, also writes its lock beside GEN_LOCK (moved over it once the spec's
# version has moved) from the hashes the index published, each checked against SUMS.
wheel_lock() {
python3 - "$GEN_VERSION" "$page" "$GEN_INDEX" "$spec" "$GEN_LOCK" "$1" <<'PY'
import json
import re
import sys

version, page, index, spec, lock, sums = sys.argv[1:7]
current = tuple(int(p) for p in version.split("."))
try:
    files = json.load(open(page, encoding="utf-8")).get("files", [])
except ValueError:
    sys.exit(f"::error::the package index {index} (pipeline.gen.index in {spec}) answered with no JSON page (PEP 691)")
number = r"(0|[1-9][0-9]{0,8})"
wheel = re.compile(rf"gen_platform-{number}\.{number}\.{number}-py3-none-([^-/]+)\.whl")
# The platforms gen's release workflow builds a wheel for (the drift job's runner, ubuntu-24.04
# on x86-64, is the first; developers' machines, which install from the same lock, the others).
# A release is uploaded file by file: it counts once the index lists every one of them, so that
# a lock is never written from an upload in progress or cut short.
PLATFORMS = [
    r"manylinux_[0-9]+_[0-9]+_x86_64",
    r"manylinux_[0-9]+_[0-9]+_aarch64",
    r"musllinux_[0-9]+_[0-9]+_x86_64",
    r"musllinux_[0-9]+_[0-9]+_aarch64",
    r"macosx_[0-9]+_[0-9]+_x86_64",
    r"macosx_[0-9]+_[0-9]+_arm64",
    r"win_amd64",
]
covered = {}
for f in files:
    m = wheel.fullmatch(f.get("filename", ""))
    # A yanked release (true, or the reason given) is one its maintainers withdrew.
    if m and not f.get("yanked"):
        tags = m.group(4).split(".")
        v = tuple(int(p) for p in m.groups()[:3])
        covered.setdefault(v, set()).update(p for p in PLATFORMS if any(re.fullmatch(p, t) for t in tags))
versions = {v for v, platforms in covered.items() if len(platforms) == len(PLATFORMS)}
newer = [v for v in versions if v > current]
if not newer:
    sys.exit(0)
newest = ".".join(str(p) for p in max(newer))
if sums != "-":
    # The release's checksums: `HASH  FILE` (or `HASH *FILE`) per line, as sha256sum writes them.
    released = {}
    for line in open(sums, encoding="utf-8", errors="replace"):
        m = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](\S+)\n?", line)
        if m:
            released[m.group(2)] = m.group(1).lower()
    # Its lock, in pip's requirements format (as pip-compile --generate-hashes writes it):
    # every wheel of the release the index lists, and no sdist (the install takes wheels only).
    # pip takes the wheel for its machine and refuses it unless its hash is one of these.
    hashes = set()
    for f in files:
        name = f.get("filename", "")
        m = wheel.fullmatch(name)
        if not m or ".".join(m.groups()[:3]) != newest or f.get("yanked"):
            continue
        published = str((f.get("hashes") or {}).get("sha256", "")).lower()
        if released.get(name) != published:
            sys.exit(
                f"::error::{name}: the index {index} publishes the SHA-256 {published or 'none'}, gen's "
                f"release checksums {released.get(name, 'none')}: no lock is written from them (a file "
                "the release did not build, or changed since: tell gen's maintainers)"
            )
        hashes.add(published)
    with open(lock + ".new", "w", encoding="utf-8") as out:
        out.write(f"# gen's release for this project's drift job and pre-commit hooks (pipeline.gen in {spec}).\n")
        out.write(f"# The SHA-256 of each wheel of gen-platform {newest}, as {index} and the release's SHA256SUMS published them.\n")
        out.write(f"gen-platform=={newest} \\\n")
        out.write(" \\\n".join(f"    --hash=sha256:{h}" for h in sorted(hashes)) + "\n")
print(newest)
PY
}

# move_in_spec KEY OLD NEW: the value at the path pipeline.gen.KEY, found by following the
# spec's keys (block mappings by their indentation, flow mappings and JSON by their braces), and
# replaced in place when it is OLD: every other byte is kept, and a `KEY:` elsewhere (a
# service's env, a text) is not touched. A form this reader does not follow (a flow mapping over
# several lines, an anchor) stops the run, saying so, rather than editing blindly.
move_in_spec() {
python3 - "$spec" "$2" "$3" "$1" <<'PY'
import re
import sys

path, old, new, key = sys.argv[1:5]
TARGET = ["pipeline", "gen", key]
with open(path, encoding="utf-8", newline="") as f:
    lines = f.read().splitlines(keepends=True)
found = []  # (line, start, end) of each value at TARGET equal to `old`
unsure = False
# A key: quoted (its colon may follow at once, as in JSON), or plain (its colon then a space).
KEY = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:|([^\s#'"{}\[\],:][^#:]*?)\s*:(?=\s|$)""")
# In a flow collection, a plain key ends before a comma or a bracket.
FLOW_KEY = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:|([^\s#'"{}\[\],:][^#:,{}\[\]]*?)\s*:(?=\s|$)""")


def unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def scalar_at(n, text, at, keys):
    """The plain or quoted scalar at `at` of line n, a value at the path `keys`."""
    m = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#,{}\[\]][^#,{}\[\]]*?)\s*(?=$|#|,|\}|\])""").match(text, at)
    global unsure
    if m and m.group(1).startswith("*") and related(keys):
        unsure = True
    if m and keys == TARGET and unquote(m.group(1)) == old:
        start = m.start(1) + (1 if m.group(1)[0] in "\"'" else 0)
        found.append((n, start, start + len(old)))
    return m.end() if m else len(text)


def related(keys):
    """Whether the path `keys` holds the revision, or is in it: the ones that matter."""
    keys = [k for k in keys if k != "<<"]
    return keys[: len(TARGET)] == TARGET[: len(keys)]


def flow(n, text, at, keys):
    """A flow mapping or sequence starting at `at` on line n; False when it does not close."""
    stack = []  # each open collection: [kind, keys of its key being read]
    key = None
    i = at
    while i < len(text):
        c = text[i]
        if c in " \t,\r\n":
            i += 1
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            break
        elif c in "{[":
            base = stack[-1][1] if stack else keys
            stack.append((c, base + ([key] if key is not None else [])))
            key = None
            i += 1
        elif c in "}]":
            stack.pop()
            key = None
            i += 1
            if not stack:
                return True
        else:
            base = stack[-1][1] if stack else keys
            m = FLOW_KEY.match(text, i)
            # A key where one is due: after `key:`, what follows is its value.
            if m and key is None and stack and stack[-1][0] == "{":
                key = unquote(m.group(1) or m.group(2))
                i = m.end()
                continue
            i = scalar_at(n, text, i, base + ([key] if key is not None else []))
            key = None
    return not stack


blocks = []  # (indent, key) of the block mappings the line is in
scalar_indent = None  # inside a block scalar (| or >) whose key is at this indent
for n, line in enumerate(lines):
    text = line.rstrip("\r\n")
    indent = len(text) - len(text.lstrip(" "))
    if scalar_indent is not None:
        if not text.strip() or indent > scalar_indent:
            continue
        scalar_indent = None
    body = text.strip()
    if not body or body.startswith("#") or body in ("---", "..."):
        continue
    at = indent
    while text.startswith("- ", at) or text[at:] == "-":
        at += 2
        while at < len(text) and text[at] == " ":
            at += 1
        while blocks and blocks[-1][0] >= indent:
            blocks.pop()
        blocks.append((indent, "-"))
        indent = at
    if text.startswith(("{", "["), at):
        keys = [k for _, k in blocks]
        closed = flow(n, text, at, keys)
        unsure |= not closed and related(keys)
        continue
    m = KEY.match(text, at)
    if not m:
        continue
    while blocks and blocks[-1][0] >= at:
        blocks.pop()
    blocks.append((at, unquote(m.group(1) or m.group(2))))
    keys = [k for _, k in blocks]
    rest = m.end()
    value = text[rest:].lstrip()
    # An anchor or a tag before the value: the value follows it.
    while value.startswith(("&", "!")):
        value = value.split(None, 1)[1] if " " in value else ""
        rest = len(text) - len(value)
    if value.startswith(("|", ">")):
        scalar_indent = at
    elif value.startswith(("{", "[")):
        closed = flow(n, text, len(text) - len(value), keys)
        unsure |= not closed and related(keys)
    elif value.startswith("*") or keys[-1] == "<<" or not value or value.startswith("#"):
        # An alias, a merge key, or a value on the lines below: where it is the revision, or
        # may hold it, the revision is in a form this reader does not follow.
        unsure |= related(keys) and (keys == TARGET or value.startswith("*") or keys[-1] == "<<")
    else:
        scalar_at(n, text, rest, keys)

if len(found) != 1 or unsure:
    if found or unsure:
        print(f"::error::{path} states gen's {key} {old} in a form this script does not edit: move pipeline.gen.{key} to {new} by hand", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)
n, start, end = found[0]
lines[n] = lines[n][:start] + new + lines[n][end:]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("".join(lines))
PY
}

if [[ -n ${GEN_INDEX:-} ]]; then
  wheel_release
  exit 0
fi
source_release
