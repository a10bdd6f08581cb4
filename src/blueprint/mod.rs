//! Blueprints: data (a `blueprint.yaml` and templates) that say what a service renders.
//!
//! Built-in blueprints are embedded from `blueprints/`; `--blueprints DIR` adds or overrides.

mod catalog;
mod params;
mod select;
mod unpinned_base_image;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use serde::Deserialize;

pub use catalog::{Catalog, CatalogError};
pub use params::{
    LATENCY_THRESHOLD_NOT_A_BUCKET, PORT_TAKEN_BY_METRICS, ServiceBlueprint, UNKNOWN_BLUEPRINT, resolve_params,
};
pub use select::{Judged, Selector};
pub use unpinned_base_image::{RULE as UNPINNED_BASE_IMAGE, check as check_base_images};

use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Findings};
use crate::platform::Known;
use crate::route;
use crate::spec::schema::{self, SchemaRules};
use crate::yaml::{self, Document, Policy, Rules, Tags};

/// The schema every `blueprint.yaml` must satisfy.
pub const BLUEPRINT_SCHEMA: &str = include_str!("../../schemas/blueprint.schema.json");

declare_rule! {
    /// ## What it does
    /// Reports a blueprint that cannot be used: its `blueprint.yaml` does not match
    /// `schemas/blueprint.schema.json`, names a file it does not have, or carries a params
    /// schema that does not compile.
    ///
    /// ## Why it matters
    /// Every service built from the blueprint would fail to render, or render wrongly.
    ///
    /// ## How to fix
    /// Fix the blueprint at the reported place; `gen blueprints show NAME` lists what loaded.
    pub static INVALID_BLUEPRINT = ("BP001", "invalid-blueprint", Error, unignorable);
}

static YAML_RULES: Rules = Rules {
    syntax: &INVALID_BLUEPRINT,
    encoding: &INVALID_BLUEPRINT,
    empty: &INVALID_BLUEPRINT,
    multiple_documents: &INVALID_BLUEPRINT,
    duplicate_key: &INVALID_BLUEPRINT,
    limits: &INVALID_BLUEPRINT,
};

/// How a `blueprint.yaml` is read.
static POLICY: Policy = Policy {
    what: "a blueprint.yaml",
    max_bytes: 1024 * 1024,
    max_depth: 64,
    max_nodes: 100_000,
    max_alias_nodes: 10_000,
    multi_document: false,
    tags: Tags::StrOnly,
    rules: &YAML_RULES,
    empty_help: "describe the blueprint: name, description, version, kind, files (see schemas/blueprint.schema.json)",
};

static SCHEMA_RULES: SchemaRules = SchemaRules {
    unknown_key: &INVALID_BLUEPRINT,
    missing_key: &INVALID_BLUEPRINT,
    wrong_type: &INVALID_BLUEPRINT,
    invalid_value: &INVALID_BLUEPRINT,
};

/// Who owns a rendered file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// Rewritten on every render and drift-checked.
    Managed,
    /// Written once when absent; the user's from then on.
    Scaffold,
}

/// What a blueprint is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Service,
    Base,
}

/// How often a file renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Once per service.
    #[default]
    Service,
    /// Once per project.
    Project,
    /// Once per environment, with the environment's spec.
    Environment,
    /// Once per service in each environment, with the environment's spec and service.
    ServiceEnvironment,
}

/// Comment style of the generated-file marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkerStyle {
    Hash,
    Slash,
    Html,
    Gotmpl,
    None,
}

/// One file a blueprint renders.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub source: String,
    pub target: String,
    pub ownership: Ownership,
    #[serde(default = "yes")]
    pub template: bool,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default)]
    pub marker: Option<MarkerStyle>,
    /// The artifact family whose rules check the rendered file; without one, the file is
    /// recognised by its name and content as a hand-written one would be.
    #[serde(default)]
    pub kind: Option<String>,
    /// A template expression: the file renders only when it is true (`service.ingress`).
    #[serde(default)]
    pub when: Option<String>,
    /// For a scaffold file a workflow rewrites (GitOps' image tag file, which Argo CD
    /// deploys): a template rendering to the keys it may hold, dotted, separated by white
    /// space (`image.tag image.digest`). Any other key in the file is reported (DRIFT003).
    #[serde(default)]
    pub holds: Option<String>,
    /// The platforms the file belongs to (absent: its folder's, else every platform).
    #[serde(default)]
    pub platforms: Option<Vec<String>>,
    /// The capabilities it needs (absent: its folder's, else none).
    #[serde(default)]
    pub requires: Option<Vec<crate::platform::Capability>>,
    /// Whose platform decides, for a file rendered per project or per service.
    #[serde(default, rename = "for")]
    pub judged: Option<Judged>,
    /// The file is a template of a Helm chart of the blueprint (`source`, under the chart's
    /// folder), rendered by gen's Helm engine ([`crate::gotmpl`]) with the values another of
    /// its templates renders in the file's context: the plain manifests are the chart's
    /// objects, written by one source. A template that renders to nothing writes no file.
    #[serde(default)]
    pub helm: Option<HelmSource>,
    /// Its platforms, capabilities and judge with its folder's filled in: what the renderer
    /// reads.
    #[serde(skip)]
    pub select: Selector,
}

fn yes() -> bool {
    true
}

/// Where a file rendered through a chart ([`FileEntry::helm`]) takes its chart, values and
/// release from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelmSource {
    /// The chart's folder in the blueprint (`templates/chart/`): its `Chart.yaml`,
    /// `values.yaml` and `templates/`, copied verbatim (`template: false`).
    pub chart: String,
    /// The blueprint's template whose text, rendered in the file's context, is the values file
    /// (Helm's `-f`) over the chart's defaults.
    pub values: String,
    /// The release's name, a template (`<@ service.name | text @>`).
    pub release: String,
    /// The release's namespace, a template (`<@ service.namespace | text @>`).
    pub namespace: String,
    /// Comment lines the file starts with, above the object: a `gen:ignore-file` with its
    /// reason, where the file is read apart from what it refers to.
    #[serde(default)]
    pub header: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    description: String,
    version: String,
    kind: Kind,
    #[serde(default)]
    example: Option<String>,
    #[serde(default = "default_params")]
    params: serde_json::Value,
    #[serde(default)]
    runtime: Runtime,
    /// Platforms and capabilities declared once for every file under a source folder.
    #[serde(default)]
    folders: BTreeMap<String, Selector>,
    files: Vec<FileEntry>,
}

/// What a service blueprint's container promises the platform that runs it: the chart's
/// security context, writable mounts and shutdown timing are built from it, and the
/// blueprint's own files (Dockerfile, server config) use the same values.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Runtime {
    /// The numeric user the image runs as (above 10000: no clash with a node's users).
    pub user: u32,
    /// The numeric group.
    pub group: u32,
    /// Paths the process writes to, mounted as empty folders over a read-only root.
    pub writable_paths: Vec<String>,
    /// Seconds the process takes at most to finish its requests after SIGTERM; with
    /// `request_timeout_param`, that param's value for each service.
    pub graceful_shutdown_seconds: u32,
    /// The param that holds the longest request's seconds (`timeout` for flask): the graceful
    /// shutdown follows it, so a request the service allows is never cut by a rollout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout_param: Option<String>,
    /// Seconds the pod waits (its preStop hook) before the process gets SIGTERM, so that the
    /// endpoints drop the pod before the server stops taking connections. Derived.
    #[serde(skip_deserializing)]
    pub shutdown_delay_seconds: u32,
    /// The pod's `terminationGracePeriodSeconds`: the delay, the graceful shutdown and a margin
    /// for the master to reap its workers. Derived.
    #[serde(skip_deserializing)]
    pub termination_grace_period_seconds: u32,
    /// Seconds the edge (the route's Gateway, the ingress controller) lets a request run: the
    /// longest request and a margin, so that the service ends a request it does not allow,
    /// never the proxy one it does (Envoy Gateway's default is 15 s). Derived.
    #[serde(skip_deserializing)]
    pub edge_timeout_seconds: u32,
    /// Seconds between two liveness probes. Derived.
    #[serde(skip_deserializing)]
    pub liveness_period_seconds: u32,
    /// Liveness probes that fail in a row before the kubelet restarts the container: their
    /// budget outlasts the longest request and the server's restart of a worker that overran
    /// it, so a pod busy with requests it allows is never restarted. Derived.
    #[serde(skip_deserializing)]
    pub liveness_failure_threshold: u32,
    /// Seconds the process may take to start answering.
    pub startup_seconds: u32,
    /// The command the image runs to ask its own liveness path, where the platform checks a
    /// container's health from inside it (an ECS task's container health check): `{url}` in an
    /// argument stands for `http://127.0.0.1:<port><liveness path>`; it exits non-zero when
    /// the path does not answer with success. None: the platform checks no health inside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_command: Option<Vec<String>>,
    /// How the pipeline tests the service before it builds the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<TestRecipe>,
    /// The image the service's Dockerfile builds on, when the blueprint declares it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_image: Option<BaseImage>,
    /// What a service's own code folder (`source:`) must hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRecipe>,
    /// The Prometheus metrics the server exports, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsExport>,
}

/// The Prometheus metrics a service blueprint's server exports: on a port of their own (named
/// `metrics` in the pod, which no route reaches), at a path, and the metric families it
/// exports (what rules and dashboards may read).
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricsExport {
    /// The container port the metrics are served on.
    pub port: u16,
    /// The path they are served at.
    pub path: String,
    /// The metric families exported (a histogram by its name, without `_bucket`).
    pub names: Vec<String>,
    /// Which of them count the requests: what the SLO rules read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<RequestMetrics>,
}

/// The metrics that count a service's requests and their durations.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestMetrics {
    /// The counter of requests answered.
    pub total: String,
    /// Its label holding the status code.
    #[serde(default = "default_status_label")]
    pub status_label: String,
    /// The label holding the route, on both metrics.
    #[serde(default = "default_route_label")]
    pub route_label: String,
    /// The histogram of durations in seconds.
    pub duration: String,
    /// The histogram's bucket boundaries in seconds.
    pub buckets: Vec<f64>,
    /// A param (seconds) bounding the buckets: those at or above it are left out, and it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets_up_to_param: Option<String>,
    /// The gauge of requests being served (the dashboard's saturation panel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<String>,
}

fn default_status_label() -> String {
    "status".into()
}
fn default_route_label() -> String {
    "route".into()
}

impl RequestMetrics {
    /// The histogram's buckets for a service with these params (`+Inf` left out).
    pub fn buckets_for(&self, params: &serde_json::Map<String, serde_json::Value>) -> Vec<f64> {
        let bound = self.buckets_up_to_param.as_ref().and_then(|p| params.get(p)).and_then(|v| v.as_f64());
        match bound {
            Some(bound) => self.buckets.iter().copied().filter(|b| *b < bound).chain([bound]).collect(),
            None => self.buckets.clone(),
        }
    }
}

/// What the folder of a service's own code must hold for gen's files to build and test it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SourceRecipe {
    /// The locks installed with `pip install --require-hashes` (or the toolchain's like),
    /// from the code's folder; `{param}` stands for the service's value of that param.
    #[serde(default)]
    pub locks: Vec<String>,
    /// The param naming the entry point as `module:callable`, whose module must be in the
    /// folder (`module.py` or `module/__init__.py`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_param: Option<String>,
    /// The packages the image's lock (the first of `locks`) must pin: what the image runs
    /// besides the code (its server).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
}

impl SourceRecipe {
    /// The locks for one service's params: each `{param}` filled in.
    pub fn locks_for(&self, params: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
        self.locks
            .iter()
            .map(|lock| {
                params.iter().fold(lock.clone(), |lock, (name, value)| match value {
                    serde_json::Value::String(v) => lock.replace(&format!("{{{name}}}"), v),
                    _ => lock,
                })
            })
            .collect()
    }
}

/// The image a service's Dockerfile builds on, as data rather than template text: the
/// Dockerfile prints it, and the refresh workflow moves its pinned digest to the one its tag
/// points to now, without knowing the blueprint.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BaseImage {
    /// The image's name (`python`, `ghcr.io/org/base`).
    pub name: String,
    /// Its tag, where `{param}` stands for the service's value of that param
    /// (`{pythonVersion}-slim-trixie`).
    pub tag: String,
    /// The param that pins its digest (`sha256:` and 64 hex digits), if the blueprint has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_param: Option<String>,
    /// `name:tag`, for one service's params. Derived.
    #[serde(default, skip_deserializing, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// The digest the service pins it by, if it does. Derived.
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// What a `FROM` says: `name:tag@digest`, or `name:tag` unpinned. Derived.
    #[serde(default, skip_deserializing, skip_serializing_if = "String::is_empty")]
    pub from: String,
}

impl BaseImage {
    /// The params the tag names, in order, or the first malformed `{`...`}` it has.
    fn placeholders(&self) -> Result<Vec<&str>, String> {
        let mut names = Vec::new();
        let mut rest = self.tag.as_str();
        while let Some(open) = rest.find(['{', '}']) {
            let after = &rest[open + 1..];
            match (rest.as_bytes()[open], after.find('}')) {
                (b'{', Some(close)) if close > 0 && !after[..close].contains('{') => {
                    names.push(&after[..close]);
                    rest = &after[close + 1..];
                }
                _ => return Err(format!("`{}` has a `{{` or `}}` that does not enclose a param's name", self.tag)),
            }
        }
        Ok(names)
    }

    /// The params its tag names (none when the tag is malformed: the blueprint's check says so).
    pub fn tag_params(&self) -> Vec<&str> {
        self.placeholders().unwrap_or_default()
    }

    /// This image for one service: the tag's params filled in from `params`, the digest read.
    pub fn for_params(&self, params: &serde_json::Map<String, serde_json::Value>) -> BaseImage {
        let mut image = self.clone();
        let mut tag = self.tag.clone();
        for name in self.placeholders().unwrap_or_default() {
            let value = match params.get(name) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => continue,
            };
            tag = tag.replace(&format!("{{{name}}}"), &value);
        }
        image.reference = format!("{}:{tag}", self.name);
        image.digest = self
            .digest_param
            .as_deref()
            .and_then(|p| params.get(p))
            .and_then(serde_json::Value::as_str)
            .map(str::to_string);
        image.from = match &image.digest {
            Some(digest) => format!("{}@{digest}", image.reference),
            None => image.reference.clone(),
        };
        image
    }
}

/// How the pipeline tests a service: the toolchain it sets up and the commands it runs in the
/// service's folder. The commands are the blueprint's own text, never a spec value; a blueprint
/// for another language states its own, and gen needs no change.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TestRecipe {
    /// The toolchain's name, as messages and scripts say it (`python`, `node`, `go`).
    pub toolchain: String,
    /// The action that sets the toolchain up.
    pub setup: Setup,
    /// The blueprint param that holds the toolchain's version.
    pub version_param: String,
    /// Commands run one after another in the service's folder.
    pub commands: Vec<String>,
    /// The command that installs the service's dependencies, for a static analysis that
    /// resolves them (snyk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<String>,
}

/// The action a workflow sets a toolchain up with.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Setup {
    /// The action by its name in the pin list (`actions/setup-python`).
    pub action: String,
    /// Its input that takes the version (`python-version`).
    pub version_input: String,
    /// The line a workflow's `uses:` says: the action pinned to its reviewed commit, filled
    /// in when the blueprint loads.
    #[serde(skip_deserializing)]
    pub uses: String,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime {
            user: 10001,
            group: 10001,
            writable_paths: vec!["/tmp".into()],
            graceful_shutdown_seconds: 20,
            request_timeout_param: None,
            shutdown_delay_seconds: SHUTDOWN_DELAY_SECONDS,
            termination_grace_period_seconds: SHUTDOWN_DELAY_SECONDS + 20 + SHUTDOWN_MARGIN_SECONDS,
            edge_timeout_seconds: 20 + EDGE_MARGIN_SECONDS,
            liveness_period_seconds: LIVENESS_PERIOD_SECONDS,
            liveness_failure_threshold: LIVENESS_MIN_FAILURES,
            startup_seconds: 60,
            health_command: None,
            test: None,
            base_image: None,
            source: None,
            metrics: None,
        }
    }
}

/// The preStop delay: kube-proxy and the ingress controllers see an endpoint removed within a
/// few seconds; a server that stops accepting before then gets connections refused.
pub const SHUTDOWN_DELAY_SECONDS: u32 = 5;

/// What the grace period keeps beyond the delay and the graceful shutdown: the time the server's
/// master takes to reap its workers and exit before the kubelet's SIGKILL.
pub const SHUTDOWN_MARGIN_SECONDS: u32 = 5;

/// Seconds between two liveness probes.
pub const LIVENESS_PERIOD_SECONDS: u32 = 10;

/// The fewest liveness failures in a row that restart a container (a minute at 10 s), however
/// short the longest request: a slow answer under load is not a dead process.
pub const LIVENESS_MIN_FAILURES: u32 = 6;

/// What the edge's timeout keeps beyond the longest request: the service answers (or its server
/// ends the request) before the proxy gives up on it.
pub const EDGE_MARGIN_SECONDS: u32 = 5;

impl Runtime {
    /// The runtime of one service: the graceful shutdown from its request timeout (when the
    /// blueprint names the param), and the shutdown sequence derived from it, so that the
    /// server's config and the pod's grace period never disagree.
    pub fn for_params(&self, params: &serde_json::Map<String, serde_json::Value>) -> Runtime {
        let mut runtime = self.clone();
        let timeout = runtime
            .request_timeout_param
            .as_deref()
            .and_then(|p| params.get(p))
            .and_then(serde_json::Value::as_u64)
            .and_then(|t| u32::try_from(t).ok());
        if let Some(timeout) = timeout {
            runtime.graceful_shutdown_seconds = timeout;
        }
        runtime.base_image = self.base_image.as_ref().map(|b| b.for_params(params));
        runtime.derive();
        runtime
    }

    /// Sets the derived fields from the others.
    fn derive(&mut self) {
        self.shutdown_delay_seconds = SHUTDOWN_DELAY_SECONDS;
        self.termination_grace_period_seconds = SHUTDOWN_DELAY_SECONDS
            .saturating_add(self.graceful_shutdown_seconds)
            .saturating_add(SHUTDOWN_MARGIN_SECONDS);
        self.edge_timeout_seconds = self.graceful_shutdown_seconds.saturating_add(EDGE_MARGIN_SECONDS);
        self.liveness_period_seconds = LIVENESS_PERIOD_SECONDS;
        let budget = self.graceful_shutdown_seconds.saturating_add(2 * LIVENESS_PERIOD_SECONDS);
        self.liveness_failure_threshold = budget.div_ceil(LIVENESS_PERIOD_SECONDS).max(LIVENESS_MIN_FAILURES);
    }
}

/// A name as one token of a JSON pointer.
fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn default_params() -> serde_json::Value {
    serde_json::json!({"type": "object", "additionalProperties": false})
}

/// A blueprint's files by path in its folder: a built-in's are the bytes embedded in the
/// binary, not copies of them; a folder's are read.
pub type Files = BTreeMap<String, Cow<'static, [u8]>>;

/// A loaded, checked blueprint with its files in memory.
#[derive(Debug)]
pub struct Blueprint {
    pub name: String,
    pub description: String,
    pub version: String,
    pub kind: Kind,
    pub example: Option<String>,
    pub params: serde_json::Value,
    /// The params schema: a folder's compiled when it is loaded (a schema that does not
    /// compile is a finding about the folder), a built-in's only when params do not surely
    /// pass it.
    params_schema: schema::Schema,
    /// What its container promises the platform.
    pub runtime: Runtime,
    pub files: Vec<FileEntry>,
    /// Where it came from: `built-in` or the folder it was read from.
    pub origin: String,
    /// Whether it is embedded in gen (told by how it was loaded, not by `origin`'s text: a
    /// `--blueprints` folder may be called `built-in`).
    built_in: bool,
    /// How messages name the blueprint's folder (`blueprints/flask` for a built-in).
    pub display_dir: String,
    /// Its `blueprint.yaml` with positions, so findings about a file entry can point at it:
    /// a built-in's is parsed the first time one does ([`Blueprint::manifest`]).
    manifest_doc: OnceLock<Document>,
    contents: Files,
    /// Its Helm charts by folder, parsed when a file first renders through one
    /// ([`FileEntry::helm`]): once per process, whatever the number of services.
    charts: Mutex<HashMap<String, Chart>>,
}

/// A chart of a blueprint as [`Blueprint::chart`] gives it: parsed, or why not.
pub type Chart = Result<Arc<crate::gotmpl::Chart>, Arc<crate::gotmpl::Error>>;

/// A built-in blueprint's manifest with positions.
fn parse_built_in(name: &str, bytes: &[u8]) -> Document {
    let docs = yaml::load(name, bytes, &POLICY).documents;
    docs.ok().and_then(|mut d| (!d.is_empty()).then(|| d.remove(0))).expect("a built-in blueprint.yaml parses")
}

impl Blueprint {
    /// Its `blueprint.yaml` with positions, for a finding about one of its entries.
    pub fn manifest(&self) -> &Document {
        self.manifest_doc.get_or_init(|| {
            let name = format!("{}/blueprint.yaml", self.display_dir);
            parse_built_in(&name, self.contents.get("blueprint.yaml").map(|b| &b[..]).unwrap_or_default())
        })
    }

    /// Whether it is one of gen's own, embedded, rather than read from a `--blueprints` folder.
    pub fn is_built_in(&self) -> bool {
        self.built_in
    }

    /// Parses and checks a blueprint from its files (paths relative to its folder).
    /// `families` names the artifact families a file's `kind` may name, `platforms` the
    /// platforms its `platforms` may name.
    pub fn from_files(
        display_dir: &str,
        origin: Origin<'_>,
        contents: Files,
        families: &[&str],
        platforms: Known<'_>,
    ) -> Result<Blueprint, Findings> {
        let name = format!("{display_dir}/blueprint.yaml");
        let Some(bytes) = contents.get("blueprint.yaml") else {
            let d = Diagnostic::new(&INVALID_BLUEPRINT, &name, None, "the blueprint has no blueprint.yaml")
                .help("add a blueprint.yaml (see schemas/blueprint.schema.json)");
            return Err(Findings::new([], vec![d]));
        };
        // A built-in blueprint is checked against the schema by the tests
        // (`every_built_in_blueprint_passes_the_blueprint_schema`), not on every run: compiling
        // that schema was 8% of a one-service `gen lint`. Its manifest is read from the JSON
        // the build made of it, its YAML (with positions) only when a finding points into it.
        // A folder's is parsed and checked here, for its located messages.
        let manifest_doc = OnceLock::new();
        let (built_in, read) = match origin {
            Origin::BuiltIn(json) => (true, serde_json::from_str(json).map_err(|e| e.to_string())),
            Origin::Folder(_) => {
                let loaded = yaml::load(&name, bytes, &POLICY);
                let doc = match loaded.documents {
                    Ok(mut docs) => docs.remove(0),
                    Err(d) => return Err(Findings::new([loaded.source], d)),
                };
                let errors = validate_manifest(&doc.root, &loaded.source);
                if !errors.is_empty() {
                    return Err(Findings::new([loaded.source], errors));
                }
                let read = serde_json::from_value(doc.root.to_json()).map_err(|e| e.to_string());
                let _ = manifest_doc.set(doc);
                (false, read)
            }
        };
        let bytes = bytes.clone();
        // The manifest with positions, parsed the first time a finding needs it.
        let doc = || {
            manifest_doc.get_or_init(|| {
                // Only a built-in's is parsed here, which the build read and a test reads as gen does.
                parse_built_in(&name, &bytes)
            })
        };
        let fail = |d: Diagnostics| Err(Findings::new([doc().source.clone()], d));
        let mut manifest: Manifest = match read {
            Ok(m) => m,
            Err(e) => {
                let root = &doc().root;
                return fail(vec![Diagnostic::new(&INVALID_BLUEPRINT, &name, Some(root.span), e)]);
            }
        };
        let mut errors = Vec::new();
        let at = |route: &crate::diag::Route, msg: String, help: &str| {
            Diagnostic::new(&INVALID_BLUEPRINT, &name, Some(doc().root.locate(route, false)), msg).help(help)
        };
        // A built-in's params schema is compiled by a test
        // (`every_built_in_blueprint_params_schema_compiles`) and, on a run, only for params
        // that do not surely pass it (`schema::quick`): with the meta-schema it checks
        // against, compiling it was a tenth of the time before a one-service render could start.
        let params_schema = if built_in {
            schema::Schema::new(manifest.params.clone())
        } else {
            schema::Schema::compiled(manifest.params.clone()).unwrap_or_else(|e| {
                errors.push(at(
                    &route!["params"],
                    format!("the params schema does not compile: {e}"),
                    "write a JSON Schema (draft 2020-12)",
                ));
                schema::Schema::new(serde_json::Value::Bool(true))
            })
        };
        check_selectors(&manifest, platforms, &mut |route, msg, help| errors.push(at(&route, msg, help)));
        manifest.runtime.derive();
        if let Some(param) = &manifest.runtime.request_timeout_param {
            let declared = manifest.params.pointer(&format!("/properties/{}/type", pointer_token(param)));
            if declared != Some(&serde_json::Value::from("integer")) {
                errors.push(at(
                    &route!["runtime", "requestTimeoutParam"],
                    format!("`{param}` is not an integer param of this blueprint"),
                    "name the param (under `params.properties`, `type: integer`) that holds a request's timeout in seconds",
                ));
            }
        }
        if let Some(base) = &manifest.runtime.base_image {
            // Every param the image names has a value in every service: a default.
            let has_default =
                |p: &str| manifest.params.pointer(&format!("/properties/{}/default", pointer_token(p))).is_some();
            match base.placeholders() {
                Err(msg) => errors.push(at(
                    &route!["runtime", "baseImage", "tag"],
                    msg,
                    "write each param as `{name}`, as in `{pythonVersion}-slim`",
                )),
                Ok(names) => {
                    for name in names.into_iter().filter(|n| !has_default(n)) {
                        errors.push(at(
                            &route!["runtime", "baseImage", "tag"],
                            format!("`{{{name}}}` is not a param of this blueprint with a default"),
                            "name a param under `params.properties` that has a `default`, so that every service has a tag",
                        ));
                    }
                }
            }
            if let Some(param) = &base.digest_param
                && manifest.params.pointer(&format!("/properties/{}", pointer_token(param))).is_none()
            {
                errors.push(at(
                    &route!["runtime", "baseImage", "digestParam"],
                    format!("`{param}` is not a param of this blueprint"),
                    "name the param (under `params.properties`) that holds the base image's digest",
                ));
            }
        }
        if let Some(test) = &mut manifest.runtime.test {
            // The pin list is the one the workflow family checks `uses:` against: a blueprint
            // names an action, gen writes the reviewed commit.
            match crate::lint::workflow::pins::line(&test.setup.action) {
                Some(line) => test.setup.uses = line,
                None => errors.push(at(
                    &route!["runtime", "test", "setup", "action"],
                    format!("`{}` is not an action gen knows a reviewed commit of", test.setup.action),
                    "name an action of schemas/github-actions-pins.json",
                )),
            }
        }
        for file in &mut manifest.files {
            let own =
                Selector { platforms: file.platforms.clone(), requires: file.requires.clone(), judged: file.judged };
            file.select = match select::folder_of(&manifest.folders, &file.source) {
                Some(folder) => own.over(folder),
                None => own,
            };
        }
        for (i, file) in manifest.files.iter().enumerate() {
            if !contents.contains_key(&file.source) {
                let msg = format!("`{}` is not a file of this blueprint", file.source);
                errors.push(at(&route!["files", i, "source"], msg, "give the path relative to the blueprint's folder"));
            }
            if manifest.kind == Kind::Service && matches!(file.scope, Scope::Project | Scope::Environment) {
                let msg =
                    "a service blueprint renders per service; only the base blueprint has project and environment files".to_string();
                errors.push(at(&route!["files", i, "scope"], msg, "use `scope: service` or `service-environment`"));
            }
            if let Some(helm) = &file.helm {
                let chart_yaml = format!("{}Chart.yaml", helm.chart);
                if !contents.contains_key(&chart_yaml) {
                    let msg = format!("`{}` holds no Chart.yaml: it is not a chart of this blueprint", helm.chart);
                    errors.push(at(
                        &route!["files", i, "helm", "chart"],
                        msg,
                        "name the chart's folder, ending in `/`",
                    ));
                } else if !file.source.starts_with(&format!("{}templates/", helm.chart)) {
                    let msg = format!("`{}` is not a template of the chart `{}`", file.source, helm.chart);
                    errors.push(at(&route!["files", i, "source"], msg, "name a file under the chart's templates/"));
                }
                if !contents.contains_key(&helm.values) {
                    let msg = format!("`{}` is not a file of this blueprint", helm.values);
                    errors.push(at(
                        &route!["files", i, "helm", "values"],
                        msg,
                        "name the template that renders the values",
                    ));
                }
            }
            if let Some(kind) = &file.kind
                && !families.contains(&kind.as_str())
            {
                let msg = format!("`{kind}` is not an artifact family gen knows");
                let help = format!("use one of: {}", families.join(", "));
                errors.push(at(&route!["files", i, "kind"], msg, &help));
            }
        }
        if let Some(example) = &manifest.example
            && !contents.contains_key(example)
        {
            let msg = format!("the example `{example}` is not a file of this blueprint");
            errors.push(at(&route!["example"], msg, "give the path relative to the blueprint's folder"));
        }
        if manifest.kind == Kind::Service && manifest.example.is_none() {
            errors.push(at(
                &crate::diag::Route::root(),
                "a service blueprint needs an `example` spec".into(),
                "add `example: example.spec.yaml`",
            ));
        }
        if !errors.is_empty() {
            return fail(errors);
        }
        Ok(Blueprint {
            name: manifest.name,
            description: manifest.description,
            version: manifest.version,
            kind: manifest.kind,
            example: manifest.example,
            params: manifest.params,
            params_schema,
            runtime: manifest.runtime,
            files: manifest.files,
            origin: match origin {
                Origin::BuiltIn(_) => BUILT_IN.to_string(),
                Origin::Folder(shown) => shown.to_string(),
            },
            built_in,
            display_dir: display_dir.to_string(),
            manifest_doc,
            contents,
            charts: Mutex::default(),
        })
    }

    /// The Helm chart in `folder` (`templates/chart/`), parsed from its files (paths in the
    /// chart, such as `templates/service.yaml`) the first time it is asked for.
    pub fn chart(&self, folder: &str) -> Chart {
        let mut charts = self.charts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(chart) = charts.get(folder) {
            return chart.clone();
        }
        let files: Vec<(String, String)> = self
            .contents
            .range(folder.to_string()..)
            .take_while(|(path, _)| path.starts_with(folder))
            .map(|(path, bytes)| (path[folder.len()..].to_string(), String::from_utf8_lossy(bytes).into_owned()))
            .collect();
        let chart = crate::gotmpl::Chart::parse(&files).map(Arc::new).map_err(Arc::new);
        charts.insert(folder.to_string(), chart.clone());
        chart
    }

    /// The params schema.
    pub fn params_schema(&self) -> &schema::Schema {
        &self.params_schema
    }

    /// A file of the blueprint by its path in the folder.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.contents.get(path).map(AsRef::as_ref)
    }

    /// A file of the blueprint as text that outlives it: a built-in's borrowed from the
    /// binary, a folder's copied (invalid UTF-8 replaced).
    pub fn text(&self, path: &str) -> Option<Cow<'static, str>> {
        // `str::from_utf8` checks ASCII a word at a time; `from_utf8_lossy` walks every byte.
        Some(match self.contents.get(path)? {
            Cow::Borrowed(bytes) => {
                std::str::from_utf8(bytes).map_or_else(|_| String::from_utf8_lossy(bytes), Cow::Borrowed)
            }
            Cow::Owned(bytes) => Cow::Owned(
                std::str::from_utf8(bytes).map_or_else(|_| String::from_utf8_lossy(bytes).into_owned(), str::to_string),
            ),
        })
    }

    /// Its partials: files whose name starts with `_` that no entry renders (macros other
    /// templates import by name, as Helm's `_helpers.tpl`), by path in the folder.
    pub fn partials(&self) -> impl Iterator<Item = &str> {
        self.contents.keys().map(String::as_str).filter(|path| {
            path.rsplit('/').next().is_some_and(|name| name.starts_with('_'))
                && !self.files.iter().any(|f| f.source == *path)
        })
    }

    /// How messages name one of its files.
    pub fn display_path(&self, path: &str) -> String {
        format!("{}/{path}", self.display_dir)
    }
}

/// Reports a platform gen does not know (a typo would drop the file silently) and a folder no
/// file lies under. (The schema lists the capabilities.)
fn check_selectors(
    manifest: &Manifest,
    platforms: Known<'_>,
    report: &mut dyn FnMut(crate::diag::Route, String, &str),
) {
    let check = |sel: &Selector, at: crate::diag::Route, report: &mut dyn FnMut(crate::diag::Route, String, &str)| {
        for (i, p) in sel.platforms.iter().flatten().enumerate() {
            if platforms.by_name(p).is_none() {
                let names: Vec<&str> = platforms.all().map(|p| p.name()).collect();
                let help = format!("use one of: {}", names.join(", "));
                report(at.clone().with("platforms").with(i), format!("`{p}` is not a platform gen knows"), &help);
            }
        }
    };
    for (dir, sel) in &manifest.folders {
        check(sel, route!["folders", dir.as_str()], report);
        if !manifest.files.iter().any(|f| select::lies_under(&f.source, dir)) {
            let msg = format!("no file of the blueprint lies under `{dir}`");
            report(
                route!["folders", dir.as_str()],
                msg,
                "name a folder of `files[].source`, relative to the blueprint's folder",
            );
        }
    }
    for (i, file) in manifest.files.iter().enumerate() {
        let sel = Selector { platforms: file.platforms.clone(), requires: file.requires.clone(), judged: file.judged };
        check(&sel, route!["files", i], report);
    }
}

/// Where a blueprint is loaded from.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    /// gen's own, embedded at build time, with its manifest as the build read it (JSON).
    BuiltIn(&'a str),
    /// A `--blueprints` folder, as messages name it.
    Folder(&'a str),
}

/// How `gen blueprints` names the origin of gen's own blueprints.
pub const BUILT_IN: &str = "built-in";

/// A blueprint.yaml's findings against `schemas/blueprint.schema.json`.
fn validate_manifest(root: &yaml::Node, source: &crate::diag::Source) -> Diagnostics {
    schema::validate(&BLUEPRINT_SCHEMA_JSON, root, source, &SCHEMA_RULES)
}

static BLUEPRINT_SCHEMA_JSON: LazyLock<schema::Schema> = LazyLock::new(|| {
    // Embedded at build time and compiled by a test: failing here is a build defect.
    schema::Schema::new(serde_json::from_str(BLUEPRINT_SCHEMA).expect("embedded blueprint schema is JSON"))
});

/// What `gen blueprints show` prints: description, params with defaults, files with ownership.
pub fn describe(bp: &Blueprint) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({})\n\n{}\n", bp.name, bp.version, bp.origin, bp.description);
    let props = bp.params.get("properties").and_then(serde_json::Value::as_object);
    match props {
        Some(props) if !props.is_empty() => {
            let _ = writeln!(out, "params:");
            for (name, schema) in props {
                let default =
                    schema.get("default").map_or_else(|| "(required)".to_string(), |d| format!("default {d}"));
                let doc = schema.get("description").and_then(serde_json::Value::as_str).unwrap_or("");
                let _ = writeln!(out, "  {name:<16} {default:<16} {doc}");
            }
        }
        _ => {
            let _ = writeln!(out, "params: none");
        }
    }
    if bp.kind == Kind::Service {
        let r = &bp.runtime;
        let _ = writeln!(
            out,
            "\nruntime: user {}:{}, writable {}, stops within {}, starts within {} s",
            r.user,
            r.group,
            if r.writable_paths.is_empty() { "nothing".to_string() } else { r.writable_paths.join(", ") },
            match &r.request_timeout_param {
                Some(param) => format!("the param `{param}`'s seconds"),
                None => format!("{} s", r.graceful_shutdown_seconds),
            },
            r.startup_seconds
        );
    }
    let _ = writeln!(out, "\nfiles:");
    for f in &bp.files {
        let ownership = match f.ownership {
            Ownership::Managed => "managed",
            Ownership::Scaffold => "scaffold",
        };
        let scope = match f.scope {
            Scope::Service => "per service",
            Scope::Project => "per project",
            Scope::Environment => "per environment",
            Scope::ServiceEnvironment => "per service and environment",
        };
        let kind = f.kind.as_ref().map_or_else(String::new, |k| format!("  [{k} rules]"));
        let when = f.when.as_ref().map_or_else(String::new, |w| format!("  (when {w})"));
        let on = f.select.platforms.as_ref().map_or_else(String::new, |p| format!("  (on {})", p.join(", ")));
        let needs = f.select.requires.as_ref().map_or_else(String::new, |r| {
            format!("  (needs {})", r.iter().map(|c| c.name()).collect::<Vec<_>>().join(", "))
        });
        let _ = writeln!(out, "  {ownership:<9} {scope:<12} {}{kind}{on}{needs}{when}", f.target);
    }
    out
}
