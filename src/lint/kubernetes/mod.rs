//! The Kubernetes family: manifests (a file of YAML documents with `apiVersion` and `kind`),
//! read with positions, decoded into `k8s-openapi`'s typed objects as a strict API server
//! decodes them, and checked one file at a time or, for rules that relate objects (a Service
//! and the pods it selects), a folder at a time. A Helm chart folder is rendered with its
//! default values by `helm template` and its output checked the same way.

pub mod autoscaler;
mod chart;
pub mod image;
pub mod ingress;
pub mod kustomize;
pub mod pod;
pub mod refs;
mod rules;
pub mod server;
pub mod typed;

pub use rules::CHECKS;

use super::closure::{Graph, Parsed};
use super::{Artifact, Emit, Family, Recognition, drive_reading};
use crate::diag::{Diagnostic, Diagnostics, Route, Rule, Span};
use crate::yaml::{self, Node, Policy, Tags, Value};
use typed::{Typed, decode_object};

/// The family, as listed in [`super::FAMILIES`].
pub static FAMILY: KubernetesFamily = KubernetesFamily;

/// Kubernetes manifests and Helm charts.
pub struct KubernetesFamily;

/// How a manifest file is read: as `kubectl apply -f` reads it.
pub(crate) static POLICY: Policy = Policy {
    what: "a manifest",
    max_bytes: 16 * 1024 * 1024,
    max_depth: 100,
    max_nodes: 2_000_000,
    max_alias_nodes: 100_000,
    multi_document: true,
    tags: Tags::Kubectl,
    rules: &rules::YAML_RULES,
    empty_help: "a manifest holds Kubernetes objects, each with apiVersion, kind and metadata",
};

/// How kustomize reads the files of a build (go-yaml v3: `yes` is a string, merge keys
/// merge); it writes such a string quoted, so kubectl reads the built objects as kustomize did.
pub(crate) static BUILD_POLICY: Policy = Policy { tags: Tags::Kustomize, ..POLICY };

impl Family for KubernetesFamily {
    fn name(&self) -> &'static str {
        "kubernetes"
    }

    /// The rules of [`CHECKS`], and the one the pipeline checks where it resolves a
    /// kustomization's files on disk.
    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).chain([&kustomize::ENTRY_MISSING]).collect()
    }

    fn comments(&self, text: &str) -> Vec<Span> {
        yaml::comments(text)
    }

    /// A kustomization (`kustomization.yaml`), or a `.yaml` or `.yml` file with `apiVersion:`
    /// and `kind:` at the start of a line (and not a gen spec). A file with `{{` in it is a template, not a manifest, when it is in a
    /// `templates/` folder (a Helm chart's: the chart is checked as a whole, rendered) or
    /// when a `{{` stands outside quoted or block scalars and comments (`replicas: {{
    /// .Values.n }}`, a template for some other tool); a `{{` in a quoted string of a manifest
    /// is its data. A
    /// file in `.github/workflows/` is a workflow, whatever it holds.
    fn recognises(&self, path: &str, text: &str) -> Recognition {
        let file_name = super::file_name(path);
        if super::workflow::in_workflows_folder(path) {
            return Recognition::No;
        }
        if kustomize::is_kustomization(file_name) || is_kubeconfig(path) {
            return Recognition::Yes;
        }
        if !(file_name.ends_with(".yaml") || file_name.ends_with(".yml")) {
            return Recognition::No;
        }
        let in_templates = path.split(['/', '\\']).rev().skip(1).any(|folder| folder == "templates");
        // A chart's template is never read as a manifest: said before reading its lines.
        if in_templates && text.contains("{{") {
            return Recognition::No;
        }
        if !says_object(text) || is_template(path, text) {
            return Recognition::No;
        }
        Recognition::Yes
    }

    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        lint_with(files, emit, &mut |_, _| {});
    }

    fn lint_reading(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>, graph: &mut Graph) {
        lint_with(files, emit, &mut |file, doc| {
            let objects: Vec<&yaml::Node> = doc.objects.iter().map(|o| &o.doc.root).collect();
            graph.read(file, Parsed::Manifest(&objects));
        });
    }

    fn claims_folder(&self, dir: &std::path::Path) -> bool {
        dir.join("Chart.yaml").is_file()
    }

    fn expand_folder(&self, dir: &std::path::Path, shown: &str) -> Result<Vec<Artifact>, String> {
        chart::render(dir, shown)
    }
}

/// Whether a file is named as kubectl's configuration is (`kubeconfig`, `*.kubeconfig`,
/// `kubeconfig.yaml`, `.kube/config`): read as a manifest, its `kind: Config` object is
/// checked for the credentials it holds.
fn is_kubeconfig(path: &str) -> bool {
    let name = super::file_name(path).to_ascii_lowercase();
    let in_kube = path.split(['/', '\\']).rev().nth(1) == Some(".kube");
    matches!(name.as_str(), "kubeconfig" | "kubeconfig.yaml" | "kubeconfig.yml")
        || name.ends_with(".kubeconfig")
        || (in_kube && name == "config")
}

/// Whether a file's lines say it holds Kubernetes objects: an `apiVersion:` and a `kind:` at
/// the start of a line, and no `apiVersion: gen/...` (a gen spec).
fn says_object(text: &str) -> bool {
    let (mut api_version, mut kind, mut spec) = (false, false, false);
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("apiVersion:") {
            api_version = true;
            spec |= value.contains("gen/");
        }
        kind |= line.starts_with("kind:");
    }
    api_version && kind && !spec
}

/// Whether a file written as Kubernetes objects is a template for some tool that renders it:
/// a `{{` where YAML structure goes (`replicas: {{ .Values.n }}`), or any `{{` in a
/// `templates/` folder. gen renders the templates of a Helm chart (a folder with
/// `Chart.yaml`) and no other.
pub fn is_template(path: &str, text: &str) -> bool {
    let file_name = super::file_name(path);
    let yaml_file = file_name.ends_with(".yaml") || file_name.ends_with(".yml");
    let in_templates = path.split(['/', '\\']).rev().skip(1).any(|folder| folder == "templates");
    yaml_file
        && text.contains("{{")
        && says_object(text)
        && (in_templates || !yaml::only_in_strings_or_comments(text, "{{"))
}

/// Lints manifests, handing each parsed file to `read`. The queries its objects hold (a
/// PrometheusRule's groups, a Grafana dashboard's panels) are checked by the Prometheus
/// family's rules, over each set of files as the Kubernetes rules see it.
fn lint_with(
    files: &mut dyn Iterator<Item = Artifact>,
    emit: &mut Emit<'_>,
    read: &mut dyn FnMut(&Artifact, &Document),
) {
    // The queries of the files read since the last emit (one set), then their findings by file.
    let queries: std::cell::RefCell<Vec<super::prometheus::Document>> = Default::default();
    let mut found_in_queries: std::collections::HashMap<String, Diagnostics> = Default::default();
    let mut read_queries = |file: &Artifact, doc: &Document| {
        queries.borrow_mut().extend(doc.queries());
        read(file, doc)
    };
    drive_reading(CHECKS, files, Document::new, &mut read_queries, &mut |file, mut found| {
        let set = std::mem::take(&mut *queries.borrow_mut());
        for d in super::run_checks(super::prometheus::CHECKS, &set) {
            found_in_queries.entry(d.file.clone()).or_default().push(d);
        }
        found.extend(found_in_queries.remove(file.source.name()).unwrap_or_default());
        super::past_byte_order_mark(file.source.text(), &mut found);
        found.sort_by_key(|d| d.span);
        emit(file, found)
    });
}

/// One manifest file: its objects, and what kept the rest from being read.
pub struct Document {
    pub artifact: Artifact,
    pub objects: Vec<Object>,
    /// Findings of the YAML loader (the file is not YAML, or not a Kubernetes object).
    pub syntax: Diagnostics,
}

/// One object of a manifest.
pub struct Object {
    /// The YAML document, with positions.
    pub doc: yaml::Document,
    pub api_version: String,
    pub kind: String,
    /// `metadata.name` (empty when absent).
    pub name: String,
    /// The decoded object; [`Typed::Unknown`] for kinds gen does not know, or when decoding
    /// failed.
    pub typed: Typed,
    /// Fields the kind does not have.
    pub unknown_fields: Vec<Route>,
    /// Why the object did not decode: each value of the wrong type.
    pub type_errors: Vec<typed::TypeError>,
}

impl Document {
    /// Reads a file's objects.
    pub fn new(artifact: &Artifact) -> Document {
        let source = &artifact.source;
        // A kustomization holds no object: only its YAML is checked here (the pipeline
        // resolves the files it names).
        if kustomize::is_kustomization(super::file_name(source.name())) {
            let syntax = kustomize::read(source.name(), source.text()).err().unwrap_or_default();
            return Document { artifact: artifact.clone(), objects: Vec::new(), syntax };
        }
        let loaded = yaml::load_source(source, &POLICY);
        let mut doc = Document { artifact: artifact.clone(), objects: Vec::new(), syntax: Vec::new() };
        match loaded.documents {
            Ok(docs) => {
                for d in docs {
                    match Object::new(d) {
                        Ok(object) => doc.objects.push(object),
                        Err(problem) => doc.syntax.push(*problem),
                    }
                }
            }
            Err(problems) => doc.syntax = problems,
        }
        doc
    }

    /// How findings name the file.
    pub fn file(&self) -> &str {
        self.artifact.source.name()
    }

    /// The PromQL its objects hold, as the Prometheus family reads it: each PrometheusRule's
    /// groups, and each dashboard a ConfigMap holds (an entry of `data` named `*.json`
    /// whose JSON model has panels), with the metrics its annotation declares exported.
    pub fn queries(&self) -> Vec<super::prometheus::Document> {
        let source = &self.artifact.source;
        let mut docs = Vec::new();
        for object in &self.objects {
            let root = &object.doc.root;
            match (object.api_version.as_str(), object.kind.as_str()) {
                ("monitoring.coreos.com/v1" | "azmonitoring.coreos.com/v1", "PrometheusRule") => {
                    if let Some(spec) = root.get("spec").filter(|s| s.get("groups").is_some()) {
                        docs.push(super::prometheus::Document::of_object(source, spec));
                    }
                }
                ("v1", "ConfigMap") => {
                    let Some(Value::Map(data)) = root.get("data").map(|d| &d.value) else { continue };
                    // The metrics the service declares it exports, written beside its dashboard.
                    let exports: Option<std::sync::Arc<[String]>> = root
                        .get("metadata")
                        .and_then(|m| m.get("annotations"))
                        .and_then(|a| a.get(super::prometheus::EXPORTED_ANNOTATION))
                        .and_then(Node::as_str)
                        .map(|names| names.split([' ', ',']).filter(|n| !n.is_empty()).map(str::to_string).collect());
                    for entry in data.iter().filter(|e| e.key.ends_with(".json")) {
                        docs.extend(super::prometheus::Document::of_dashboard(source, &entry.value, exports.clone()));
                    }
                }
                _ => {}
            }
        }
        docs
    }
}

impl Object {
    fn new(doc: yaml::Document) -> Result<Object, Box<Diagnostic>> {
        let at_root = |message: String| {
            Diagnostic::new(&rules::MANIFEST_SYNTAX, doc.source.name(), Some(first_line(&doc.root)), message)
        };
        if !matches!(doc.root.value, Value::Map(_)) {
            return Err(Box::new(
                at_root(format!("a Kubernetes object is a mapping, not {}", doc.root.type_name()))
                    .help("start the document with `apiVersion:`, `kind:` and `metadata:`"),
            ));
        }
        let field = |key: &str| doc.root.get(key).and_then(Node::as_str).map(str::to_string);
        let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
            let help = "every object names its API version and kind, such as `apiVersion: apps/v1`, `kind: Deployment`";
            return Err(Box::new(
                at_root("the object has no `apiVersion` or no `kind` (both strings)".into()).help(help),
            ));
        };
        let name =
            doc.root.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str).unwrap_or("").to_string();
        let decoded = decode_object(&api_version, &kind, doc.root.to_json());
        let (typed, unknown_fields, type_errors) = (decoded.typed, decoded.unknown_fields, decoded.type_errors);
        Ok(Object { doc, api_version, kind, name, typed, unknown_fields, type_errors })
    }

    /// How findings name the object: `Deployment/shop`.
    pub fn title(&self) -> String {
        if self.name.is_empty() { self.kind.clone() } else { format!("{}/{}", self.kind, self.name) }
    }

    /// A finding at the value at `route`, or, when it is not written, at the place it would
    /// go (the key of the deepest part of the route that is written).
    pub fn at(&self, rule: &'static Rule, route: &Route, message: impl Into<String>) -> Diagnostic {
        let span = anchor(&self.doc.root, route, false);
        let mut d = Diagnostic::new(rule, self.doc.source.name(), Some(span), message);
        d.subject.route = Some(route.clone());
        d
    }

    /// A finding at the key that holds the value at `route` (or where it would go).
    pub fn at_key(&self, rule: &'static Rule, route: &Route, message: impl Into<String>) -> Diagnostic {
        let span = anchor(&self.doc.root, route, true);
        let mut d = Diagnostic::new(rule, self.doc.source.name(), Some(span), message);
        d.subject.route = Some(route.clone());
        d
    }

    /// Whether a value is written at `route`.
    pub fn has(&self, route: &Route) -> bool {
        self.doc.root.lookup(route).is_some()
    }

    /// The object's annotations.
    pub fn annotations(&self) -> impl Iterator<Item = (&str, &str)> {
        let entries = match self.doc.root.get("metadata").and_then(|m| m.get("annotations")).map(|a| &a.value) {
            Some(Value::Map(entries)) => entries.as_slice(),
            _ => &[],
        };
        entries.iter().filter_map(|e| e.value.as_str().map(|v| (e.key.as_str(), v)))
    }

    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// The span a finding about `route` points at: the value there (the key that holds it with
/// `key`); when the route is not all written, the key of its deepest written part, or for a
/// list item, the item's first key (`- name: app`).
fn anchor(root: &Node, route: &Route, key: bool) -> Span {
    let mut node = root;
    let mut key_span = None;
    for segment in route.segments() {
        match node.child(segment) {
            Some((child, k)) => {
                node = child;
                key_span = k;
            }
            None => return key_span.unwrap_or_else(|| first_line(node)),
        }
    }
    match (key, key_span) {
        (true, Some(k)) => k,
        _ if matches!(node.value, Value::Map(_) | Value::Seq(_)) => key_span.unwrap_or_else(|| first_line(node)),
        _ => node.span,
    }
}

/// A short span for a collection: its first key, or its start.
fn first_line(node: &Node) -> Span {
    match &node.value {
        Value::Map(entries) => entries.first().map_or(Span::new(node.span.start, node.span.start), |e| e.key_span),
        Value::Seq(items) => items.first().map_or(Span::new(node.span.start, node.span.start), first_line),
        _ => node.span,
    }
}

/// Every object of a set of documents, with the document it is in.
pub fn objects(docs: &[Document]) -> impl Iterator<Item = (&Document, &Object)> {
    docs.iter().flat_map(|d| d.objects.iter().map(move |o| (d, o)))
}
