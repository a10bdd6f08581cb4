#!/usr/bin/env bash
# usage: benches/bad_input.sh [GEN]
# Times `gen lint` on hostile specs against a valid one and reports peak memory, as ratios in
# one run (the machines are small and noisy). Targets: every bad input answers in well under a
# second, and no input raises peak memory much above the valid spec's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GEN=${1:-${CARGO_TARGET_DIR:-target}/release/gen}
[[ -x $GEN ]] || cargo build --release -q
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

cp tests/fixtures/specs/valid.yaml "$TMP/valid.yaml"
python3 - "$TMP" <<'PY'
import sys, os
d = sys.argv[1]
open(f"{d}/alias-bomb.yaml", "w").write('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi")))
open(f"{d}/deep.yaml", "w").write("a: " + "[" * 10000 + "]" * 10000 + "\n")
open(f"{d}/deep-block.yaml", "w").write("".join(" " * i + "k:\n" for i in range(10000)))
open(f"{d}/huge.yaml", "w").write("key: value that repeats\n" * (50 * 1024 * 1024 // 24))
open(f"{d}/not-utf8.yaml", "wb").write(b"apiVersion: gen/v1\nkind: Pro\xffject\n")
open(f"{d}/many-keys.yaml", "w").write("".join(f"k{i}: {i}\n" for i in range(40000)))
PY

measure() {  # prints "seconds peak_kb"
  local start end rss
  start=$(date +%s.%N)
  /usr/bin/time -o "$TMP/rss" -f '%M' "$GEN" lint "$1" >/dev/null 2>&1 || true
  rss=$(tail -n1 "$TMP/rss")
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $rss"
}
read -r base_t base_m < <(measure "$TMP/valid.yaml")
printf '%-16s %9s %9s %10s %9s\n' input seconds x-valid peak-KiB x-valid
printf '%-16s %9.3f %9s %10s %9s\n' valid "$base_t" 1.0 "$base_m" 1.0
for f in alias-bomb deep deep-block huge not-utf8 many-keys; do
  read -r t m < <(measure "$TMP/$f.yaml")
  printf '%-16s %9.3f %9.1f %10s %9.1f\n' "$f" "$t" "$(echo "$t / $base_t" | bc -l)" "$m" "$(echo "$m / $base_m" | bc -l)"
done
