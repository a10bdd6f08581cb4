use super::super::{ClusterId, Graph, Reference};
use crate::declare_rule;
use crate::diag::Diagnostic;

declare_rule! {
    /// ## What it does
    /// Reports a claim that asks for a volume many nodes mount (`ReadWriteMany`,
    /// `ReadOnlyMany`) of a StorageClass whose volumes one node mounts at a time: an Azure
    /// Disk, EBS or Persistent Disk class, local-path, or (no class named) a cluster whose
    /// default class is one (AKS's `default` is an Azure Disk). A class whose provisioner gen
    /// cannot tell, or one a README declares, is not judged.
    ///
    /// ## Why it matters
    /// The claim never binds: the provisioner refuses the access mode, the pods that mount it
    /// stay Pending, `helm --wait` times out and rolls back, and a class cannot be changed on
    /// an existing claim.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// spec:
    ///   accessModes: [ReadWriteMany]
    ///   storageClassName: managed-csi   # an Azure Disk: one node
    /// ```
    ///
    /// ## How to fix
    /// Name a class of a file share (`azurefile-csi` on AKS, EFS on EKS, Filestore on GKE), or
    /// ask for `ReadWriteOnce` and run the pods that mount it on one node.
    pub static RULE = ("DEP011", "access-mode-unserved", Warning);
}

/// The finding of a claim of many nodes that resolves to no class serving them in the
/// clusters `missing`, on those where its class is known (one nothing creates is
/// `storage-missing`'s).
pub fn finding(graph: &Graph, r: &Reference, missing: &[Option<ClusterId>]) -> Option<Diagnostic> {
    let known: Vec<Option<ClusterId>> = missing
        .iter()
        .copied()
        .filter(|c| {
            if r.name.is_empty() {
                graph.platform_known(*c)
            } else {
                let class = Reference { kind: "StorageClass".to_string(), ..r.clone() };
                graph.resolves_in(&class, *c)
            }
        })
        .collect();
    if known.is_empty() {
        return None;
    }
    let labels = graph.labels_of(&known);
    let place = if labels.is_empty() || graph.clusters().len() < 2 {
        String::new()
    } else {
        format!(" on the cluster of {}", labels.join(" and "))
    };
    let target = if r.name.is_empty() {
        "the cluster's default StorageClass".to_string()
    } else {
        format!("StorageClass `{}`", r.name)
    };
    let message = format!(
        "{} {}{place}, whose volumes one node mounts at a time: the claim never binds",
        r.from,
        r.how.replace('@', &target)
    );
    Some(graph.diag(r.rule, r.origin, r.span, message).help(
        "name a class of a file share (azurefile-csi on AKS, EFS on EKS, Filestore on GKE), or ask for ReadWriteOnce \
         and run the pods that mount it on one node",
    ))
}
