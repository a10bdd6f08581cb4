use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure::{self, STORAGE_CLASSES};
use crate::route;
use crate::spec::Loaded;
use crate::spec::schema::did_you_mean;

declare_rule! {
    /// ## What it does
    /// Reports a service volume on Azure whose `storageClass` is none of the classes AKS
    /// creates every cluster with (`managed-csi`, `managed-csi-premium`, `azurefile-csi`,
    /// `azurefile-csi-premium`, and their older names), in the spec or in an environment on
    /// Azure.
    ///
    /// ## Why it matters
    /// Nothing gen renders creates a StorageClass, and the cluster gen's Terraform creates has
    /// only AKS's: the claim stays `Pending`, the pod never starts, and the first deploy times
    /// out (the closure check would say so, at a line of a file gen wrote rather than at the
    /// spec's).
    ///
    /// ## Example
    /// ```yaml
    /// persistence: {size: 1Gi, mountPath: /data, storageClass: fast-ssd}
    /// ```
    ///
    /// ## How to fix
    /// Use one of AKS's classes: `managed-csi-premium` for a Premium SSD, `managed-csi` for a
    /// Standard SSD, `azurefile-csi` for a share many nodes mount; or leave `storageClass` out
    /// for AKS's default. A class the cluster gets from elsewhere (a platform team's): ignore
    /// this rule with the reason (`lint.ignore`), and DEP003 at the claim
    /// (`path: manifests/<service>/pvc.yaml`), which checks the rendered output the same way.
    pub static RULE = ("SPEC141", "storage-class-aks-lacks", Error);
}

/// The classes to suggest: AKS's current CSI names, not their older aliases.
const SUGGESTED: &[&str] = &["managed-csi", "managed-csi-premium", "azurefile-csi", "azurefile-csi-premium"];

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if azure::of(&spec.spec).is_none() {
        return;
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let Some(class) = service.persistence.as_ref().and_then(|p| p.storage_class.as_deref()) else { continue };
        if STORAGE_CLASSES.contains(&class) {
            continue;
        }
        let message = format!(
            "service `{}` asks for StorageClass `{class}`, which AKS does not create and nothing gen renders creates: the claim would never be bound",
            service.name
        );
        let help = match did_you_mean(class, SUGGESTED.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "use one of AKS's classes ({}), or drop `storageClass` for AKS's default",
                SUGGESTED.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        out.push(spec.at(&RULE, &route!["services", i, "persistence", "storageClass"], false, message).help(help));
    }
}
