use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports storage an object uses and nothing provides: a PersistentVolumeClaim a pod
    /// mounts or a VolumeSnapshot snapshots, the StorageClass a claim provisions from, the
    /// VolumeSnapshotClass a VolumeSnapshot or a snapscheduler SnapshotSchedule snapshots
    /// with. The platform's own StorageClasses are provided (AKS: `default`, `managed-csi`,
    /// `managed-csi-premium`, `azurefile-csi`...; minikube and kind: `standard`; when the
    /// deployment does not say its platform, any of them); AKS creates no VolumeSnapshotClass.
    ///
    /// ## Why it matters
    /// A pod whose claim is missing stays `Pending`; a claim whose class is missing is never
    /// bound; a schedule whose snapshot class is missing takes no snapshot, silently, until
    /// the day a restore is needed.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// spec:
    ///   storageClassName: fast-ssd   # no such StorageClass on AKS
    /// ```
    ///
    /// ## How to fix
    /// Create the claim or class in the deployment (Terraform's `kubernetes_storage_class`,
    /// a Helm release of the classes), or use one the platform provides.
    pub static RULE = ("DEP003", "storage-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str =
    "create it in the deployment (a manifest, Terraform, a Helm release), or name one the platform provides";
