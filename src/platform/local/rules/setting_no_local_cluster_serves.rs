use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::platform::local::{self, Cluster};
use crate::route;
use crate::spec::Loaded;
use crate::spec::model::{AccessMode, IngressController};

declare_rule! {
    /// ## What it does
    /// Reports a setting of a service (or of `platform.local`) that no local cluster gen's
    /// deploy script sets up can serve: an ingress controller or Gateway other than the
    /// ingress-nginx the script installs (`platform.local.ingress`), TLS on an ingress (no
    /// certificate issuer runs on the laptop),
    /// a `ReadWriteMany` volume, a storage class other than the cluster's (`standard`; on
    /// minikube also `csi-hostpath-sc`, the CSI driver that takes snapshots), or a snapshot
    /// class other than `csi-hostpath-snapclass`. It reports what a local spec or a local
    /// environment writes itself: what the spec writes for the cloud (an HTTPRoute, an Azure
    /// Files class, `ReadWriteMany`, a snapshot class) is translated for a local environment,
    /// never copied into it.
    ///
    /// ## Why it matters
    /// The cluster accepts the objects and never serves them: a claim of a class the cluster
    /// lacks stays `Pending` and the rollout times out; an Ingress of a class no controller
    /// serves gets no address. (An HTTPRoute is SPEC120's.)
    ///
    /// ## Example
    /// ```yaml
    /// environments:
    ///   - name: dev
    ///     platform: {local: {cluster: kind}}
    ///     services:
    ///       api: {persistence: {storageClass: managed-csi}}
    /// ```
    ///
    /// ## How to fix
    /// Drop the setting from the local environment (or move it to the spec as written, for
    /// the cloud): a local cluster routes through ingress-nginx, and its one node mounts a
    /// `ReadWriteOnce` volume for every replica.
    pub static RULE = ("SPEC137", "setting-no-local-cluster-serves", Error);
}

/// The classes a local cluster serves: the cluster's default, and on minikube the CSI
/// driver's the script enables (its volumes can be snapshotted).
fn storage_classes(cluster: Cluster) -> &'static [&'static str] {
    match cluster {
        Cluster::Minikube => &["standard", "csi-hostpath-sc"],
        Cluster::Kind => &["standard"],
    }
}

/// The snapshot classes a local cluster serves.
fn snapshot_classes(cluster: Cluster) -> &'static [&'static str] {
    match cluster {
        Cluster::Minikube => &["csi-hostpath-snapclass"],
        Cluster::Kind => &[],
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = local::of(&spec.spec) else { return };
    let cluster = block.cluster.name();
    let mut report = |at: Route, message: String, help: &str| {
        out.push(spec.at(&RULE, &at, false, message).help(help.to_string()));
    };
    let installed = IngressController::default();
    let ingress = &block.ingress;
    let at = |key: &str| route!["platform", local::NAME, "ingress", key];
    if ingress.class_name != installed.class_name {
        let message = format!(
            "the local {cluster} cluster's ingress class is `{}` (ingress-nginx, which the deploy script installs), not `{}`",
            installed.class_name, ingress.class_name
        );
        report(at("className"), message, "drop `className` from `platform.local.ingress`");
    }
    if ingress.namespace != installed.namespace {
        let message = format!(
            "the deploy script installs ingress-nginx in namespace `{}`, not `{}`",
            installed.namespace, ingress.namespace
        );
        report(at("namespace"), message, "drop `namespace` from `platform.local.ingress`");
    }
    if ingress.gateway.is_some() {
        let message = format!("the local {cluster} cluster runs no Gateway: its services are routed by ingress-nginx");
        report(at("gateway"), message, "drop `gateway` from `platform.local.ingress`");
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let path = |rest: &[&str]| rest.iter().fold(route!["services", i], |r, k| r.with(*k));
        if service.ingress.as_ref().is_some_and(|ingress| ingress.tls) {
            let message = format!(
                "service `{}` asks for TLS, which the local {cluster} cluster cannot serve: no certificate issuer runs there, and nothing would create its certificate's Secret",
                service.name
            );
            let help = "drop `tls: true` here (a local cluster's default is plain HTTP on this machine), or write it for the cloud environments only";
            report(path(&["ingress", "tls"]), message, help);
        }
        let Some(volume) = &service.persistence else { continue };
        if volume.access_mode == AccessMode::ReadWriteMany {
            let message = format!(
                "service `{}` asks for a ReadWriteMany volume, which the local {cluster} cluster cannot provision: its one node mounts a ReadWriteOnce volume for every replica",
                service.name
            );
            report(
                path(&["persistence", "accessMode"]),
                message,
                "drop `accessMode` here (ReadWriteOnce is the default)",
            );
        }
        if let Some(class) = &volume.storage_class
            && !storage_classes(block.cluster).contains(&class.as_str())
        {
            let message =
                format!("the local {cluster} cluster has no StorageClass `{class}`: the claim would never be bound");
            let help =
                format!("drop `storageClass` here, or use one of: {}", storage_classes(block.cluster).join(", "));
            report(path(&["persistence", "storageClass"]), message, &help);
        }
        let Some(backup) = &volume.backup else { continue };
        let serves = snapshot_classes(block.cluster);
        let class = backup.snapshot_class.as_deref().unwrap_or_default();
        if serves.is_empty() && volume.storage_class.is_some() {
            // Without a class, SPEC124 says the same of the cluster's default storage.
            let message =
                format!("the local {cluster} cluster has no VolumeSnapshotClass: this backup would never be taken");
            let help = "drop the backup here, or use `cluster: minikube`, whose CSI driver takes snapshots";
            report(path(&["persistence", "backup"]), message, help);
        } else if !serves.is_empty() && !serves.contains(&class) {
            let message = format!(
                "the local {cluster} cluster has no VolumeSnapshotClass `{class}`: no snapshot would ever be taken"
            );
            let help = format!("drop `snapshotClass` here, or use {}", serves.join(", "));
            report(path(&["persistence", "backup", "snapshotClass"]), message, &help);
        }
    }
}
