//! Stage 3: the typed spec, with every documented default applied.
//!
//! Field names and defaults mirror `schemas/spec.schema.json`; `tests::schema_and_model_agree`
//! keeps the two from drifting apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::platform::Target;

/// A whole project spec.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    pub platform: Platform,
    pub services: Vec<Service>,
    /// Where the services run, in the order an image is promoted through them; none: one
    /// environment, the platform as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub pipeline: Pipeline,
    #[serde(default)]
    pub observability: Observability,
    #[serde(default)]
    pub lint: Lint,
}

impl Spec {
    /// Applies the defaults that depend on where a type is used (serde's defaults are per
    /// type) or on another key: local storage is 64Mi requested and 256Mi at most; a
    /// service's namespace is the project's name.
    /// In a local cluster, an image is built and loaded as `<project>/<service>:dev` and an
    /// ingress host defaults to `<service>.<local.domain>` without TLS (see
    /// `spec::environments` for which of these a spec can override).
    pub fn fill_defaults(&mut self) {
        let notify = self.pipeline.notify.as_ref().map(|n| n.email.clone()).unwrap_or_default();
        self.platform.target.fill_defaults(&notify);
        self.platform.target.fill_service_defaults(&self.services);
        let target = self.platform.target.spec();
        let observability = &mut self.observability;
        observability.metrics.retention.get_or_insert_with(|| "30d".into());
        observability.metrics.storage.get_or_insert_with(|| "10Gi".into());
        observability.logs.retention.get_or_insert_with(|| "7d".into());
        observability.logs.storage.get_or_insert_with(|| "10Gi".into());
        for service in &mut self.services {
            service.namespace.get_or_insert_with(|| self.metadata.name.clone());
            // A renamed service keeps the image repository its releases are in.
            let (repository, tag) = target.default_image(&self.metadata.name, service.former_name());
            let image = service.image.get_or_insert_with(Image::default);
            image.repository.get_or_insert(repository);
            image.tag.get_or_insert_with(|| tag.to_string());
            if let Some(volume) = &mut service.persistence
                && volume.access_mode == AccessMode::ReadWriteMany
                && let Some(class) = target.shared_storage_class()
            {
                volume.storage_class.get_or_insert_with(|| class.into());
            }
            // A platform whose clusters are not created with its default class (EKS's
            // default is the in-tree `gp2`, or none since 1.30; gen's class is `gp3`) names it
            // in every claim: a claim that named none would wait for a class nobody made.
            if let Some(volume) = &mut service.persistence
                && let Some(class) = target.platform().default_storage_class()
                && !target.platform().cluster_storage_classes().contains(&class)
            {
                volume.storage_class.get_or_insert_with(|| class.into());
            }
            if let Some(volume) = &mut service.persistence
                && let Some(backup) = &mut volume.backup
            {
                // Snapshots need a CSI driver: the platform says which classes have one.
                if let Some(class) = target.backup_storage_class() {
                    volume.storage_class.get_or_insert_with(|| class.into());
                }
                let storage_class = volume.storage_class.as_deref();
                backup.snapshot_class.get_or_insert_with(|| target.snapshot_class(storage_class).into());
            }
            if let (Some(host), Some(ingress)) = (target.default_host(&service.name), &mut service.ingress)
                && ingress.host.is_empty()
            {
                ingress.host = host;
            }
            // The route is the platform's choice unless the spec makes it: decided here, once,
            // so that every template and rule reads the same answer.
            if let Some(ingress) = &mut service.ingress {
                ingress.route.get_or_insert(target.default_route());
            }
            let r = &mut service.resources;
            r.requests.ephemeral_storage.get_or_insert_with(|| EPHEMERAL_REQUEST.to_string());
            r.limits.ephemeral_storage.get_or_insert_with(|| EPHEMERAL_LIMIT.to_string());
            if service.release.tag_prefix.is_none() {
                service.release.tag_prefix = Some(service.tag_prefix());
            }
        }
    }
}

/// The GitHub environment a spec without environments deploys through when
/// `platform.github.environment` is not set: every deploy job runs in one, so that its
/// protection rules gate the deploy and the deploy identity trusts it, not a branch.
pub const DEFAULT_GITHUB_ENVIRONMENT: &str = "production";

/// Local storage requested when a spec says nothing.
pub const EPHEMERAL_REQUEST: &str = "64Mi";
/// Local storage allowed at most when a spec says nothing.
pub const EPHEMERAL_LIMIT: &str = "256Mi";

/// The project's identity.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What every service shares: where the services run (exactly one target: a platform of
/// [`crate::platform::PLATFORMS`], or one added at run time), the GitHub repository, the
/// Terraform state. Written and
/// read as `{<target>: {...}, github: ..., terraformState: ...}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub target: Target,
    pub github: Option<Github>,
    pub terraform_state: Option<TerraformState>,
}

impl Platform {
    /// The name of the platform the services run on.
    pub fn target_name(&self) -> &'static str {
        self.on().name()
    }

    /// The platform the services run on: the one that read the block.
    pub fn on(&self) -> &'static dyn crate::platform::Platform {
        self.target.spec().platform()
    }

    /// The ingress controller of the target.
    pub fn ingress(&self) -> &IngressController {
        self.target.spec().ingress()
    }
}

impl Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry(self.target_name(), &self.target)?;
        if let Some(github) = &self.github {
            map.serialize_entry("github", github)?;
        }
        if let Some(state) = &self.terraform_state {
            map.serialize_entry("terraformState", state)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = crate::platform::Written::deserialize(d)?;
        let (target, github, terraform_state) =
            written.split().ok_or_else(|| serde::de::Error::custom("the platform must name exactly one target"))?;
        Ok(Platform { target, github, terraform_state })
    }
}

/// One environment: a name, and what differs there. The overrides are merged over the
/// platform and the services as written (`spec::environments`), then checked as a whole spec.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Environment {
    pub name: String,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub platform: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

/// The ingress controller.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct IngressController {
    pub class_name: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayRef>,
}

impl Default for IngressController {
    fn default() -> Self {
        IngressController { class_name: "nginx".into(), namespace: "ingress-nginx".into(), gateway: None }
    }
}

impl IngressController {
    /// Reads a platform's `ingress` block, each key it omits taken from `default` (the
    /// platform's, where the model's own are a local cluster's).
    pub fn read_over<'de, D: serde::Deserializer<'de>>(d: D, default: IngressController) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Written {
            class_name: Option<String>,
            namespace: Option<String>,
            gateway: Option<GatewayRef>,
        }
        let written = Written::deserialize(d)?;
        Ok(IngressController {
            class_name: written.class_name.unwrap_or(default.class_name),
            namespace: written.namespace.unwrap_or(default.namespace),
            gateway: written.gateway.or(default.gateway),
        })
    }
}

/// A Gateway API Gateway.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewayRef {
    pub name: String,
    pub namespace: String,
}

/// The GitHub repository.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Github {
    pub repository: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

fn default_branch() -> String {
    "main".into()
}

/// Where Terraform keeps its state.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TerraformState {
    pub resource_group: String,
    pub storage_account: String,
    #[serde(default = "default_container")]
    pub container: String,
}

fn default_container() -> String {
    "tfstate".into()
}

/// One service.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    pub name: String,
    #[serde(default = "default_blueprint")]
    pub blueprint: String,
    /// The folder of the service's code, from the spec's folder; `None`: gen scaffolds it in
    /// its output (`services/<name>/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The service's former name: its tags, code folder and Terraform keep their history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Filled with the project's name when omitted ([`Spec::fill_defaults`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default = "default_replicas")]
    pub replicas: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    #[serde(default)]
    pub resources: Resources,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    #[serde(default)]
    pub health: Health,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Ingress>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub secret_env: Vec<String>,
    #[serde(default)]
    pub egress: Vec<Egress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistence: Option<Persistence>,
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub release: Release,
    #[serde(default)]
    pub slo: Slo,
}

/// What "healthy" means for a service: the share of its requests, over 30 days, that must
/// succeed and be fast (its service level objectives). gen renders from them the recording
/// rules of each indicator and the multi-window, multi-burn-rate alerts of Google's SRE
/// workbook (`src/observability.rs`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Slo {
    /// The percentage of requests answered without a server error (5xx).
    pub availability: f64,
    pub latency: LatencySlo,
}

impl Default for Slo {
    fn default() -> Self {
        Slo { availability: 99.9, latency: LatencySlo::default() }
    }
}

/// The percentage of requests answered within `threshold`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct LatencySlo {
    pub objective: f64,
    /// A duration in milliseconds (`250ms`) or seconds (`1s`): a bucket boundary of the
    /// blueprint's latency histogram, so that the indicator is counted, not interpolated.
    pub threshold: String,
}

impl Default for LatencySlo {
    fn default() -> Self {
        LatencySlo { objective: 99.0, threshold: "250ms".into() }
    }
}

impl LatencySlo {
    /// The threshold in seconds; `None` for a value the schema refuses.
    pub fn seconds(&self) -> Option<f64> {
        duration_seconds(&self.threshold)
    }
}

/// The seconds of a duration in milliseconds (`250ms`) or seconds (`1s`); `None` for anything
/// else, or a duration that is not positive.
pub fn duration_seconds(duration: &str) -> Option<f64> {
    let t = duration.trim();
    let (number, scale) = match t.strip_suffix("ms") {
        Some(n) => (n, 1000.0),
        None => (t.strip_suffix('s')?, 1.0),
    };
    number.parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0).map(|n| n / scale)
}

/// Whether gen renders what watches the services (their monitors, SLO rules, alerts and
/// dashboards), and the stacks that collect their metrics and logs.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Observability {
    pub enabled: bool,
    pub metrics: Collector<MetricsStack>,
    pub logs: Collector<LogsStack>,
}

impl Default for Observability {
    fn default() -> Self {
        Observability { enabled: true, metrics: Collector::default(), logs: Collector::default() }
    }
}

/// What collects one kind of signal: the stack (`None`: the platform's default, the first of
/// [`crate::platform::Platform::metrics_stacks`] or `logs_stacks`), how long it keeps what it
/// collects (a Prometheus duration: `15d`), and the volume it keeps it on (`10Gi`), where the
/// stack runs in the cluster. [`Spec::fill_defaults`] sets what the spec leaves out: 30 days
/// of metrics and 7 of logs, each on 10Gi.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    bound(deserialize = "S: Deserialize<'de>", serialize = "S: Serialize")
)]
pub struct Collector<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

impl<S> Default for Collector<S> {
    fn default() -> Self {
        Collector { stack: None, retention: None, storage: None }
    }
}

/// What collects the services' metrics and evaluates their rules.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum MetricsStack {
    /// prometheus-operator, Prometheus, Alertmanager and Grafana, installed in the cluster
    /// (the kube-prometheus-stack chart).
    #[serde(rename = "kube-prometheus-stack")]
    KubePrometheusStack,
    /// The cloud's managed Prometheus (on AKS, Azure Monitor's, with its alert rule groups).
    #[serde(rename = "managed")]
    Managed,
}

/// What collects the services' logs.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub enum LogsStack {
    /// Fluent Bit on every node, sending to Loki in the cluster (Grafana reads it).
    #[serde(rename = "loki")]
    Loki,
    /// Fluent Bit to Elasticsearch, read in Kibana (the EFK stack).
    #[serde(rename = "elasticsearch")]
    Elasticsearch,
    /// The cloud's own logs (on AKS, Container Insights in Log Analytics).
    #[serde(rename = "cloud")]
    Cloud,
}

impl MetricsStack {
    pub fn name(self) -> &'static str {
        match self {
            MetricsStack::KubePrometheusStack => "kube-prometheus-stack",
            MetricsStack::Managed => "managed",
        }
    }
}

impl LogsStack {
    pub fn name(self) -> &'static str {
        match self {
            LogsStack::Loki => "loki",
            LogsStack::Elasticsearch => "elasticsearch",
            LogsStack::Cloud => "cloud",
        }
    }
}

/// How the pipeline names the service's releases: each release is the git tag `tagPrefix`
/// followed by its version, and the version is the newest such tag's with its patch bumped.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Release {
    /// `<service>/v` when omitted (`<renamedFrom>/v` for a renamed service: its history),
    /// ([`Spec::fill_defaults`]): the same whether the spec has one
    /// service or several, so that adding a service never restarts another's versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_prefix: Option<String>,
    /// Prefixes the service's tags had before: their versions continue in the new prefix.
    #[serde(default)]
    pub former_tag_prefixes: Vec<String>,
}

impl Service {
    /// The prefix of the service's release tags (filled by [`Spec::fill_defaults`]).
    pub fn tag_prefix(&self) -> String {
        self.release.tag_prefix.clone().unwrap_or_else(|| format!("{}/v", self.former_name()))
    }

    /// The name its history is under: its former name when renamed (`renamedFrom`), which its
    /// release tags, image repository and Key Vault keep, else its name.
    pub fn former_name(&self) -> &str {
        self.renamed_from.as_deref().unwrap_or(&self.name)
    }
}

fn default_blueprint() -> String {
    "flask".into()
}
fn default_port() -> u16 {
    8080
}
fn default_replicas() -> u32 {
    2
}

/// The container image.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Image {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// `sha256:` and 64 hex digits: the plain manifests and the chart's defaults run exactly
    /// this image (the pipeline deploys the digest it built whatever this says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The host a repository on Docker Hub is written with (`docker.io/NAMESPACE/NAME`): gen reads
/// a repository as Docker Hub's by it alone, not by a name without a host, which a reader
/// takes for a typo as often as for Docker Hub.
pub const DOCKER_HUB: &str = "docker.io";

impl Image {
    /// The repository without its host, when it is on Docker Hub (`docker.io/NAMESPACE/NAME`).
    pub fn docker_hub_repository(&self) -> Option<&str> {
        self.repository.as_deref()?.strip_prefix(DOCKER_HUB)?.strip_prefix('/')
    }

    /// Whether the repository is on Docker Hub.
    pub fn on_docker_hub(&self) -> bool {
        self.docker_hub_repository().is_some()
    }
}

/// Requests and limits.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    #[serde(default = "default_requests")]
    pub requests: ResourceAmounts,
    #[serde(default = "default_limits")]
    pub limits: ResourceAmounts,
}

impl Default for Resources {
    fn default() -> Self {
        Resources { requests: default_requests(), limits: default_limits() }
    }
}

fn default_requests() -> ResourceAmounts {
    ResourceAmounts { cpu: "100m".into(), memory: "128Mi".into(), ephemeral_storage: None }
}
fn default_limits() -> ResourceAmounts {
    ResourceAmounts { cpu: "500m".into(), memory: "256Mi".into(), ephemeral_storage: None }
}

/// A CPU, memory and local storage amount, as Kubernetes quantities.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceAmounts {
    #[serde(deserialize_with = "quantity")]
    pub cpu: String,
    #[serde(deserialize_with = "quantity")]
    pub memory: String,
    #[serde(default, deserialize_with = "optional_quantity", skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<String>,
}

fn optional_quantity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    quantity(d).map(Some)
}

/// A quantity written as a string (`500m`) or a bare number (`0.5`, `1e9`), kept as text.
fn quantity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Text::deserialize(d)? {
        Text::S(s) => s,
        Text::N(n) => n.to_string(),
    })
}

/// The HorizontalPodAutoscaler.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Autoscaling {
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub cpu_utilization: u32,
}

impl Default for Autoscaling {
    fn default() -> Self {
        Autoscaling { min_replicas: 2, max_replicas: 5, cpu_utilization: 70 }
    }
}

/// Probe paths.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Health {
    pub liveness: String,
    pub readiness: String,
}

impl Default for Health {
    fn default() -> Self {
        Health { liveness: "/healthz".into(), readiness: "/readyz".into() }
    }
}

/// The service's ingress route.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ingress {
    /// Empty until [`Spec::fill_defaults`] gives a local cluster's default.
    #[serde(default)]
    pub host: String,
    #[serde(default = "default_path")]
    pub path: String,
    #[serde(default)]
    pub strip_prefix: bool,
    #[serde(default = "default_true")]
    pub tls: bool,
    /// Empty until [`Spec::fill_defaults`] gives the platform's default route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteKind>,
}

/// How a service is exposed.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RouteKind {
    /// An Ingress for the ingress controller.
    Ingress,
    /// A Gateway API HTTPRoute.
    Httproute,
}

/// One destination the service may connect to.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Egress {
    pub cidr: String,
    pub ports: Vec<u16>,
    #[serde(default)]
    pub protocol: Protocol,
}

/// A transport protocol.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub enum Protocol {
    #[default]
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
}

fn default_path() -> String {
    "/".into()
}
fn default_true() -> bool {
    true
}

/// A mounted volume claim.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Persistence {
    #[serde(deserialize_with = "quantity")]
    pub size: String,
    pub mount_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    #[serde(default)]
    pub access_mode: AccessMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Backup>,
}

/// Scheduled snapshots of a volume, kept for a while.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Backup {
    /// A cron schedule, in the cluster's time zone (UTC on AKS).
    #[serde(default = "default_backup_schedule")]
    pub schedule: String,
    /// Days a snapshot is kept.
    pub retention_days: u32,
    /// The VolumeSnapshotClass; empty: the platform's (`csi-azuredisk-vsc` on AKS,
    /// `csi-hostpath-snapclass` on minikube).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_class: Option<String>,
}

fn default_backup_schedule() -> String {
    "0 3 * * *".into()
}

/// How many nodes may mount a volume.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub enum AccessMode {
    /// One node (a disk).
    #[default]
    ReadWriteOnce,
    /// Many nodes (a file share).
    ReadWriteMany,
}

/// The workflow.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Pipeline {
    pub static_analysis: StaticAnalysis,
    pub static_analysis_fail_on: Severity,
    pub image_scan: ImageScan,
    pub versioning: Versioning,
    pub deploy: Deploy,
    pub gitops: Gitops,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    #[serde(rename = "gen")]
    pub gen_source: GenSource,
    pub dependabot: Dependabot,
}

/// Whose `.github/dependabot.yml` it is: gen's (rendered, the services' Python locks), or the
/// repository's own (GitHub reads one file; gen's README then lists the entries to add to it).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Dependabot {
    #[default]
    Gen,
    Own,
}

/// Where the drift job installs gen from: a release's wheel from a package index, verified
/// against the hashes of a lock file beside the spec, or a git repository and a tag or commit
/// of it, compiled on the runner.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct GenSource {
    pub install: GenInstall,
    pub version: String,
    pub index: String,
    pub lock: String,
    pub repository: String,
    pub revision: String,
}

/// How the drift job gets gen.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum GenInstall {
    /// `cargo install` of the repository at the revision: for teams that run no binary they
    /// did not build.
    Source,
    /// `pip install --require-hashes` of the wheel the lock pins: nothing compiled.
    #[default]
    Wheel,
}

impl Default for GenSource {
    fn default() -> Self {
        GenSource {
            install: GenInstall::default(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            index: "https://pypi.org/simple".to_string(),
            lock: "gen-requirements.txt".to_string(),
            repository: env!("CARGO_PKG_REPOSITORY").to_string(),
            revision: concat!("v", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

/// The lowest severity of a static-analysis finding that fails the build.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    #[default]
    High,
    Critical,
}

/// How a `gitops` pipeline hands a new image tag to Argo CD.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Gitops {
    pub update: GitopsUpdate,
}

/// How the new tag reaches the branch Argo CD watches.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum GitopsUpdate {
    /// A pull request, merged by a person (or by auto-merge).
    #[default]
    PullRequest,
    /// A commit straight to the branch.
    Commit,
}

/// Static analysis tool.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StaticAnalysis {
    Snyk,
    #[default]
    Semgrep,
    None,
}

/// Image scan.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct ImageScan {
    pub tool: ScanTool,
    pub fail_on: Vec<String>,
}

impl Default for ImageScan {
    fn default() -> Self {
        ImageScan { tool: ScanTool::Trivy, fail_on: vec!["CRITICAL".into()] }
    }
}

/// Image scanner.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ScanTool {
    #[default]
    Trivy,
    None,
}

/// Image versioning scheme.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Versioning {
    #[default]
    SemverTags,
}

/// Deployment style.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Deploy {
    #[default]
    Helm,
    Gitops,
}

/// Notifications.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Notify {
    pub email: Vec<String>,
}

/// Lint settings.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Lint {
    /// The rules reported, by code, name or code prefix (`DF`, `K8S0`); empty: every rule.
    /// Rules that keep the output safe are reported whatever this says.
    pub select: Vec<String>,
    pub ignore: Vec<Ignore>,
    /// Severities changed from the rules' own.
    pub severity: Vec<SeverityOverride>,
}

/// A rule reported at another severity: everywhere, or for one service, spec path or file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeverityOverride {
    pub rule: String,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// A severity a project may give a rule.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    /// Also `info`, as the reports call it.
    #[serde(alias = "info")]
    Note,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        })
    }
}

impl Level {
    pub fn severity(self) -> crate::diag::Severity {
        match self {
            Level::Error => crate::diag::Severity::Error,
            Level::Warning => crate::diag::Severity::Warning,
            Level::Note => crate::diag::Severity::Info,
        }
    }
}

/// One ignored rule: everywhere, or for one service, spec path or rendered file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ignore {
    pub rule: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}
