use super::service_path;
use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a service whose namespace the cluster or the platform owns: Kubernetes' own
    /// (`default`, and every `kube-` name: `kube-system`, `kube-public`, `kube-node-lease`),
    /// and those the platform runs its software in (on Azure, the edge's namespace
    /// (`gateway-system` by default) and the Gateway's, `cert-manager`, `argocd` (where gen
    /// installs Argo CD for `pipeline.deploy: gitops`: refused on a `helm` spec too, which may
    /// switch), `dataprotection-microsoft` (likewise, AKS Backup's extension, for a volume's backup), AKS's
    /// `gatekeeper-system`; on a local cluster, `ingress-nginx`, `backube-snapscheduler`, and
    /// kind's `local-path-storage`). A service that writes no `namespace` is in the project's
    /// (`metadata.name`), reported there. In an environment, the namespaces are those of the
    /// platform it runs on.
    ///
    /// It reports as well a namespace the spec chooses for the platform's own software
    /// (`platform.azure.ingress.namespace`, `platform.azure.ingress.gateway.namespace`) that
    /// is Kubernetes' own or another component's: the edge and its Gateway may share one, and
    /// nothing else. (A local cluster's edge is the deploy script's `ingress-nginx`: SPEC137
    /// refuses another.)
    ///
    /// ## Why it matters
    /// gen owns the namespaces its services run in: it creates them (Terraform, or
    /// `manifests/namespaces.yaml` locally), labels them to enforce the restricted Pod
    /// Security Standard, and gives the deploy identity a Role with write rights in each.
    /// Done to `kube-system`, the cluster's own components (kube-proxy, CoreDNS, the CNI) are
    /// refused admission at their next restart and the cluster breaks; on Azure, Terraform
    /// fails to create a namespace that exists, and the deploy job's identity gets write
    /// rights on Deployments and ServiceAccounts beside the cluster's own: a way from a
    /// GitHub workflow to cluster admin. In a namespace the platform installs software into,
    /// the same rights reach that software (cert-manager's keys, Argo CD, every host's
    /// certificate beside the Gateway). The edge in `kube-system` would have every service's
    /// NetworkPolicy admit traffic from the cluster's system pods, and the Gateway there
    /// would keep every host's private key beside them.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: shop
    ///     namespace: kube-system
    /// ```
    ///
    /// ## How to fix
    /// Give the service a namespace of its own (`namespace: shop`), or leave `namespace` out
    /// to use the project's name, itself not one of these. Leave the platform's namespace
    /// keys out for gen's defaults, or name namespaces only that part of the platform uses.
    pub static RULE = ("SPEC140", "reserved-namespace", Error, unignorable);
}

/// Why the cluster itself owns `namespace`, if it does: Kubernetes' own namespaces, on every
/// platform.
pub fn cluster_owns(namespace: &str) -> Option<&'static str> {
    match namespace {
        "default" => Some("is the cluster's own, where Kubernetes puts what names no namespace"),
        "kube-system" => {
            Some("is the cluster's own: Kubernetes' system components (CoreDNS, kube-proxy, the CNI) run there")
        }
        _ if namespace.starts_with("kube-") => {
            Some("is the cluster's own: Kubernetes reserves `kube-` names for itself")
        }
        _ => None,
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let target = spec.spec.platform.target.spec();
    let installed = target.platform_namespaces(&spec.spec);
    let why_of = |namespace: &str| -> Option<String> {
        if let Some(why) = cluster_owns(namespace) {
            return Some(why.to_string());
        }
        installed.iter().find(|n| n.name == namespace).map(|n| format!("is where {}", n.what))
    };
    // A namespace the spec chooses for the platform's own software: refused where the cluster
    // or another of the platform's components owns it (the edge and its Gateway may share one).
    for chosen in &installed {
        let Some((at, puts)) = &chosen.chosen_at else { continue };
        if spec.doc.root.lookup(at).is_none() {
            continue;
        }
        let namespace = chosen.name.as_str();
        let why = cluster_owns(namespace).map(str::to_string).or_else(|| {
            installed
                .iter()
                .find(|other| other.chosen_at.is_none() && other.name == namespace)
                .map(|other| format!("is where {}", other.what))
        });
        let Some(why) = why else { continue };
        let message = format!("namespace `{namespace}` (`{at}`) {why}; {puts}");
        let help = "name a namespace that only this part of the platform uses, or leave the key out for gen's default";
        out.push(spec.at(&RULE, at, false, message).help(help));
    }
    let mut project_reported = false;
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(namespace) = svc.namespace.as_deref() else { continue };
        let Some(why) = why_of(namespace) else { continue };
        let written = service_path(i, &["namespace"]);
        let consequence = "gen would create it or relabel it to enforce the restricted Pod Security Standard, and deploy beside what runs there";
        if spec.doc.root.lookup(&written).is_some() {
            let message = format!("service `{}`'s namespace `{namespace}` {why}; {consequence}", svc.name);
            let own = [spec.spec.metadata.name.clone(), svc.name.clone(), format!("{}-app", svc.name)]
                .into_iter()
                .find(|n| why_of(n).is_none())
                .unwrap_or_default();
            out.push(
                spec.at(&RULE, &written, false, message)
                    .help(format!("give the service a namespace of its own, such as `{own}`")),
            );
        } else if !project_reported {
            project_reported = true;
            let at: Route = route!["metadata", "name"];
            let message = format!(
                "project name `{namespace}` is the namespace of the services that name none, and {why}; {consequence}"
            );
            out.push(
                spec.at(&RULE, &at, false, message)
                    .help(format!("rename the project, or give service `{}` a `namespace:` of its own", svc.name)),
            );
        }
    }
}
