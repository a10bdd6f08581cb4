use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a volume backup on a kind cluster whose claim uses kind's own storage: no
    /// `storageClass` is named, so the claim gets kind's `standard` class.
    ///
    /// ## Why it matters
    /// Backups are VolumeSnapshots, and only a CSI driver can take one. kind's default
    /// provisioner (rancher's local-path) is not a CSI driver: the snapshot controller refuses
    /// its volumes ("snapshotting non-CSI volumes is not supported"), so the schedule would run
    /// every night and keep nothing. minikube's `csi-hostpath-driver` addon, which gen's deploy
    /// script enables, can.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {local: {cluster: kind}}
    /// services:
    ///   - name: notes
    ///     persistence: {size: 1Gi, mountPath: /data, backup: {retentionDays: 30}}
    /// ```
    ///
    /// ## How to fix
    /// Use `cluster: minikube`, or install a CSI driver with snapshot support into kind
    /// (kubernetes-csi's csi-driver-host-path) and name its class in `persistence.storageClass`
    /// and `backup.snapshotClass`.
    pub static RULE = ("SPEC124", "backup-without-snapshots", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if spec.spec.platform.target.spec().snapshots_default_storage() {
        return;
    }
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(volume) = &svc.persistence else { continue };
        if volume.backup.is_some() && volume.storage_class.is_none() {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["persistence", "backup"]),
                    true,
                    "kind's default storage cannot be snapshotted: this backup would never be taken",
                )
                .help("use `cluster: minikube`, or a CSI driver with snapshots and its `storageClass`"),
            );
        }
    }
}
