//! Platforms: where a spec's services run. One module per target (`azure/`, `local/`), each
//! owning its part of the spec (the serde types under `platform.<name>`, their defaults, its
//! region data), its spec rules, what an environment on it requires, the values it adds to
//! the template context and the capabilities it has; one line in [`platforms!`] below lists it.
//!
//! A platform is part of the spec stage: the spec's model holds a [`Target`], and the
//! platforms' rules read a loaded spec. Nothing outside `src/platform/<name>/` names a target.

pub mod aws;
pub mod azure;
pub mod local;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostics, Route, Rule};
use crate::spec::model::{Github, IngressController, LogsStack, MetricsStack, RouteKind, Spec, TerraformState};
use crate::spec::rules::Check;
use crate::spec::{Environment, Loaded};

/// What a platform can run: the blueprint's files a spec gets depend on the capabilities of
/// the platforms its environments run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// A Kubernetes cluster: the chart and the manifests deploy there.
    Kubernetes,
    /// Infrastructure as Terraform code, applied by the workflow.
    Terraform,
    /// A workflow that builds, pushes and deploys from the repository's CI, signing in to the
    /// cloud.
    CloudPipeline,
    /// Argo CD deploys what a branch holds (`pipeline.deploy: gitops`).
    Gitops,
    /// prometheus-operator runs in the cluster (the spec's metrics stack is
    /// kube-prometheus-stack): its PrometheusRules and Grafana's dashboards deploy there.
    PrometheusOperator,
    /// ECS services on Fargate (AWS with `platform.aws.ecs`): task definitions and services
    /// behind a load balancer, and no Kubernetes.
    Ecs,
}

impl Capability {
    /// Every capability, in order.
    pub const ALL: [Capability; 6] = [
        Capability::Kubernetes,
        Capability::Terraform,
        Capability::CloudPipeline,
        Capability::Gitops,
        Capability::PrometheusOperator,
        Capability::Ecs,
    ];

    /// Its name in a blueprint's `requires:`.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Kubernetes => "kubernetes",
            Capability::Terraform => "terraform",
            Capability::CloudPipeline => "cloud-pipeline",
            Capability::Gitops => "gitops",
            Capability::PrometheusOperator => "prometheus-operator",
            Capability::Ecs => "ecs",
        }
    }
}

/// One target a spec's services can run on: what gen knows of it apart from the values a
/// spec gives it (those are its [`TargetSpec`]).
pub trait Platform: Sync + std::fmt::Debug {
    /// Its key under `platform` in the spec (`platform: {azure: {...}}`), and its name in
    /// messages and templates (`platform.target`, `environment.platform`).
    fn name(&self) -> &'static str;
    /// One line for `gen init --help`.
    fn summary(&self) -> &'static str;
    /// What it can run.
    fn capabilities(&self) -> &'static [Capability];
    /// The StorageClass a claim that names none provisions from, where the platform's clusters
    /// have one (the closure check judges its access modes).
    fn default_storage_class(&self) -> Option<&'static str> {
        None
    }
    /// The platform's StorageClasses whose volumes one node mounts at a time (a disk's).
    fn single_node_storage_classes(&self) -> &'static [&'static str] {
        &[]
    }
    /// The StorageClasses its clusters are created with: a claim may name them though no
    /// file creates them (the closure check).
    fn cluster_storage_classes(&self) -> &'static [&'static str] {
        &[]
    }
    /// The API groups whose CRDs its clusters are created with.
    fn cluster_crd_groups(&self) -> &'static [&'static str] {
        &[]
    }
    /// The stacks its clusters collect the services' metrics with, its default first (none:
    /// nothing collects them there).
    fn metrics_stacks(&self) -> &'static [MetricsStack] {
        &[]
    }
    /// The stacks its clusters collect the services' logs with, its default first.
    fn logs_stacks(&self) -> &'static [LogsStack] {
        &[]
    }
    /// The kind a README's Prerequisites name its access roles by (`Azure role`), read after
    /// the platform's name: none when its clusters grant no role the deployer must hold.
    fn role_kind(&self) -> Option<&'static str> {
        None
    }
    /// Its spec rules, run on every spec (and every environment's) after the spec's own.
    fn rules(&self) -> &'static [(&'static Rule, Check)] {
        &[]
    }
    /// Whether it runs on the developer's machine: an environment moved there from the cloud
    /// builds its images there (the cloud's image is dropped) and serves its ingress without
    /// TLS (no certificate issuer runs there), unless the environment says otherwise.
    fn on_this_machine(&self) -> bool {
        false
    }
    /// Whether its clusters route HTTPRoutes, through a Gateway the spec names
    /// (`platform.<target>.ingress.gateway`) or one the platform creates.
    fn routes_httproutes(&self) -> bool {
        true
    }
    /// What a spec must hold when one of its environments (`envs`, never empty, in promotion
    /// order) runs on this platform, beyond what the schema requires of every spec.
    fn requirements(&self, top: &Loaded, envs: &[&Environment]) -> Diagnostics {
        let _ = (top, envs);
        Vec::new()
    }
    /// For a platform added at run time ([`Known::with`]): the JSON Schema of its block. The
    /// built-in platforms' blocks are in `schemas/spec.schema.json`.
    fn schema(&self) -> serde_json::Value {
        serde_json::json!({"type": "object"})
    }
    /// For a platform added at run time: its block, read and with its defaults. The built-in
    /// platforms' blocks are read by the spec's model ([`Target`]).
    fn read(&self, block: serde_json::Value) -> Result<Arc<dyn TargetSpec>, String> {
        let _ = block;
        Err(format!("platform `{}` is read by the spec's model", self.name()))
    }
}

/// A namespace the platform's software runs in (SPEC140 keeps the services and the
/// platform's other software out of it).
#[derive(Clone, Debug)]
pub struct PlatformNamespace {
    pub name: String,
    /// What runs there, as it ends "namespace `x` is where ...".
    pub what: String,
    /// The key of the spec that chooses it, when the spec does, with what gen would put there
    /// (a clause: "gen's Terraform would install ... there").
    pub chosen_at: Option<(Route, &'static str)>,
}

/// The part of a spec one platform reads (`platform.<name>`): its values and the defaults and
/// facts that follow from them.
pub trait TargetSpec: Send + Sync + std::fmt::Debug {
    /// The platform these values are for.
    fn platform(&self) -> &'static dyn Platform;
    /// Applies the defaults that depend on other values of the block (an Azure region's zones),
    /// or on whom the pipeline notifies (`notify`: `pipeline.notify.email`), who hears of the
    /// platform's alerts when the block names nobody.
    fn fill_defaults(&mut self, _notify: &[String]) {}
    /// Applies the defaults that depend on the spec's services (the names of what the platform
    /// creates for each one), after [`TargetSpec::fill_defaults`].
    fn fill_service_defaults(&mut self, _services: &[crate::spec::model::Service]) {}
    /// What the platform can run with these values: its [`Platform::capabilities`], unless
    /// the values choose a runtime that has fewer (AWS's ECS runs no Kubernetes).
    fn capabilities(&self) -> &'static [Capability] {
        self.platform().capabilities()
    }
    /// Where a service's image is pushed and the tag deployed until the pipeline sets one,
    /// when the spec names neither.
    fn default_image(&self, project: &str, service: &str) -> (String, &'static str);
    /// The storage class of a backed-up volume that names none, when the platform's default
    /// class cannot be snapshotted.
    fn backup_storage_class(&self) -> Option<&'static str> {
        None
    }
    /// The storage class of a `ReadWriteMany` volume that names none, where the platform's
    /// default class serves one node alone and another serves many.
    fn shared_storage_class(&self) -> Option<&'static str> {
        None
    }
    /// The VolumeSnapshotClass of a volume of `storage_class`, when the backup names none.
    fn snapshot_class(&self, storage_class: Option<&str>) -> &'static str;
    /// Whether a volume backup can be taken with the platform's default storage.
    fn snapshots_default_storage(&self) -> bool {
        true
    }
    /// The most snapshots one volume can keep with `snapshot_class`, and what keeps them,
    /// where the platform has a limit: beyond it every new snapshot fails.
    fn snapshot_limit(&self, snapshot_class: &str) -> Option<(u64, &'static str)> {
        let _ = snapshot_class;
        None
    }
    /// What names the cluster an environment's Terraform creates, where two environments may
    /// share one (the same account, region and cluster name on AWS): an environment whose
    /// cluster an earlier one creates runs in that one's Terraform workspace, in namespaces of
    /// its own. `None`: every environment's cluster is its own.
    fn cluster_id(&self) -> Option<String> {
        None
    }
    /// A service's ingress host when the spec names none, where the platform has one.
    fn default_host(&self, service: &str) -> Option<String> {
        let _ = service;
        None
    }
    /// The namespaces the platform's clusters are created with, or that gen's platform code
    /// (Terraform, the deploy script) installs software into for `spec`, each with what runs
    /// there: a service deployed into one would have gen create or relabel a namespace it does
    /// not own and put the deploy identity's rights beside that software. Kubernetes' own
    /// (`kube-system`, `default`...) are every platform's and not listed here.
    fn platform_namespaces(&self, spec: &Spec) -> Vec<PlatformNamespace> {
        let _ = spec;
        Vec::new()
    }
    /// The ingress controller the services' ingresses use.
    fn ingress(&self) -> &IngressController;
    /// How a service's ingress is routed when the spec does not say (`ingress.route`): an
    /// Ingress for the platform's ingress controller, unless the platform installs a Gateway.
    fn default_route(&self) -> RouteKind {
        RouteKind::Ingress
    }
    /// The public DNS zone the ingress hosts live in, with where the spec writes it.
    fn dns_zone(&self) -> Option<(Route, &str)> {
        None
    }
    /// Who hears of the cluster's alerts (its defaults filled), with where the spec writes
    /// them; none where no alert is sent anywhere (a laptop pages no one).
    fn alert_receivers(&self) -> Option<(Route, &[String])> {
        None
    }
    /// The node pool's fewest and most nodes, with where the spec writes the fewest.
    fn node_counts(&self) -> Option<(Route, u32, u32)> {
        None
    }
    /// Whether a volume's backups are taken in the cluster (a snapshot schedule beside the
    /// claim, `platform.backupsInCluster`); `false` where the platform's Terraform takes them
    /// outside it, so that they outlive the namespace and the cluster (AKS Backup, AWS Backup).
    fn backups_in_cluster(&self) -> bool {
        true
    }
    /// How long a stopping pod keeps accepting requests before its process is told to stop
    /// (the preStop delay, `platform.shutdownDelaySeconds`): the time the platform's load
    /// balancers take to stop sending it new ones once its endpoint is removed.
    fn shutdown_delay_seconds(&self) -> u32 {
        crate::blueprint::SHUTDOWN_DELAY_SECONDS
    }
    /// Whether every pod runs on one node (a volume one node mounts serves every replica).
    fn single_node(&self) -> bool {
        false
    }
    /// The `imagePullPolicy` of the services' containers: a node's copy of an image pulled by
    /// digest or by a tag never pushed over is the image, so no registry round trip at pod
    /// start.
    fn image_pull_policy(&self) -> &'static str {
        "IfNotPresent"
    }
    /// The Prometheus that scrapes the services' metrics on the platform's clusters, as
    /// templates read it (`platform.prometheus`): the namespace and pod labels of its scrapers
    /// (what the NetworkPolicy admits on the metrics port), and the apiVersion of the
    /// ServiceMonitor it reads, `null` where none is installed (no monitor is rendered).
    fn prometheus(&self) -> serde_json::Value {
        serde_json::json!({"namespace": "monitoring", "podLabels": {}, "serviceMonitor": null})
    }
    /// What templates read as `platform` (with `platform.target`, the platform's name, added):
    /// the block as written with its defaults, and whatever the platform works out from it.
    fn context(&self) -> serde_json::Value;
    /// What the platform works out for one environment of the project `project`
    /// (`environment`: its name when the spec declares environments), added to what that
    /// environment's files read as `platform` and to `environments[].context` (a local
    /// cluster's name and kubectl context).
    fn environment_context(
        &self,
        _project: &str,
        _environment: Option<&str>,
    ) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}

/// The environment whose Terraform creates the cluster the environment at `index` runs on:
/// itself, unless an earlier environment on the same platform names the same cluster
/// ([`TargetSpec::cluster_id`]).
pub fn cluster_creator(loaded: &Loaded, index: usize) -> usize {
    let envs = &loaded.environments;
    let id = |i: usize| envs[i].spec(loaded).spec.platform.target.spec().cluster_id();
    let Some(own) = id(index) else { return index };
    (0..index)
        .find(|&i| envs[i].target == envs[index].target && id(i).as_deref() == Some(own.as_str()))
        .unwrap_or(index)
}

/// Lists the platforms: the spec model's [`Target`], [`PLATFORMS`], and the spec's
/// `platform` block as written, whose keys are the platforms' module names. Adding a platform
/// is a module under `src/platform/` (with `Spec` and `PLATFORM`), its templates, and one
/// line in the invocation below.
macro_rules! platforms {
    ($($module:ident => $variant:ident),* $(,)?) => {
        /// Where an environment runs: one platform and the values the spec gives it.
        // A spec holds one per environment, a handful at most: boxing the larger variants
        // would cost every match a dereference to save a few hundred bytes.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, Debug, PartialEq)]
        pub enum Target {
            $($variant($module::Spec),)*
            /// A platform added at run time ([`Known::with`]), for the tests that prove a
            /// platform needs nothing but its module.
            Extra(Extra),
        }

        impl Target {
            /// The values, as the platform reads them.
            pub fn spec(&self) -> &dyn TargetSpec {
                match self {
                    $(Target::$variant(s) => s,)*
                    Target::Extra(e) => e.0.as_ref(),
                }
            }

            /// Applies the defaults that depend on other values of the block (an extra
            /// platform's block has them from [`Platform::read`]).
            pub fn fill_defaults(&mut self, notify: &[String]) {
                match self {
                    $(Target::$variant(s) => s.fill_defaults(notify),)*
                    Target::Extra(_) => {}
                }
            }

            /// Applies the defaults that depend on the spec's services.
            pub fn fill_service_defaults(&mut self, services: &[crate::spec::model::Service]) {
                match self {
                    $(Target::$variant(s) => s.fill_service_defaults(services),)*
                    Target::Extra(_) => {}
                }
            }
        }

        impl Serialize for Target {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Target::$variant(v) => v.serialize(s),)*
                    Target::Extra(e) => e.0.context().serialize(s),
                }
            }
        }

        /// Every platform, in the order of the schema's `platform` keys.
        pub static PLATFORMS: &[&dyn Platform] = &[$(&$module::PLATFORM),*];

        /// The spec's `platform` block as written: every target optional, exactly one given
        /// (SPEC015 says so before this is read).
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub(crate) struct Written {
            $(#[serde(default)] $module: Option<$module::Spec>,)*
            #[serde(default)]
            github: Option<Github>,
            #[serde(default)]
            terraform_state: Option<TerraformState>,
        }

        impl Written {
            /// The one target written, with the shared blocks; `None` when two are written.
            /// None written: the target is a platform added at run time, whose block the
            /// loader took out to read it ([`Extra::unread`] until then).
            pub(crate) fn split(self) -> Option<(Target, Option<Github>, Option<TerraformState>)> {
                let mut targets = Vec::new();
                $(if let Some(s) = self.$module { targets.push(Target::$variant(s)); })*
                let target = match targets.len() {
                    0 => Target::Extra(Extra::unread()),
                    1 => targets.pop()?,
                    _ => return None,
                };
                Some((target, self.github, self.terraform_state))
            }
        }
    };
}

platforms! {
    azure => Azure,
    local => Local,
    aws => Aws,
}

/// The platform named `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Platform> {
    PLATFORMS.iter().copied().find(|p| p.name() == name)
}

/// The values a platform added at run time reads from its block.
#[derive(Clone, Debug)]
pub struct Extra(pub Arc<dyn TargetSpec>);

impl Extra {
    /// Stands for a run-time platform's block between the model's reading of the spec and the
    /// platform's reading of its block; never seen outside `spec::load_with`.
    fn unread() -> Extra {
        Extra(Arc::new(Unread))
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        self.0.platform().name() == other.0.platform().name() && self.0.context() == other.0.context()
    }
}

/// See [`Extra::unread`].
#[derive(Debug)]
struct Unread;

impl Platform for Unread {
    fn name(&self) -> &'static str {
        ""
    }
    fn summary(&self) -> &'static str {
        ""
    }
    fn capabilities(&self) -> &'static [Capability] {
        &[]
    }
}

impl TargetSpec for Unread {
    fn platform(&self) -> &'static dyn Platform {
        &Unread
    }
    fn default_image(&self, project: &str, service: &str) -> (String, &'static str) {
        (format!("{project}/{service}"), "")
    }
    fn snapshot_class(&self, _storage_class: Option<&str>) -> &'static str {
        ""
    }
    fn ingress(&self) -> &IngressController {
        static NONE: std::sync::LazyLock<IngressController> = std::sync::LazyLock::new(IngressController::default);
        &NONE
    }
    fn context(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// The platforms a spec may name: [`PLATFORMS`], and for a test, platforms defined outside
/// the crate.
#[derive(Clone, Copy, Debug)]
pub struct Known<'a> {
    extra: &'a [&'static dyn Platform],
}

impl<'a> Known<'a> {
    /// The built-in platforms: what `gen` itself knows.
    pub fn builtin() -> Known<'static> {
        Known { extra: &[] }
    }

    /// The built-in platforms and `extra`.
    pub fn with(extra: &'a [&'static dyn Platform]) -> Known<'a> {
        Known { extra }
    }

    /// Every platform known, the built-in ones first.
    pub fn all(&self) -> impl Iterator<Item = &'static dyn Platform> + '_ {
        PLATFORMS.iter().chain(self.extra).copied()
    }

    /// The platforms added at run time.
    pub fn extra(&self) -> &'a [&'static dyn Platform] {
        self.extra
    }

    /// The platform named `name`.
    pub fn by_name(&self, name: &str) -> Option<&'static dyn Platform> {
        self.all().find(|p| p.name() == name)
    }
}

/// The platforms' names, in the order of [`PLATFORMS`].
pub fn names() -> impl Iterator<Item = &'static str> {
    PLATFORMS.iter().map(|p| p.name())
}

/// The platform gen checks a blueprint's example spec on, and `gen init` writes one for by
/// default: the first listed.
pub fn reference() -> &'static dyn Platform {
    PLATFORMS[0]
}

/// The platforms a spec's environments run on, sorted by name: the spec's own target and every
/// target an environment names instead. Each is the platform that read the block, so that one
/// added at run time (a test's) counts as a built-in one does.
pub fn targets(loaded: &Loaded) -> Vec<&'static dyn Platform> {
    let mut out: Vec<&'static dyn Platform> = std::iter::once(loaded)
        .chain(loaded.environments.iter().map(|e| e.spec(loaded)))
        .map(|l| l.spec.platform.on())
        .collect();
    out.sort_by_key(|p| p.name());
    out.dedup_by_key(|p| p.name());
    out
}

/// What the platforms a spec runs on can do, together: the spec as written's and each
/// environment's, each for its own values (an EKS environment and an ECS one differ; a local
/// one runs prometheus-operator where a cloud one has its managed Prometheus). `gitops` counts
/// only when the spec deploys that way.
pub fn capabilities(loaded: &Loaded) -> BTreeSet<Capability> {
    std::iter::once(loaded)
        .chain(loaded.environments.iter().map(|e| e.spec(loaded)))
        .flat_map(|l| capabilities_on(&l.spec))
        .collect()
}

/// The stacks that collect a spec's metrics and logs on its platform: the spec's choice where
/// the platform runs it (SPEC174 reports one it does not), else the platform's default; none
/// when the spec turns observability off or the platform runs no such stack.
pub fn observability_stacks(spec: &Spec) -> (Option<MetricsStack>, Option<LogsStack>) {
    if !spec.observability.enabled {
        return (None, None);
    }
    // The stacks run in a cluster: none where the values run no Kubernetes (ECS).
    if !spec.platform.target.spec().capabilities().contains(&Capability::Kubernetes) {
        return (None, None);
    }
    let platform = spec.platform.on();
    fn pick<S: Copy + PartialEq>(chosen: Option<S>, runs: &[S]) -> Option<S> {
        chosen.filter(|c| runs.contains(c)).or_else(|| runs.first().copied())
    }
    (
        pick(spec.observability.metrics.stack, platform.metrics_stacks()),
        pick(spec.observability.logs.stack, platform.logs_stacks()),
    )
}

/// What templates read as `platform.prometheus` (its `labels`: what it selects monitors by) for
/// the stack that collects metrics:
/// kube-prometheus-stack's Prometheus in `monitoring`, which selects monitors and rules by its
/// release's label; the platform's managed one ([`TargetSpec::prometheus`]); or none.
pub fn prometheus_value(target: &dyn TargetSpec, stack: Option<MetricsStack>) -> serde_json::Value {
    let mut value = match stack {
        Some(MetricsStack::KubePrometheusStack) => serde_json::json!({
            "namespace": KUBE_PROMETHEUS_STACK.namespace,
            "podLabels": {"app.kubernetes.io/name": "prometheus"},
            "serviceMonitor": "monitoring.coreos.com/v1",
            "labels": {"release": KUBE_PROMETHEUS_STACK.release},
        }),
        Some(MetricsStack::Managed) => target.prometheus(),
        None => serde_json::json!({"namespace": "monitoring", "podLabels": {}, "serviceMonitor": null}),
    };
    if let Some(map) = value.as_object_mut() {
        map.entry("labels").or_insert_with(|| serde_json::json!({}));
    }
    value
}

/// What templates read as `platform.observability`: the names of the stacks that collect
/// metrics and logs on the platform (or none).
pub fn observability_value(metrics: Option<MetricsStack>, logs: Option<LogsStack>) -> serde_json::Value {
    serde_json::json!({"metrics": metrics.map(MetricsStack::name), "logs": logs.map(LogsStack::name)})
}

/// What templates read as `stacks`: the charts gen installs stacks with (`kubePrometheusStack`,
/// `loki`, `fluentBit`: release, namespace, chart, repository, version), and Prometheus'
/// size-based retention for the spec (`retentionSize`: four fifths of its volume, so that a
/// busy stretch deletes the oldest samples before the volume fills).
pub fn stacks_value(spec: &Spec) -> serde_json::Value {
    let chart = |c: &StackChart| {
        serde_json::json!({
            "release": c.release,
            "namespace": c.namespace,
            "chart": c.chart,
            "repository": c.repository,
            "version": c.version,
        })
    };
    let storage = spec.observability.metrics.storage.as_deref().unwrap_or("10Gi");
    serde_json::json!({
        "kubePrometheusStack": chart(&KUBE_PROMETHEUS_STACK),
        "loki": chart(&LOKI),
        "fluentBit": chart(&FLUENT_BIT),
        "retentionSize": mebibytes(storage).map(|m| format!("{}MiB", m * 4 / 5)),
    })
}

/// A volume's size (`10Gi`, `500Mi`, `1Ti`) in MiB.
fn mebibytes(quantity: &str) -> Option<u64> {
    let (number, scale) = [("Mi", 1), ("Gi", 1024), ("Ti", 1024 * 1024)]
        .iter()
        .find_map(|(unit, scale)| quantity.strip_suffix(unit).map(|n| (n, *scale)))?;
    number.parse::<u64>().ok()?.checked_mul(scale)
}

/// A chart a platform's clusters are given by gen (its deploy script or Terraform): its
/// release, namespace, repository and pinned version.
#[derive(Clone, Copy, Debug)]
pub struct StackChart {
    pub release: &'static str,
    pub namespace: &'static str,
    pub chart: &'static str,
    pub repository: &'static str,
    pub version: &'static str,
}

/// prometheus-operator, Prometheus, Alertmanager, Grafana, kube-state-metrics and the node
/// exporter (chart 88.5.3, 2026-08-21). Its Prometheus selects monitors and rules carrying
/// `release: kube-prometheus-stack` unless told otherwise (gen's values tell it to select
/// every one, and gen's monitors carry the label too).
pub const KUBE_PROMETHEUS_STACK: StackChart = StackChart {
    release: "kube-prometheus-stack",
    namespace: "monitoring",
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
};

/// Loki, one binary on a filesystem volume (chart 18.11.0, 2026-08-20; the OSS chart moved
/// from grafana/helm-charts to grafana-community/helm-charts in March 2026).
pub const LOKI: StackChart = StackChart {
    release: "loki",
    namespace: "monitoring",
    chart: "loki",
    repository: "https://grafana-community.github.io/helm-charts",
    version: "18.11.0",
};

/// Fluent Bit on every node, tailing the containers' logs into Loki (chart 0.58.1,
/// 2026-08-18).
pub const FLUENT_BIT: StackChart = StackChart {
    release: "fluent-bit",
    namespace: "monitoring",
    chart: "fluent-bit",
    repository: "https://fluent.github.io/helm-charts",
    version: "0.58.1",
};

/// What the platform of `spec` (the spec as written, or an environment's) can do for it: its
/// values' capabilities, `gitops` only when the spec deploys that way.
pub fn capabilities_on(spec: &Spec) -> Vec<Capability> {
    let gitops = spec.pipeline.deploy == crate::spec::model::Deploy::Gitops;
    let operator = observability_stacks(spec).0 == Some(MetricsStack::KubePrometheusStack);
    let has = spec.platform.target.spec().capabilities();
    let kubernetes = has.contains(&Capability::Kubernetes);
    has.iter()
        .copied()
        .filter(|c| *c != Capability::Gitops || gitops)
        .chain((operator && kubernetes).then_some(Capability::PrometheusOperator))
        .collect()
}

#[cfg(test)]
mod capability_tests {
    use super::Capability;

    #[test]
    fn a_capability_s_name_is_the_one_blueprints_write_and_their_schema_lists() {
        let names: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
        for c in Capability::ALL {
            assert_eq!(serde_json::to_value(c).expect("serializes"), c.name());
        }
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/blueprint.schema.json")).expect("the blueprint schema");
        let mut listed = Vec::new();
        find_requires(&schema, &mut listed);
        assert!(!listed.is_empty(), "the schema lists the capabilities under `requires`");
        for enumerated in listed {
            assert_eq!(enumerated, names, "schemas/blueprint.schema.json lists other capabilities than gen knows");
        }
    }

    /// Every `requires` property's item enum in the schema.
    fn find_requires(v: &serde_json::Value, out: &mut Vec<Vec<String>>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(items) = map.get("requires").and_then(|r| r["items"]["enum"].as_array()) {
                    out.push(items.iter().filter_map(|i| i.as_str().map(String::from)).collect());
                }
                map.values().for_each(|v| find_requires(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| find_requires(v, out)),
            _ => {}
        }
    }
}
