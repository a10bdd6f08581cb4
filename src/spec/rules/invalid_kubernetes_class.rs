use super::service_path;
use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::spec::Loaded;
use crate::spec::grammar::subdomain_problem;

declare_rule! {
    /// ## What it does
    /// Reports an IngressClass (`platform.<target>.ingress.className`), a StorageClass
    /// (`persistence.storageClass`) or a VolumeSnapshotClass
    /// (`persistence.backup.snapshotClass`) that is not a Kubernetes object name: a DNS-1123
    /// subdomain, at most 253 lowercase letters, digits, `-` and `.`, each dot-separated part
    /// starting and ending with a letter or digit. In an environment's override too, at the
    /// override's line.
    ///
    /// ## Why it matters
    /// The API server refuses an Ingress whose `ingressClassName`, or a claim whose
    /// `storageClassName`, is not such a name, when the chart is installed; a schema check
    /// of the manifests lets it pass.
    ///
    /// ## Example
    /// ```yaml
    /// ingress: {className: nginx_internal}
    /// ```
    ///
    /// ## How to fix
    /// Name the class as the cluster does (`kubectl get ingressclass,storageclass`):
    /// `nginx-internal`, `managed-csi`.
    pub static RULE = ("SPEC129", "invalid-kubernetes-class", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut classes: Vec<(Route, &str, &str)> = Vec::new();
    let platform = &spec.spec.platform;
    let route = crate::route!["platform", platform.target_name(), "ingress", "className"];
    classes.push((route, "IngressClass", &platform.ingress().class_name));
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(volume) = &svc.persistence else { continue };
        if let Some(class) = &volume.storage_class {
            classes.push((service_path(i, &["persistence", "storageClass"]), "StorageClass", class));
        }
        if let Some(class) = volume.backup.as_ref().and_then(|b| b.snapshot_class.as_ref()) {
            classes.push((service_path(i, &["persistence", "backup", "snapshotClass"]), "VolumeSnapshotClass", class));
        }
    }
    for (route, kind, name) in classes {
        // A default the spec does not write is a name gen chose.
        if spec.doc.root.lookup(&route).is_none() {
            continue;
        }
        if let Some(why) = subdomain_problem(name) {
            out.push(
                spec.at(
                    &RULE,
                    &route,
                    false,
                    format!("{kind} `{}` is not a Kubernetes name: {why}", name.escape_debug()),
                )
                .help(format!(
                    "write the {kind}'s name as the cluster has it, such as `{}`",
                    match kind {
                        "IngressClass" => "nginx",
                        "StorageClass" => "managed-csi",
                        _ => "csi-azuredisk-vsc",
                    }
                )),
            );
        }
    }
}
