//! Kubernetes objects as the API server would read them: from files, or from a chart rendered
//! by Helm's own engine (through Helm's SDK), and compared field by field.

use std::path::Path;

use serde_json::Value;

use super::validator;

/// Reads YAML documents as Kubernetes does (sigs.k8s.io/yaml, through Helm's SDK), from
/// files, or from a chart rendered by Helm's engine: `[template or file, object]` as JSON.
pub const OBJECTS: &str = r#"
import json, re, sys
import helm_python as helm
from helm_shim import merge  # the values merge of the validators' `helm -f` (on PYTHONPATH)

def documents(name, text):
    for doc in re.split(r"(?m)^---[ \t]*$", text):
        value = helm.values_from_yaml(doc) if doc.strip() else None
        if value:
            yield [name, value]

mode, args = sys.argv[1], sys.argv[2:]
out = []
if mode == "files":
    for path in args:
        out.extend(documents(path, open(path).read()))
else:
    chart, release, namespace, sets = args[0], args[1], args[2], args[3:]
    values = {}
    for s in sets:
        # `@FILE` is a values file (helm's -f), anything else a --set.
        if s.startswith("@"):
            merge(values, helm.values_from_yaml(open(s[1:]).read()) or {})
        else:
            merge(values, helm.parse_set_string(s))
    try:
        with helm.Chart.load(chart) as c:
            rendered = c.render(values=values or None, name=release, namespace=namespace)
    except helm.HelmError as e:
        print(str(e), file=sys.stderr)
        sys.exit(3)
    for path, text in sorted(rendered.items()):
        if not path.endswith("NOTES.txt"):
            out.extend(documents(path, text))
print(json.dumps(out))
"#;

pub fn objects(args: &[&str]) -> Result<Vec<(String, Value)>, String> {
    let run = validator("python")
        .env("PYTHONPATH", super::validators().join("bin"))
        .args(["-c", OBJECTS])
        .args(args)
        .output()
        .expect("python");
    if !run.status.success() {
        return Err(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    let docs: Vec<(String, Value)> = serde_json::from_slice(&run.stdout).expect("JSON");
    Ok(docs)
}

/// The chart rendered by Helm's engine; `set` holds `--set` strings and `@FILE` values files.
pub fn helm_render(chart: &Path, release: &str, namespace: &str, set: &[&str]) -> Result<Vec<(String, Value)>, String> {
    let chart = chart.display().to_string();
    let mut args = vec!["chart", chart.as_str(), release, namespace];
    args.extend(set);
    objects(&args)
}

pub fn is_hook(object: &Value) -> bool {
    object["metadata"]["annotations"]["helm.sh/hook"].is_string()
}

pub fn key(object: &Value) -> String {
    format!("{}/{}", object["kind"].as_str().unwrap_or("?"), object["metadata"]["name"].as_str().unwrap_or("?"))
}

/// The first difference between two values, with its path.
pub fn difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let here = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {p:?} / {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| difference(p, q, &format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} / {b}")),
    }
}

/// The objects a chart renders with Helm's engine, hooks left out, by `Kind/name`.
pub fn chart_objects(
    chart: &Path,
    release: &str,
    namespace: &str,
    set: &[&str],
) -> Result<std::collections::BTreeMap<String, Value>, String> {
    Ok(helm_render(chart, release, namespace, set)?
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| !is_hook(o))
        .map(|o| (key(&o), o))
        .collect())
}

/// The objects `kubectl kustomize DIR` builds, as written to `into` (kept for other tools).
pub fn kustomize(dir: &Path, into: &Path) -> Vec<Value> {
    let run = std::process::Command::new("kubectl").arg("kustomize").arg(dir).output().expect("kubectl");
    assert!(run.status.success(), "kubectl kustomize {}: {}", dir.display(), String::from_utf8_lossy(&run.stderr));
    std::fs::write(into, &run.stdout).expect("write");
    objects(&["files", &into.display().to_string()])
        .expect("kustomize's output parses")
        .into_iter()
        .map(|(_, o)| o)
        .collect()
}

/// Asserts that `other` holds the objects the chart renders, field by field.
pub fn assert_same_objects(
    what: &str,
    from_chart: &std::collections::BTreeMap<String, Value>,
    other: &std::collections::BTreeMap<String, Value>,
    other_name: &str,
) {
    assert_eq!(from_chart.keys().collect::<Vec<_>>(), other.keys().collect::<Vec<_>>(), "{what}: the same objects");
    for (k, object) in from_chart {
        if let Some(d) = difference(object, &other[k], k) {
            panic!("{what}: chart / {other_name} differ at {d}");
        }
    }
}
