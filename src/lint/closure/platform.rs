//! What a cluster provides without anyone creating it, what Kubernetes serves without a CRD,
//! what known Helm charts install, and what Azure's built-in Kubernetes roles let an identity
//! write: the tables the closure check resolves references against.
//!
//! What each platform's clusters are created with is the platform's to say
//! ([`Platform::cluster_storage_classes`], [`Platform::cluster_crd_groups`]).

use std::collections::BTreeMap;

use crate::platform::{PLATFORMS, Platform};

/// The platforms in question: those the deployment runs on, or every built-in one when it
/// does not say (hand-written manifests alone): a name no platform provides is still reported.
fn of(platforms: &Platforms) -> Box<dyn Iterator<Item = &'static dyn Platform> + '_> {
    if platforms.is_empty() { Box::new(PLATFORMS.iter().copied()) } else { Box::new(platforms.values().copied()) }
}

/// The platforms a deployment runs on, by name.
pub type Platforms = BTreeMap<&'static str, &'static dyn Platform>;

/// Whether every cluster provides the object (namespace `default`, ServiceAccount `default`,
/// `kube-root-ca.crt`), or the platform's do (its StorageClasses), or GitHub does.
pub fn provides(platforms: &Platforms, kind: &str, name: &str) -> bool {
    match kind {
        "Namespace" => matches!(name, "default" | "kube-system" | "kube-public" | "kube-node-lease"),
        "ServiceAccount" => name == "default",
        "ConfigMap" => name == "kube-root-ca.crt",
        "PriorityClass" => matches!(name, "system-cluster-critical" | "system-node-critical"),
        "StorageClass" => of(platforms).any(|p| p.cluster_storage_classes().contains(&name)),
        // A class of the platform's that many nodes mount; none named: its default class.
        super::SHARED_CLASS => of(platforms).any(|p| {
            let class = if name.is_empty() { p.default_storage_class() } else { Some(name) };
            class.is_none_or(|c| {
                p.cluster_storage_classes().contains(&c) && !p.single_node_storage_classes().contains(&c)
            })
        }),
        super::GITHUB_SECRET => name == "GITHUB_TOKEN",
        _ => false,
    }
}

/// The provisioners whose volumes one node mounts at a time: block devices (Azure Disk, EBS,
/// Persistent Disk) and local-path's node folders.
pub const SINGLE_NODE_PROVISIONERS: &[&str] = &[
    "disk.csi.azure.com",
    "kubernetes.io/azure-disk",
    "ebs.csi.aws.com",
    "kubernetes.io/aws-ebs",
    "pd.csi.storage.gke.io",
    "kubernetes.io/gce-pd",
    "rancher.io/local-path",
];

/// Whether the platform's clusters serve the group's kinds.
pub fn provides_crd(platforms: &Platforms, group: &str) -> bool {
    of(platforms).any(|p| p.cluster_crd_groups().contains(&group))
}

/// Whether Kubernetes serves the API group itself (no CRD needed): the core group and the
/// built-in `*.k8s.io` groups (not `gateway.networking.k8s.io` or `snapshot.storage.k8s.io`,
/// which are CRDs).
pub fn builtin_group(group: &str) -> bool {
    matches!(
        group,
        "" | "apps"
            | "batch"
            | "autoscaling"
            | "policy"
            | "extensions"
            | "networking.k8s.io"
            | "rbac.authorization.k8s.io"
            | "storage.k8s.io"
            | "scheduling.k8s.io"
            | "coordination.k8s.io"
            | "node.k8s.io"
            | "discovery.k8s.io"
            | "admissionregistration.k8s.io"
            | "apiextensions.k8s.io"
            | "apiregistration.k8s.io"
            | "certificates.k8s.io"
            | "events.k8s.io"
            | "flowcontrol.apiserver.k8s.io"
            | "resource.k8s.io"
            | "authentication.k8s.io"
            | "authorization.k8s.io"
            | "internal.apiserver.k8s.io"
            | "storagemigration.k8s.io"
    )
}

/// A kind's resource name, as the API server (and an RBAC rule, and a CRD's name) spells it:
/// `Ingress` → `ingresses`, `NetworkPolicy` → `networkpolicies`.
pub fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower == "endpoints" {
        return lower;
    }
    if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") || lower.ends_with("sh") {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// What a minikube add-on installs, as gen's local deploy script enables them.
pub fn addon(graph: &mut super::Graph, addon: &str) {
    match addon {
        "ingress" => graph.create("IngressClass", None, "nginx"),
        "volumesnapshots" => {
            graph.install_group("snapshot.storage.k8s.io");
        }
        "csi-hostpath-driver" => {
            graph.create("StorageClass", None, "csi-hostpath-sc");
            graph.create("VolumeSnapshotClass", None, "csi-hostpath-snapclass");
        }
        _ => {}
    }
}

/// What a Helm chart installs, known by the chart's name: API groups whose CRDs it installs.
pub fn chart_crd_groups(chart: &str) -> &'static [&'static str] {
    match chart {
        "cert-manager" => &["cert-manager.io", "acme.cert-manager.io"],
        "snapscheduler" => &["snapscheduler.backube"],
        "argo-cd" => &["argoproj.io"],
        "secrets-store-csi-driver" => &["secrets-store.csi.x-k8s.io"],
        "external-secrets" => &["external-secrets.io", "generators.external-secrets.io"],
        "gateway-helm" => &["gateway.networking.k8s.io", "gateway.envoyproxy.io"],
        // Envoy Gateway's CRD chart, as gen's AWS root renders it: the Gateway API's alone.
        "gateway-crds-helm" => &["gateway.networking.k8s.io"],
        "aws-load-balancer-controller" => &["elbv2.k8s.aws", "gateway.k8s.aws", "aga.k8s.aws"],
        "kube-prometheus-stack" | "prometheus-operator-crds" => &["monitoring.coreos.com"],
        "keda" => &["keda.sh", "eventing.keda.sh"],
        "traefik" | "traefik-crds" => &["traefik.io", "traefik.containo.us"],
        "nginx-gateway-fabric" => &["gateway.nginx.org"],
        _ => &[],
    }
}

/// The resources (API group, plural) "Azure Kubernetes Service RBAC Writer" may write: most of
/// a namespace's built-in objects; no custom resource, no Role or RoleBinding.
static WRITER: &[(&str, &str)] = &[
    ("", "configmaps"),
    ("", "endpoints"),
    ("", "events"),
    ("", "persistentvolumeclaims"),
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("", "secrets"),
    ("", "serviceaccounts"),
    ("", "services"),
    ("apps", "daemonsets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("batch", "cronjobs"),
    ("batch", "jobs"),
    ("coordination.k8s.io", "leases"),
    ("networking.k8s.io", "ingresses"),
    ("networking.k8s.io", "networkpolicies"),
    ("policy", "poddisruptionbudgets"),
];

/// What an Azure built-in role on an AKS cluster with Azure RBAC lets its holder write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinRole {
    /// "Azure Kubernetes Service RBAC Cluster Admin": everything.
    ClusterAdmin,
    /// "Azure Kubernetes Service RBAC Admin": everything in its scope (custom resources too).
    Admin,
    /// "Azure Kubernetes Service RBAC Writer": [`WRITER`].
    Writer,
    /// "Azure Kubernetes Service RBAC Reader", and the control-plane roles: nothing.
    Reader,
}

/// The built-in AKS data-plane role of a role definition name.
pub fn builtin_role(name: &str) -> Option<BuiltinRole> {
    match name {
        "Azure Kubernetes Service RBAC Cluster Admin" => Some(BuiltinRole::ClusterAdmin),
        "Azure Kubernetes Service RBAC Admin" => Some(BuiltinRole::Admin),
        "Azure Kubernetes Service RBAC Writer" => Some(BuiltinRole::Writer),
        "Azure Kubernetes Service RBAC Reader" => Some(BuiltinRole::Reader),
        _ => None,
    }
}

/// Whether the built-in role lets its holder write objects of `kind` in `group`.
pub fn builtin_writes(role: BuiltinRole, group: &str, kind: &str) -> bool {
    match role {
        BuiltinRole::ClusterAdmin | BuiltinRole::Admin => true,
        BuiltinRole::Writer => WRITER.contains(&(group, plural(kind).as_str())),
        BuiltinRole::Reader => false,
    }
}

/// Whether Azure data actions (`Microsoft.ContainerService/managedClusters/apps/deployments/*`)
/// let their holder write objects of `kind` in `group`.
pub fn data_actions_write(actions: &[String], group: &str, kind: &str) -> bool {
    const PREFIX: &str = "Microsoft.ContainerService/managedClusters/";
    let resource = if group.is_empty() { format!("{}/", plural(kind)) } else { format!("{group}/{}/", plural(kind)) };
    actions.iter().any(|a| {
        let Some(rest) = a.strip_prefix(PREFIX) else { return false };
        match rest.strip_suffix('*') {
            // A wildcard covers what it starts (`*`, `apps/*`, `apps/deployments/*`).
            Some(stem) => resource.starts_with(stem) || format!("{resource}write").starts_with(stem),
            None => rest == format!("{resource}write"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_take_the_plural_the_api_server_gives_them() {
        assert_eq!(plural("Ingress"), "ingresses");
        assert_eq!(plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(plural("HTTPRoute"), "httproutes");
        assert_eq!(plural("SecretProviderClass"), "secretproviderclasses");
        assert_eq!(plural("Gateway"), "gateways");
        assert_eq!(plural("Endpoints"), "endpoints");
    }

    #[test]
    fn the_writer_role_covers_no_custom_resource_and_data_actions_cover_what_they_name() {
        assert!(builtin_writes(BuiltinRole::Writer, "apps", "Deployment"));
        assert!(!builtin_writes(BuiltinRole::Writer, "gateway.networking.k8s.io", "HTTPRoute"));
        assert!(!builtin_writes(BuiltinRole::Writer, "rbac.authorization.k8s.io", "Role"));
        let actions = vec![
            "Microsoft.ContainerService/managedClusters/gateway.networking.k8s.io/httproutes/*".to_string(),
            "Microsoft.ContainerService/managedClusters/services/write".to_string(),
        ];
        assert!(data_actions_write(&actions, "gateway.networking.k8s.io", "HTTPRoute"));
        assert!(data_actions_write(&actions, "", "Service"));
        assert!(!data_actions_write(&actions, "", "Secret"));
        assert!(data_actions_write(&["Microsoft.ContainerService/managedClusters/*".into()], "x.io", "Y"));
    }
}
