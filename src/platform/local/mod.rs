//! Local: minikube or kind on this machine, deployed by `scripts/deploy-local.sh`.

pub mod rules;

use serde::{Deserialize, Serialize};

use super::{Capability, Check, Platform, PlatformNamespace, Target, TargetSpec};
use crate::diag::Rule;
use crate::spec::model::{IngressController, LogsStack, MetricsStack, RouteKind};

/// The platform's name: its key under `platform` in the spec.
pub const NAME: &str = "local";

/// The tag of an image built on a laptop and loaded into a local cluster.
pub const LOCAL_TAG: &str = "dev";

/// A Kubernetes on this machine.
#[derive(Debug)]
pub struct Local;

/// The one value of [`Local`], listed in [`super::PLATFORMS`].
pub static PLATFORM: Local = Local;

/// The local block of a spec whose services run on this machine.
pub fn of(spec: &crate::spec::Spec) -> Option<&Spec> {
    match &spec.platform.target {
        Target::Local(local) => Some(local),
        _ => None,
    }
}

impl Platform for Local {
    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "minikube or kind on this machine, by scripts/deploy-local.sh"
    }

    /// minikube's and kind's `standard`.
    fn cluster_storage_classes(&self) -> &'static [&'static str] {
        &["standard"]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[Capability::Kubernetes]
    }

    fn on_this_machine(&self) -> bool {
        true
    }

    /// kube-prometheus-stack, which scripts/deploy-local.sh installs.
    fn metrics_stacks(&self) -> &'static [MetricsStack] {
        &[MetricsStack::KubePrometheusStack]
    }

    /// Fluent Bit to Loki, which scripts/deploy-local.sh installs.
    fn logs_stacks(&self) -> &'static [LogsStack] {
        &[LogsStack::Loki]
    }

    fn rules(&self) -> &'static [(&'static Rule, Check)] {
        RULES
    }
}

/// The rules, in the order they run.
static RULES: &[(&Rule, Check)] = &[
    (&rules::setting_no_local_cluster_serves::RULE, rules::setting_no_local_cluster_serves::check),
    (&rules::local_cluster_shared::RULE, rules::local_cluster_shared::check),
];

impl TargetSpec for Spec {
    fn platform(&self) -> &'static dyn Platform {
        &PLATFORM
    }

    fn default_image(&self, project: &str, service: &str) -> (String, &'static str) {
        (format!("{project}/{service}"), LOCAL_TAG)
    }

    /// Snapshots need a CSI driver: on minikube the csi-hostpath-driver addon's class.
    fn backup_storage_class(&self) -> Option<&'static str> {
        (self.cluster == Cluster::Minikube).then_some("csi-hostpath-sc")
    }

    fn snapshot_class(&self, _storage_class: Option<&str>) -> &'static str {
        "csi-hostpath-snapclass"
    }

    /// kind's default provisioner (local-path) is no CSI driver: its volumes cannot be
    /// snapshotted.
    fn snapshots_default_storage(&self) -> bool {
        self.cluster != Cluster::Kind
    }

    fn default_host(&self, service: &str) -> Option<String> {
        Some(format!("{service}.{}", self.domain))
    }

    /// What the deploy script installs (ingress-nginx, snapscheduler; metrics-server and the
    /// CSI driver go to `kube-system`), and kind's own volume provisioner.
    fn platform_namespaces(&self, spec: &crate::spec::Spec) -> Vec<PlatformNamespace> {
        // The edge's namespace is fixed locally (SPEC137 refuses another): not a choice.
        let installed =
            |name: &str, what: &str| PlatformNamespace { name: name.into(), what: what.into(), chosen_at: None };
        let mut out = vec![
            installed(&self.ingress.namespace, "ingress-nginx runs, which the deploy script installs"),
            installed(
                "backube-snapscheduler",
                "snapscheduler runs, which the deploy script installs for volume backups",
            ),
        ];
        if self.cluster == Cluster::Kind {
            out.push(installed("local-path-storage", "kind's volume provisioner runs"));
        }
        if spec.observability.enabled {
            out.push(installed(
                crate::platform::KUBE_PROMETHEUS_STACK.namespace,
                "the monitoring stack runs (kube-prometheus-stack, Loki, Fluent Bit), which the deploy script installs",
            ));
        }
        out
    }

    fn ingress(&self) -> &IngressController {
        &self.ingress
    }

    /// An Ingress: the controller a local cluster comes with (minikube's ingress addon, kind's
    /// ingress-nginx manifest) is what `deploy-local.sh` enables, and no Gateway implementation
    /// runs there. The cluster answers on this machine only, so the upstream controller's
    /// retirement does not expose it to the internet.
    fn default_route(&self) -> RouteKind {
        RouteKind::Ingress
    }

    /// minikube and kind run one node.
    fn single_node(&self) -> bool {
        true
    }

    fn context(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Never: every image is built on this machine and loaded into the cluster under a tag of
    /// its own content; a pull would fetch `docker.io/<project>/<service>`, a name gen does not
    /// own, into a pod that holds the service's Secret.
    fn image_pull_policy(&self) -> &'static str {
        "Never"
    }

    /// The cluster `scripts/deploy-local.sh` creates and deploys to, the kubectl context that
    /// reaches it, and the file name of the kubeconfig the script keeps for it (under
    /// `${XDG_CONFIG_HOME:-$HOME/.config}/gen/`; minikube and kind write their credentials
    /// there, never into the user's kubeconfig): the script and the README print them.
    fn environment_context(
        &self,
        project: &str,
        environment: Option<&str>,
    ) -> serde_json::Map<String, serde_json::Value> {
        let cluster = self.cluster_name(project, environment);
        let context = match self.cluster {
            Cluster::Minikube => cluster.clone(),
            Cluster::Kind => format!("kind-{cluster}"),
        };
        let kubeconfig = format!("{}-{cluster}.kubeconfig", self.cluster.name());
        let mut values = serde_json::Map::new();
        values.insert("clusterName".into(), cluster.into());
        values.insert("kubeContext".into(), context.into());
        values.insert("kubeconfigFile".into(), kubeconfig.into());
        values
    }
}

impl Spec {
    /// The minikube profile or kind cluster of an environment: the one the spec names; else,
    /// when the spec declares environments, one per environment (`<project>-<environment>`,
    /// seed 004's dev, test and prod side by side); else the project's (never the tool's
    /// default `minikube` or `kind`, which may hold the user's other work).
    pub fn cluster_name(&self, project: &str, environment: Option<&str>) -> String {
        match environment {
            _ if !self.name.is_empty() => self.name.clone(),
            Some(environment) => format!("{project}-{environment}"),
            None => project.to_string(),
        }
    }
}

/// A cluster on a developer's machine (`platform.local`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Spec {
    pub cluster: Cluster,
    /// The minikube profile or kind cluster; empty: the project's (one per environment).
    pub name: String,
    /// Ingress hosts are `<service>.<domain>`: `localhost` resolves to this machine without
    /// DNS; `<ip>.nip.io` reaches a cluster's IP through public DNS.
    pub domain: String,
    /// The port on this machine that reaches the ingress controller.
    pub port: u16,
    pub ingress: IngressController,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            cluster: Cluster::Minikube,
            name: String::new(),
            domain: "localhost".into(),
            port: 8080,
            ingress: IngressController::default(),
        }
    }
}

/// The local Kubernetes.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Cluster {
    #[default]
    Minikube,
    Kind,
}

impl Cluster {
    /// Its name in the spec.
    pub fn name(self) -> &'static str {
        match self {
            Cluster::Minikube => "minikube",
            Cluster::Kind => "kind",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_namespace_the_deploy_script_installs_into_is_the_platform_s() {
        let script = include_str!("../../../blueprints/base/templates/scripts/deploy-local.sh");
        let words: Vec<&str> = script.split_whitespace().collect();
        let named: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "--namespace" && w[1].starts_with(|c: char| c.is_ascii_lowercase()))
            .map(|w| w[1])
            .collect();
        assert!(named.contains(&"backube-snapscheduler"), "{named:?}");
        let project = crate::spec::load("spec.yaml", b"apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform: {local: {}}\nservices: [{name: shop}]\n")
            .expect("a spec");
        let kind = Spec { cluster: Cluster::Kind, ..Spec::default() };
        for cluster in [Spec::default(), kind] {
            let owned = cluster.platform_namespaces(&project.spec);
            for namespace in &named {
                assert!(
                    *namespace == "kube-system" || owned.iter().any(|o| o.name == *namespace),
                    "the deploy script installs into `{namespace}`: list it in platform_namespaces (SPEC140 reads it)"
                );
            }
        }
    }

    #[test]
    fn an_environment_gets_the_named_cluster_else_one_of_its_own_else_the_projects() {
        let kind = Spec { cluster: Cluster::Kind, ..Spec::default() };
        assert_eq!(kind.cluster_name("shop", None), "shop");
        assert_eq!(kind.cluster_name("shop", Some("dev")), "shop-dev");
        let named = Spec { name: "laptop".into(), ..kind.clone() };
        assert_eq!(named.cluster_name("shop", Some("dev")), "laptop");
        let values = named.environment_context("shop", Some("dev"));
        assert_eq!(values["kubeContext"], "kind-laptop");
        assert_eq!(values["kubeconfigFile"], "kind-laptop.kubeconfig");
        let minikube = Spec::default().environment_context("shop", None);
        assert_eq!((minikube["clusterName"].as_str(), minikube["kubeContext"].as_str()), (Some("shop"), Some("shop")));
        assert_eq!(minikube["kubeconfigFile"], "minikube-shop.kubeconfig");
    }
}
