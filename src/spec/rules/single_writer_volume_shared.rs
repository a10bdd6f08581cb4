use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::spec::model::AccessMode;

declare_rule! {
    /// ## What it does
    /// Reports a service with a `ReadWriteOnce` volume that may run more than one replica
    /// (`replicas` above 1, or autoscaling up to more than 1).
    ///
    /// ## Why it matters
    /// A `ReadWriteOnce` disk attaches to one node: replicas scheduled on another node stay in
    /// `ContainerCreating` (seed 004's notejam, autoscaled 1 to 5 on one claim). It is
    /// kube-score's and Polaris' missing concern and the cluster's silent one. On a local
    /// cluster (`platform.local`: minikube or kind, one node) every replica runs on the node
    /// that holds the disk, so the rule is silent there.
    ///
    /// ## Example
    /// ```yaml
    /// replicas: 3
    /// persistence: {size: 1Gi, mountPath: /app/data}
    /// ```
    ///
    /// ## How to fix
    /// Use `ReadWriteMany` storage (`accessMode: ReadWriteMany`, `storageClass: azurefile-csi`),
    /// run one replica, or keep the data in a database instead of a volume.
    pub static RULE = ("SPEC121", "single-writer-volume-shared", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if spec.spec.platform.target.spec().single_node() {
        return;
    }
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(p) = &svc.persistence else { continue };
        let most = svc.autoscaling.as_ref().map_or(svc.replicas, |a| a.max_replicas.max(a.min_replicas));
        if p.access_mode == AccessMode::ReadWriteOnce && most > 1 {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["persistence"]),
                    false,
                    format!("a ReadWriteOnce volume, but up to {most} replicas: those on another node never start"),
                )
                .help("set `accessMode: ReadWriteMany` with a file-share storage class (azurefile-csi), or run one replica"),
            );
        }
    }
}
