use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a pod volume of a type the restricted profile does not allow: any but
    /// `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `persistentVolumeClaim`,
    /// `projected` and `secret`. A `hostPath` volume is reported by K8S014 only, not here too.
    ///
    /// Pod Security Standards, restricted: "Volume Types". trivy: KSV028.
    ///
    /// ## Why it matters
    /// The other types (`nfs`, `iscsi`, `azureDisk`, `gitRepo`...) reach storage directly
    /// from the pod spec, with credentials or addresses that bypass the cluster's storage
    /// classes and their access control; several are deprecated in-tree drivers. A namespace
    /// enforcing the restricted profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: shared
    ///     nfs: {server: 10.0.0.4, path: /exports/shop}
    /// ```
    ///
    /// ## How to fix
    /// Claim the storage through a PersistentVolumeClaim (its storage class or
    /// PersistentVolume says where it is), or use a CSI driver.
    pub static RULE = ("K8S021", "restricted-volume-type", Error);
}

/// The volume fields the restricted profile allows, beside `name`; `hostPath` is K8S014's.
const ALLOWED: &[&str] = &[
    "name",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
    "hostPath",
];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for (volume, route) in pod.volumes() {
            // The typed volume, written back, names the sources that are set, as the API
            // spells them.
            let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(volume) else { continue };
            for field in fields.keys().filter(|k| !ALLOWED.contains(&k.as_str())) {
                let message = format!(
                    "volume `{}` of {} is of type `{field}`, which the restricted Pod Security Standard forbids",
                    volume.name,
                    object.title()
                );
                out.push(
                    object
                        .at(&RULE, &route.clone().with(field.as_str()), message)
                        .help("claim the storage through a PersistentVolumeClaim, or use a CSI driver"),
                );
            }
        }
    }
}
