"""helm: the part of the `helm` command line that gen and checkov use, over Helm's v4 Go SDK
(PyPI helm-python-sdk), for machines without the helm binary.

  helm version
  helm dependency list CHART_DIR
  helm template [RELEASE] CHART_DIR [--namespace NS] [--set K=V]... [-f VALUES]... [--dependency-update]

`template` prints what `helm template` prints: `---` and `# Source: CHART/PATH` before each
document, templates sorted by path, hooks (tests) included, NOTES.txt left out. As helm does,
the namespace defaults to $HELM_NAMESPACE, else `default`; the release name to `release-name`.
"""
import argparse
import os
import sys

import helm_python as helm


def merge(into, more):
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def template(args):
    release, chart = args.names if len(args.names) == 2 else ("release-name", args.names[0])
    values = {}
    for path in args.values:
        with open(path) as f:
            merge(values, helm.values_from_yaml(f.read()))
    for pair in args.set:
        merge(values, helm.parse_set_string(pair))
    try:
        with helm.Chart.load(chart) as c:
            rendered = c.render(values=values or None, name=release, namespace=args.namespace)
    except helm.HelmError as e:
        print(f"Error: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt"):
            continue
        for doc in text.split("\n---"):
            doc = doc.strip()
            if doc.startswith("---"):
                doc = doc[3:].strip()
            if doc:
                sys.stdout.write(f"---\n# Source: {path}\n{doc}\n")
    return 0


def dependency_list(args):
    deps = helm.dependency_list(args.chart)
    if not deps:
        print(f"WARNING: no dependencies at {os.path.join(args.chart, 'charts')}")
        return 0
    print("NAME\tVERSION\tREPOSITORY\tSTATUS")
    for d in deps:
        print(f"{d.get('name')}\t{d.get('version')}\t{d.get('repository')}\t{d.get('status', '')}")
    return 0


def main():
    ap = argparse.ArgumentParser(prog="helm")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("version")
    dep = sub.add_parser("dependency")
    dep.add_argument("action", choices=["list"])
    dep.add_argument("chart")
    t = sub.add_parser("template")
    t.add_argument("names", nargs="+", metavar="[RELEASE] CHART")
    t.add_argument("--namespace", "-n", default=os.environ.get("HELM_NAMESPACE") or "default")
    t.add_argument("--set", action="append", default=[])
    t.add_argument("--values", "-f", action="append", default=[])
    t.add_argument("--dependency-update", action="store_true")
    args = ap.parse_args()
    if args.command == "version":
        print(f'version.BuildInfo{{Version:"v{helm.helm_sdk_version().lstrip("v")}", GoVersion:"", GitCommit:""}}')
        sys.exit(0)
    if args.command == "dependency":
        sys.exit(dependency_list(args))
    if len(args.names) > 2:
        ap.error("template takes [RELEASE] CHART")
    sys.exit(template(args))


if __name__ == "__main__":
    main()
