#!/usr/bin/env bash
# usage: benches/install.sh
# Installing gen as its users do (issue "gen installs in seconds"), measured on this machine,
# offline but for the package registries:
#   - `maturin build --release --strip`, as the release workflow builds each wheel (its time is
#     printed, not judged: a maintainer's tag pays it once per target);
#   - the wheel's size, against 20 MB;
#   - `pip install` of the wheel from the file into an existing venv, then `gen --version`
#     (median of REPS runs, each into a venv of its own made before the clock starts), against
#     3 seconds, printed beside `cargo install --locked` of the same source into an empty target
#     folder (what the drift job rendered before the wheel did, on every run: its own registry
#     cache is kept, so no download is timed). GEN_INSTALL_SKIP_CARGO=1 skips that build (most
#     of this script's time) and says so;
#   - `gen render` of the reference spec by the wheel's gen, outside this checkout, byte for byte
#     against the same render by `cargo build --release`'s gen.
# Prints each target with `met` or `NOT MET`; exits 1 when one is not met. Needs maturin (the
# validators' venv has it: scripts/install-validators).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPS=${REPS:-5}
VH=${GEN_VALIDATORS_HOME:-$HOME/.cache/gen-validators}
MATURIN=${MATURIN:-$VH/venv/bin/maturin}
[[ -x $MATURIN ]] || { echo "no maturin at $MATURIN: run scripts/install-validators" >&2; exit 2; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
failed=0
target() {
  local ok
  ok=$(echo "$2 $3 $4" | bc)
  if ((ok)); then printf '  target %-52s %10s %s %-6s met\n' "$1" "$2" "$3" "$4"
  else printf '  target %-52s %10s %s %-6s NOT MET\n' "$1" "$2" "$3" "$4"; failed=1; fi
}
seconds() { echo "$1 $2" | awk '{printf "%.2f\n", ($2 - $1) / 1000000000}'; }

echo "== the wheel (maturin build --release --strip)"
start=$(date +%s%N)
"$MATURIN" build --release --locked --strip --out "$TMP/wheel" >"$TMP/maturin.log" 2>&1 \
  || { cat "$TMP/maturin.log" >&2; exit 1; }
end=$(date +%s%N)
wheel=$(ls "$TMP"/wheel/*.whl)
size=$(stat -c %s "$wheel")
printf '  %-52s %10s s\n' "maturin build --release --strip" "$(seconds "$start" "$end")"
printf '  %-52s %10s B  (%s)\n' "the wheel" "$size" "$(basename "$wheel")"
target "wheel size (MB)" "$(echo "$size" | awk '{printf "%.1f\n", $1 / 1000000}')" "<" 20

echo
echo "== pip install of the wheel into an existing venv, then gen --version (median of $REPS)"
times=()
for ((i = 0; i < REPS; i++)); do
  python3 -m venv "$TMP/venv$i"
  start=$(date +%s%N)
  "$TMP/venv$i/bin/pip" install -q --disable-pip-version-check --no-index --no-deps "$wheel"
  "$TMP/venv$i/bin/gen" --version >/dev/null
  end=$(date +%s%N)
  times+=("$(seconds "$start" "$end")")
done
pip_t=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '  %-52s %10s s  (%s)\n' "pip install + gen --version" "$pip_t" "${times[*]}"
target "pip install of the wheel + gen --version (s)" "$pip_t" "<" 3

if [[ ${GEN_INSTALL_SKIP_CARGO:-} == 1 ]]; then
  printf '  %-52s %10s\n' "cargo install --locked (empty target folder)" "skipped"
else
  start=$(date +%s%N)
  CARGO_TARGET_DIR="$TMP/cargo-target" cargo install -q --locked --path . --root "$TMP/cargo-root" \
    >"$TMP/cargo.log" 2>&1 || { cat "$TMP/cargo.log" >&2; exit 1; }
  "$TMP/cargo-root/bin/gen" --version >/dev/null
  end=$(date +%s%N)
  cargo_t=$(seconds "$start" "$end")
  printf '  %-52s %10s s\n' "cargo install --locked (empty target folder)" "$cargo_t"
  printf '  %-52s %10s x\n' "cargo install / pip install of the wheel" \
    "$(echo "$cargo_t $pip_t" | awk '{printf "%.0f\n", $1 / $2}')"
  rm -rf "$TMP/cargo-target"
fi

echo
echo "== the wheel's gen renders what cargo's gen renders"
cargo build -q --release --locked
cargo_gen=${CARGO_TARGET_DIR:-target}/release/gen
mkdir -p "$TMP/by-wheel" "$TMP/by-cargo"
cp spec.yaml "$TMP/by-wheel/"; cp spec.yaml "$TMP/by-cargo/"
(cd "$TMP/by-wheel" && "$TMP/venv0/bin/gen" render spec.yaml >/dev/null 2>&1)
cargo_gen=$(realpath "$cargo_gen")
(cd "$TMP/by-cargo" && "$cargo_gen" render spec.yaml >/dev/null 2>&1)
if diff -r "$TMP/by-wheel" "$TMP/by-cargo" >/dev/null; then same=1; else same=0; fi
printf '  %-52s %10s files\n' "rendered by the wheel's gen" "$(find "$TMP/by-wheel" -type f | wc -l)"
target "renders byte-identical (1 = yes)" "$same" "==" 1
exit "$failed"
