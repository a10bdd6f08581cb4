#!/usr/bin/env bash
# usage: benches/closure_corpus.sh [GEN] [--verbose] [--only NAME]... [--json FILE]
# Scores gen's closure check (the DEP rules) on the corpus of tests/corpus/closure (its
# SCORING.md has the rules): lints each deployment folder alone, reads each DEP finding's target
# (kind and name) from its message, and prints per deployment and in total: expected, found, true
# positives, false alarms (listed), misses (listed), recall. Exits 1 when recall is under 0.90 or
# any finding is a false alarm, 2 when the corpus cannot be scored (the real deployments not
# found, a folder without an entry in expected.yaml, gen failing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GEN=
if [[ $# -gt 0 && $1 != -* ]]; then GEN=$1; shift; fi
if [[ -z $GEN ]]; then
  GEN=${CARGO_TARGET_DIR:-target}/debug/gen
  cargo build -q  # always: a cached binary may be stale
fi
[[ $GEN == /* ]] || GEN=$(pwd)/$GEN
# gen runs `helm template` for charts: helm is the validators' (scripts/install-validators).
VH=${GEN_VALIDATORS_HOME:-$HOME/.cache/gen-validators}
export PATH="$VH/bin:$VH/venv/bin:$PATH"
# The real deployments (third-party files, not committed here): as SCORING.md says.
REAL=()
for d in ${GEN_CLOSURE_CORPUS_DIR:-} ../shared/closure-corpus /work/shared/closure-corpus "$HOME/.cache/gen-closure-corpus"; do
  if [[ -d $d/real ]]; then REAL=(--real "$d/real"); break; fi
done
PYTHON=python3
[[ -x $VH/venv/bin/python ]] && PYTHON=$VH/venv/bin/python  # has PyYAML
exec "$PYTHON" benches/closure_corpus.py --gen "$GEN" "${REAL[@]}" "$@"
