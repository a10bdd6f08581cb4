//! A chart parsed once (its metadata, default values and templates) and rendered for a
//! release as `helm template` renders it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::Error;
use super::exec::State;
use super::parse::{self, Define, Source};
use super::value::Value;
use super::values;

/// A parsed chart: render it as many times as there are releases.
#[derive(Debug)]
pub struct Chart {
    /// The chart's name (Chart.yaml `name`): Helm names templates `<name>/templates/...`.
    pub name: String,
    /// `.Chart`: Chart.yaml's fields under Helm's capitalised names.
    metadata: serde_json::Value,
    /// The chart's values.yaml.
    pub defaults: serde_json::Value,
    /// The files to render, in the order Helm runs them, with their paths in the chart.
    templates: Vec<(String, Arc<Define>)>,
    /// Every named template, files included, under Helm's names.
    defines: HashMap<String, Arc<Define>>,
}

/// The release a chart is rendered for (`.Release`, `.Capabilities`).
#[derive(Clone, Debug)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    /// `.Release.IsUpgrade`; `.Release.IsInstall` is its opposite. `helm template`: false.
    pub is_upgrade: bool,
    pub revision: i64,
    /// `.Capabilities.KubeVersion.Version`, `v1.36.0`: what this Helm's `helm template` gives.
    pub kube_version: String,
    /// `.Capabilities.APIVersions`, which `.Capabilities.APIVersions.Has` looks in.
    pub api_versions: Vec<String>,
}

/// The built-in API versions a cluster serves, the ones `helm template` has by default that
/// charts ask about.
const API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

impl Release {
    /// A first install of release `name` in `namespace`, as `helm template` renders it.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>) -> Release {
        Release {
            name: name.into(),
            namespace: namespace.into(),
            is_upgrade: false,
            revision: 1,
            kube_version: "v1.36.0".into(),
            api_versions: API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Name".into(), Value::str(self.name.as_str()));
        m.insert("Namespace".into(), Value::str(self.namespace.as_str()));
        m.insert("IsInstall".into(), Value::Bool(!self.is_upgrade));
        m.insert("IsUpgrade".into(), Value::Bool(self.is_upgrade));
        m.insert("Revision".into(), Value::Int(self.revision));
        m.insert("Service".into(), Value::str("Helm"));
        Value::map(m)
    }

    fn capabilities(&self) -> Value {
        let version = self.kube_version.trim_start_matches('v');
        let mut parts = version.split('.');
        let (major, minor) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let mut kube = BTreeMap::new();
        kube.insert("Version".into(), Value::str(self.kube_version.as_str()));
        kube.insert("GitVersion".into(), Value::str(self.kube_version.as_str()));
        kube.insert("Major".into(), Value::str(major));
        kube.insert("Minor".into(), Value::str(minor));
        let mut m = BTreeMap::new();
        m.insert("KubeVersion".into(), Value::map(kube));
        m.insert("APIVersions".into(), Value::list(self.api_versions.iter().map(|s| Value::str(s.as_str())).collect()));
        Value::map(m)
    }
}

/// Chart.yaml's keys and the names templates see them under (`.Chart.AppVersion`).
const METADATA: &[(&str, &str)] = &[
    ("name", "Name"),
    ("home", "Home"),
    ("sources", "Sources"),
    ("version", "Version"),
    ("description", "Description"),
    ("keywords", "Keywords"),
    ("maintainers", "Maintainers"),
    ("icon", "Icon"),
    ("apiVersion", "APIVersion"),
    ("condition", "Condition"),
    ("tags", "Tags"),
    ("appVersion", "AppVersion"),
    ("deprecated", "Deprecated"),
    ("annotations", "Annotations"),
    ("kubeVersion", "KubeVersion"),
    ("dependencies", "Dependencies"),
    ("type", "Type"),
];

/// Helm's order of execution (`sortTemplates`): deeper paths first, then by path, reversed.
/// A later `define` of a name replaces an earlier one, so the order decides which wins.
fn helm_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (da, db) = (a.matches('/').count(), b.matches('/').count());
    db.cmp(&da).then_with(|| b.cmp(a))
}

impl Chart {
    /// Parses a chart's files: `(path in the chart, text)`, such as `("templates/service.yaml",
    /// ...)`. Chart.yaml is required; values.yaml is optional; every file under `templates/`
    /// is a template (a name starting with `_` defines templates and renders nothing).
    pub fn parse(files: &[(String, String)]) -> Result<Chart, Error> {
        let find = |p: &str| files.iter().find(|(path, _)| path == p).map(|(_, t)| t.as_str());
        let chart_yaml = find("Chart.yaml")
            .ok_or_else(|| Error::Chart { file: "Chart.yaml".into(), message: "the chart has no Chart.yaml".into() })?;
        let raw = values::load("Chart.yaml", chart_yaml)?;
        let name = raw.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string();
        if name.is_empty() {
            return Err(Error::Chart {
                file: "Chart.yaml".into(),
                message: "validation: chart.metadata.name is required".into(),
            });
        }
        let mut metadata = serde_json::Map::new();
        for (key, field) in METADATA {
            let v = match raw.get(*key) {
                Some(serde_json::Value::Number(n)) => serde_json::Value::String(n.to_string()),
                Some(v) => v.clone(),
                None if matches!(*key, "deprecated") => serde_json::Value::Bool(false),
                None if matches!(*key, "sources" | "keywords" | "maintainers" | "dependencies") => {
                    serde_json::Value::Null
                }
                None if matches!(*key, "annotations") => serde_json::Value::Null,
                None => serde_json::Value::String(String::new()),
            };
            metadata.insert(field.to_string(), v);
        }
        let defaults = match find("values.yaml") {
            Some(text) => values::load("values.yaml", text)?,
            None => serde_json::Value::Object(serde_json::Map::new()),
        };
        let mut paths: Vec<&(String, String)> = files.iter().filter(|(p, _)| p.starts_with("templates/")).collect();
        paths.sort_by(|a, b| helm_order(&a.0, &b.0));
        let mut defines = HashMap::new();
        let mut templates = Vec::new();
        for (path, text) in paths {
            let source = Arc::new(Source { name: format!("{name}/{path}"), text: text.clone() });
            let parsed = parse::parse(text).map_err(|e| Error::parse(&source, e.offset, e.message))?;
            let file = Arc::new(Define { source: source.clone(), body: parsed.body });
            defines.insert(source.name.clone(), file.clone());
            parse::register(&mut defines, &source, parsed.defines);
            let base = path.rsplit('/').next().unwrap_or(path);
            if !base.starts_with('_') {
                templates.push((path.clone(), file));
            }
        }
        Ok(Chart { name, metadata: serde_json::Value::Object(metadata), defaults, templates, defines })
    }

    /// Renders every template for `release` with `values` (already coalesced with the
    /// chart's defaults: [`values::coalesce`]). Returns `(path in the chart, text)` sorted by
    /// path, files that render to whitespace only left out; NOTES.txt and `templates/tests/`
    /// hooks are rendered like the rest (`helm template` prints neither NOTES.txt).
    pub fn render(&self, values: &serde_json::Value, release: &Release) -> Result<Vec<(String, String)>, Error> {
        let values = Value::from_json(values);
        let mut top = BTreeMap::new();
        top.insert("Values".to_string(), values);
        top.insert("Release".to_string(), release.value());
        top.insert("Chart".to_string(), Value::from_json(&self.metadata));
        top.insert("Capabilities".to_string(), release.capabilities());
        let mut rendered = Vec::new();
        for (path, file) in &self.templates {
            let mut data = top.clone();
            let mut template = BTreeMap::new();
            template.insert("Name".to_string(), Value::str(file.source.name.as_str()));
            template.insert("BasePath".to_string(), Value::str(format!("{}/templates", self.name)));
            data.insert("Template".to_string(), Value::map(template));
            let dot = Value::map(data);
            let mut state = State::new(&self.defines, file.source.clone());
            let mut out = String::new();
            state.run(&file.source, &file.body, &dot, &mut out).map_err(Error::exec)?;
            let out = out.replace("<no value>", "");
            if !out.trim().is_empty() {
                rendered.push((path.clone(), out));
            }
        }
        rendered.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(rendered)
    }

    /// The chart's values for a release given `overrides` (its values files, in order).
    pub fn values(&self, overrides: &[serde_json::Value]) -> serde_json::Value {
        values::coalesce(&self.defaults, overrides)
    }
}
