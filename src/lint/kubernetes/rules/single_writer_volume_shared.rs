use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::autoscaler::autoscalers;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, objects};

declare_rule! {
    /// ## What it does
    /// Reports a workload that can run more than one pod and mounts a ReadWriteOnce or
    /// ReadWriteOncePod PersistentVolumeClaim of the same files.
    ///
    /// More than one pod: more than one replica, a DaemonSet, or a HorizontalPodAutoscaler in
    /// the same files with `maxReplicas` above 1. The claim's access modes are only
    /// `ReadWriteOnce` or `ReadWriteOncePod`. A StatefulSet's `volumeClaimTemplates` are
    /// not concerned: each pod gets its own claim.
    ///
    /// ## Why it matters
    /// A ReadWriteOnce volume (an Azure Disk, an EBS volume) attaches to one node at a time.
    /// The pods scheduled on that node start; the others stay in `ContainerCreating` with a
    /// `Multi-Attach error` for ever. It works on a one-node test cluster and fails when the
    /// autoscaler adds a replica under load, which is when it hurts. A ReadWriteOncePod
    /// volume admits one pod in all.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata: {name: uploads}
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    /// ---
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: uploads
    ///           persistentVolumeClaim: {claimName: uploads}
    /// ```
    ///
    /// ## How to fix
    /// Share the data through a ReadWriteMany storage class (on AKS, Azure Files:
    /// `storageClassName: azurefile-csi`), or give each pod its own volume with a
    /// StatefulSet's `volumeClaimTemplates`, or run one replica (with `strategy: Recreate`,
    /// so a rollout does not start a second pod beside the first).
    pub static RULE = ("K8S046", "single-writer-volume-shared", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let all: Vec<_> = objects(docs).map(|(_, o)| o).collect();
    let hpas = autoscalers(all.iter().copied());
    for workload in &all {
        let Some(pod) = workload.pod() else { continue };
        let hpa_max = hpas.iter().filter(|h| h.scales(workload)).filter_map(|h| h.max).max();
        let pods = if matches!(workload.typed, Typed::DaemonSet(_)) {
            "one pod per node".to_string()
        } else {
            match (workload.replicas(), hpa_max) {
                (_, Some(max)) if max > 1 => format!("up to {max} pods (its autoscaler's maxReplicas)"),
                (Some(n), _) if n > 1 => format!("{n} replicas"),
                _ => continue,
            }
        };
        for (volume, route) in pod.volumes() {
            let Some(source) = &volume.persistent_volume_claim else { continue };
            let claim = all.iter().find_map(|o| match &o.typed {
                Typed::PersistentVolumeClaim(c)
                    if o.is_referred("PersistentVolumeClaim", &source.claim_name, None, workload) =>
                {
                    Some(c)
                }
                _ => None,
            });
            let Some(modes) = claim.and_then(|c| c.spec.as_ref()).and_then(|s| s.access_modes.as_ref()) else {
                continue;
            };
            let single = modes.iter().any(|m| m == "ReadWriteOnce" || m == "ReadWriteOncePod");
            let shared = modes.iter().any(|m| m == "ReadWriteMany" || m == "ReadOnlyMany");
            if !single || shared {
                continue;
            }
            let stuck = if modes.iter().any(|m| m == "ReadWriteOnce") {
                "pods on other nodes than the first stay in ContainerCreating"
            } else {
                "pods after the first cannot start"
            };
            let message = format!(
                "{} runs {pods} that mount claim `{}`, which is {}: {stuck}",
                workload.title(),
                source.claim_name,
                modes.join(", ")
            );
            out.push(
                workload
                    .at(&RULE, &route.with("persistentVolumeClaim").with("claimName"), message)
                    .help("use a ReadWriteMany storage class (azurefile-csi), a StatefulSet with volumeClaimTemplates, or one replica"),
            );
        }
    }
}
