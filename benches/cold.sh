#!/usr/bin/env bash
# usage: benches/cold.sh
# The README's set-up on a fresh machine (issue 49): a fresh clone of this repository's HEAD, an
# empty CARGO_HOME (empty registry cache; the toolchain still comes from rustup's RUSTUP_HOME),
# an empty HOME (no validator cache, no pip, npm, pre-commit or checkov cache), an empty TMPDIR
# and no CARGO_TARGET_DIR (the clone's own target/). Runs the two commands of the README's
# "Set-up" block exactly as written there, each under `/usr/bin/time -v`, and prints:
#   - the wall time of each, and their total against 15 minutes;
#   - the disk they leave: the clone's build folder, CARGO_HOME, the caches under HOME (the
#     validators among them) and what is left in TMPDIR, against 4 GB.
# Each target is printed with `met` or `NOT MET`; exits 1 when one is not met or a command fails.
# Removes everything it created at the end; GEN_COLD_LOG=DIR keeps the commands' output there
# (each line stamped with the time) with `/usr/bin/time -v`'s report and a du of the build folder.
# Needs the network for the package registries (crates.io, PyPI, npm) only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LIMIT_S=$((15 * 60))
LIMIT_KB=$((4 * 1000 * 1000)) # 4 GB, in decimal kB

rev=$(git rev-parse HEAD)
repo=$(pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/gen-cold.XXXXXX")
cleanup() { chmod -R u+w "$W" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
mkdir -p "$W/home" "$W/cargo-home" "$W/tmp"
LOG=$(realpath -m "${GEN_COLD_LOG:-$W/log}")
mkdir -p "$LOG"

# The machine's own settings a user's HOME would hold (registry certificates, git identity);
# no caches.
for f in .npmrc .gitconfig .config/pip/pip.conf; do
  [[ -f $HOME/$f ]] && { mkdir -p "$(dirname "$W/home/$f")"; cp "$HOME/$f" "$W/home/$f"; }
done
git clone -q --no-local --no-checkout "$repo" "$W/gen"
git -C "$W/gen" checkout -q "$rev"

# rustup keeps its toolchains in RUSTUP_HOME (default ~/.rustup, so it is named before HOME
# moves); its `cargo` proxy stays on PATH. pyenv's shims find pyenv through PYENV_ROOT likewise.
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
[[ -d $HOME/.pyenv && -z ${PYENV_ROOT:-} ]] && export PYENV_ROOT=$HOME/.pyenv
export CARGO_HOME=$W/cargo-home HOME=$W/home TMPDIR=$W/tmp
unset CARGO_TARGET_DIR GEN_VALIDATORS_HOME GEN_PRECOMMIT_TARGET PRE_COMMIT_HOME CARGO_BUILD_TARGET_DIR
command -v cargo >/dev/null || { echo "no cargo on PATH" >&2; exit 2; }
cargo nextest --version >/dev/null 2>&1 && nextest=yes || nextest="no (cargo test)"

# The commands of the README's set-up block, comments dropped.
mapfile -t cmds < <(awk '/^## Set-up/ {s=1; next} /^## / {s=0} s && /^```sh/ {b=1; next} s && b && /^```/ {exit} s && b' \
  README.md | sed 's/[[:space:]]*#.*$//' | grep -v '^[[:space:]]*$')
[[ ${#cmds[@]} -eq 2 ]] || { echo "expected two commands in README's Set-up block, found: ${cmds[*]}" >&2; exit 2; }

echo "cold set-up of $rev ($(nproc) cores, $(rustc --version), cargo-nextest: $nextest)"
failed=0
walls=()
cd "$W/gen"
for i in 0 1; do
  c=${cmds[$i]}
  load_before=$(uptime | sed 's/.*load average: //')
  start=$(date +%s%N)
  set +e
  # Each output line stamped with the time it came, for where the minutes go.
  /usr/bin/time -v -o "$LOG/time.$i" bash -c "$c" 2>&1 |
    while IFS= read -r line; do printf '%(%H:%M:%S)T %s\n' -1 "$line"; done >"$LOG/out.$i"
  status=${PIPESTATUS[0]}
  set -e
  end=$(date +%s%N)
  wall=$(((end - start) / 1000000000))
  walls+=("$wall")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%d", u + s}' "$LOG/time.$i")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2 / 1048576}' "$LOG/time.$i")
  printf '%-45s %dm%02ds wall, %dm%02ds CPU, %s GiB peak RSS, exit %d (load before: %s; after: %s)\n' \
    "$c" $((wall / 60)) $((wall % 60)) $((cpu / 60)) $((cpu % 60)) "$rss" "$status" "$load_before" \
    "$(uptime | sed 's/.*load average: //')"
  if [[ $status -ne 0 ]]; then
    echo "  FAILED: the last lines of its output:"; tail -n 30 "$LOG/out.$i" | sed 's/^/  /'
    failed=1
  fi
done
[[ -f $LOG/out.1 ]] && grep -E '^[0-9:]+ +Summary|tests? run:' "$LOG/out.1" | tail -n 1 | sed 's/^[0-9:]* */  tests: /' || true

if [[ -n ${GEN_COLD_LOG:-} ]]; then
  { du -sk "$W"/gen/target/*/ "$W"/gen/target/*/*/ 2>/dev/null | sort -rn | head -n 40
    du -sk "$W"/home/.cache/* "$W"/home/.[!.]* "$W"/cargo-home/* "$W"/tmp/* 2>/dev/null | sort -rn; } |
    sed "s|$W/||" >"$LOG/du" || true
fi

total=$((walls[0] + walls[1]))
verdict() { if [[ $1 -le $2 ]]; then echo met; else echo "NOT MET"; failed=1; fi; }
v=$(verdict "$total" "$LIMIT_S"); [[ $v == met ]] || failed=1
printf 'total wall: %dm%02ds (target: under 15m): %s\n' $((total / 60)) $((total % 60)) "$v"

kb() { { du -sk "$@" 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'; }
gb() { awk -v k="$1" 'BEGIN {printf "%.2f GB", k * 1024 / 1e9}'; }
target_kb=$(kb "$W/gen/target")
cargo_kb=$(kb "$W/cargo-home")
vh_kb=$(kb "$W/home/.cache/gen-validators")
home_kb=$(($(kb "$W/home") - vh_kb))
tmp_kb=$(kb "$W/tmp")
disk_kb=$((target_kb + cargo_kb + vh_kb + home_kb + tmp_kb))
echo "disk left: build folder (target/) $(gb "$target_kb"), CARGO_HOME $(gb "$cargo_kb"), validators" \
  "$(gb "$vh_kb"), other caches under HOME $(gb "$home_kb"), left in TMPDIR $(gb "$tmp_kb")"
v=$(verdict "$((disk_kb * 1024 / 1000))" "$LIMIT_KB"); [[ $v == met ]] || failed=1
printf 'disk total: %s (target: under 4 GB): %s\n' "$(gb "$disk_kb")" "$v"

exit "$failed"
