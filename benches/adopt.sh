#!/usr/bin/env bash
# usage: benches/adopt.sh [GEN] [FILES]
# Times `gen init --from` on a generated repository of FILES files (default 1000: a package of
# Python modules, templates, static files, ConfigMaps, a Deployment and a Dockerfile, the shape of
# tests/it/adopt.rs's generate_repository) and prints the median of 5 runs and the peak memory.
# Target (issue 54): under a second for 1,000 files, the spec's check through the pipeline included.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GEN=${1:-${CARGO_TARGET_DIR:-target}/release/gen}
FILES=${2:-1000}
[[ -x $GEN ]] || cargo build --release -q
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
REPO=$TMP/repo
python3 - "$REPO" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
def write(rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").write(text)
write("Dockerfile", 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 8000\nCMD ["gunicorn", "shop:create_app()"]\n')
write("requirements.txt", "Flask==3.0.3\n")
write("shop/__init__.py", "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n")
write("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  replicas: 2\n"
      "  template:\n    spec:\n      containers: [{name: shop, image: acme/shop:1, ports: [{containerPort: 8000}]}]\n")
for i in range(max(n - 4, 0)):
    k = i % 4
    if k == 0: write(f"shop/views/v{i}.py", "from shop import create_app\n\ndef view():\n    return 'ok'\n")
    elif k == 1: write(f"shop/templates/t{i}.html", "<p>{{ x }}</p>\n")
    elif k == 2: write(f"shop/static/s{i}.css", "p { color: red }\n")
    else: write(f"k8s/extra/c{i}.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: b}}\n")
PY
echo "repository: $(find "$REPO" -type f | wc -l) files, $(du -sk "$REPO" | cut -f1) KB"
times=()
for _ in 1 2 3 4 5; do
  start=$(date +%s.%N)
  /usr/bin/time -o "$TMP/rss" -f '%M' "$GEN" init --from "$REPO" --out "$REPO/spec.yaml" --overwrite >/dev/null 2>&1
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "gen init --from: median ${median}s of 5 (runs: ${times[*]}), peak $(tail -n1 "$TMP/rss") KB"
awk -v m="$median" 'BEGIN { exit !(m < 1.0) }' && echo "target: under 1 s: met" || { echo "target: under 1 s: NOT met"; exit 1; }
