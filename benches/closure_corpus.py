#!/usr/bin/env python3
"""Scores gen's closure check (the DEP rules) against the corpus of tests/corpus/closure.

Each deployment folder is copied to a scratch folder of its own, marked as a repository root
(an empty `.git`), so that `gen lint` reads the READMEs of that deployment and of nothing above
it; gen lints it (`gen lint --format json .`), the DEP findings are read for their target (kind
and name, from the message), and each is scored against the deployment's expected list in
expected.yaml, by (kind, name): a true positive when the deployment lists it, else a false
alarm; an expected reference no finding names is a miss. SCORING.md beside expected.yaml has
the rules.

usage: closure_corpus.py --gen GEN [--real DIR] [--only NAME]... [--json FILE] [--verbose]
Exits 1 when recall is under --min-recall (0.90) or any finding is a false alarm, 2 when the
corpus cannot be scored (a deployment folder missing, gen failing).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "corpus", "closure")

# `<From> <how with Kind `name`> (namespace `ns`), which nothing in this deployment creates...`,
# or `..., which nothing on the cluster of <where> creates...` when the deployment runs on several
# clusters (src/lint/closure/rules/mod.rs, `unresolved`); the target is the last `Kind `name``
# before the namespace and the tail. Kinds are a Kubernetes kind, CustomResourceDefinition, or two
# words.
TAIL = re.compile(
    r"^(?P<head>.*?)(?: \(namespace `(?P<ns>[^`]*)`\))?, which nothing (?:in this deployment|on the cluster of .*?) creates"
)
TARGET = re.compile(r"(GitHub (?:secret|variable|environment)|Azure role|[A-Z][A-Za-z0-9]*) `([^`]+)`")


def target(d):
    """The (kind, name, namespace) a DEP finding reports, or None when its message has none."""
    m = TAIL.match(d["message"])
    if m:
        found = TARGET.findall(m.group("head"))
        if found:
            kind, name = found[-1]
            return kind, name, m.group("ns")
    if d["code"] == "DEP007":
        # The runner of `terraform apply` holds no data-plane role on a locked AKS cluster.
        return "Azure role", "Azure Kubernetes Service RBAC Cluster Admin", None
    return None


def load_expected(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    out = {}
    for group in ("real", "constructed"):
        for name, refs in (doc.get(group) or {}).items():
            refs = refs or []
            for r in refs:
                missing = {"kind", "name", "why"} - set(r)
                if missing:
                    sys.exit(f"expected.yaml: {group}/{name}: an entry lacks {sorted(missing)}: {r}")
            out[name] = (group, refs)
    return out


def lint(gen, folder, scratch):
    """gen's findings on a copy of `folder` that is its own repository root."""
    work = os.path.join(scratch, os.path.basename(folder))
    shutil.copytree(folder, work, symlinks=True)
    os.makedirs(os.path.join(work, ".git"), exist_ok=True)
    run = subprocess.run([gen, "lint", "--format", "json", "."], cwd=work, capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"gen lint exited {run.returncode} without a JSON report: {run.stderr.strip()[:2000]}")
    return report.get("diagnostics", [])


def score(name, group, refs, diagnostics):
    expected = {}
    for r in refs:
        expected.setdefault((r["kind"], r["name"]), r)
    found = {}
    notes = []
    for d in diagnostics:
        if d["code"].startswith("DEP"):
            t = target(d)
            kind, tname = (t[0], t[1]) if t else (d["code"], d["message"])
            loc = d.get("location") or {}
            found.setdefault((kind, tname), []).append(
                {"code": d["code"], "file": d.get("file"), "line": loc.get("line"), "message": d["message"]}
            )
        elif d["code"] == "GEN006":  # chart-not-rendered: its templates were not checked
            notes.append(f"{d.get('file')}: {d['message']}")
    tp = sorted(k for k in found if k in expected)
    fa = sorted(k for k in found if k not in expected)
    miss = sorted(k for k in expected if k not in found)
    return {
        "name": name,
        "set": group,
        "expected": len(expected),
        "found": len(found),
        "true_positives": [{"kind": k, "name": n} for k, n in tp],
        "false_alarms": [{"kind": k, "name": n, "findings": found[(k, n)]} for k, n in fa],
        "misses": [{"kind": k, "name": n, "why": expected[(k, n)]["why"]} for k, n in miss],
        "notes": notes,
    }


def recall(tp, expected):
    return tp / expected if expected else 1.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True)
    ap.add_argument("--real", help="the folder of the real deployments (one folder each)")
    ap.add_argument("--only", action="append", default=[], help="score only this deployment (repeatable)")
    ap.add_argument("--json", help="write the scores here")
    ap.add_argument("--expected", default=os.path.join(CORPUS, "expected.yaml"), help="the ground truth")
    ap.add_argument("--min-recall", type=float, default=0.90)
    ap.add_argument("--verbose", action="store_true", help="print every finding's file and line")
    ap.add_argument("--constructed-only", action="store_true",
                    help="score the constructed deployments alone (committed here; the real ones are not)")
    args = ap.parse_args()

    expected = load_expected(args.expected)
    if args.constructed_only:
        args.real = None
        expected = {n: v for n, v in expected.items() if v[0] == "constructed"}
    folders = {}
    constructed = os.path.join(CORPUS, "constructed")
    for name in sorted(os.listdir(constructed)) if os.path.isdir(constructed) else []:
        if os.path.isdir(os.path.join(constructed, name)):
            folders[name] = ("constructed", os.path.join(constructed, name))
    if args.real:
        for name in sorted(os.listdir(args.real)):
            if os.path.isdir(os.path.join(args.real, name)):
                folders[name] = ("real", os.path.join(args.real, name))
    problems = []
    for name, (group, _) in expected.items():
        if group == "real" and not args.real:
            problems.append("the real deployments were not found: set GEN_CLOSURE_CORPUS_DIR (SCORING.md)")
            break
        if name not in folders:
            problems.append(f"{group}/{name} is in expected.yaml but has no folder")
    problems += [f"{g}/{n} has a folder but no entry in expected.yaml" for n, (g, _) in folders.items() if n not in expected]
    if problems:
        for p in dict.fromkeys(problems):
            print(f"error: {p}", file=sys.stderr)
        return 2

    names = [n for n in expected if not args.only or n in args.only]
    results = []
    with tempfile.TemporaryDirectory(prefix="closure-corpus-") as scratch:
        for name in sorted(names, key=lambda n: (expected[n][0], n)):
            group, refs = expected[name]
            try:
                diags = lint(args.gen, folders[name][1], scratch)
            except RuntimeError as e:
                print(f"error: {group}/{name}: {e}", file=sys.stderr)
                return 2
            results.append(score(name, group, refs, diags))

    exp = sum(r["expected"] for r in results)
    tp = sum(len(r["true_positives"]) for r in results)
    fa = sum(len(r["false_alarms"]) for r in results)
    found = sum(r["found"] for r in results)
    total = {"expected": exp, "found": found, "true_positives": tp, "false_alarms": fa, "misses": exp - tp,
             "recall": round(recall(tp, exp), 4)}

    w = max(len(r["name"]) for r in results) + len("constructed/")
    print(f"{'deployment':<{w}} {'expected':>8} {'found':>6} {'tp':>4} {'false':>6} {'missed':>6} {'recall':>7}")
    for r in results:
        n_tp = len(r["true_positives"])
        rec = f"{recall(n_tp, r['expected']):.2f}" if r["expected"] else "-"
        print(f"{r['set'] + '/' + r['name']:<{w}} {r['expected']:>8} {r['found']:>6} {n_tp:>4} "
              f"{len(r['false_alarms']):>6} {len(r['misses']):>6} {rec:>7}")
    print(f"{'total':<{w}} {exp:>8} {found:>6} {tp:>4} {fa:>6} {exp - tp:>6} {recall(tp, exp):>7.2f}")
    if fa:
        print("\nfalse alarms (reported, but created, provided or declared):")
        for r in results:
            for f in r["false_alarms"]:
                first = f["findings"][0]
                where = f"{first['file']}:{first['line']}" if first["line"] else first["file"]
                more = f" (+{len(f['findings']) - 1} more)" if len(f["findings"]) > 1 else ""
                print(f"  {r['set']}/{r['name']}: {f['kind']} `{f['name']}` [{first['code']} {where}{more}]")
                if args.verbose:
                    print(f"      {first['message']}")
    if exp - tp:
        print("\nmisses (unresolved, not reported):")
        for r in results:
            for m in r["misses"]:
                print(f"  {r['set']}/{r['name']}: {m['kind']} `{m['name']}`: {m['why']}")
    notes = [(r, n) for r in results for n in r["notes"]]
    if notes:
        print("\nnotes (charts gen did not render, so did not check):")
        for r, n in notes:
            print(f"  {r['set']}/{r['name']}: {n}")
    ok = recall(tp, exp) >= args.min_recall and fa == 0
    print(f"\nrecall {recall(tp, exp):.3f} (target >= {args.min_recall:.2f}), false alarms {fa} (target 0): "
          f"{'PASS' if ok else 'FAIL'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"total": total, "min_recall": args.min_recall, "pass": ok, "deployments": results}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
