use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::{Document, Object, objects};
use crate::yaml::Value;

declare_rule! {
    /// ## What it does
    /// Reports a pod that does not set `automountServiceAccountToken: false`, unless the
    /// service account it runs as, written in the same folder (or chart), sets it (a pod that
    /// says nothing takes its service account's setting).
    ///
    /// Polaris: `automountServiceAccountToken` (which reads the service account the same way);
    /// checkov: CKV_K8S_38 (which reads the pod alone).
    ///
    /// ## Why it matters
    /// Every container of the pod then finds a token for the Kubernetes API at
    /// `/var/run/secrets/kubernetes.io/serviceaccount`: whoever gets code execution in it
    /// can call the API with the service account's rights, and can at least discover the
    /// cluster. Most applications never call the API.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       containers: [...]
    /// ```
    ///
    /// ## How to fix
    /// Set `automountServiceAccountToken: false` in the pod spec, unless the application calls
    /// the Kubernetes API; then give it a service account of its own with only the rights it
    /// needs (`serviceAccountName`), and keep the token.
    pub static RULE = ("K8S027", "service-account-token-mounted", Warning);
}

/// The namespace an object is written in (`None` when it says none).
fn namespace(object: &Object) -> Option<&str> {
    object.doc.root.get("metadata").and_then(|m| m.get("namespace")).and_then(|n| n.as_str())
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    // Service accounts that turn the mount off for the pods that do not say otherwise.
    let quiet: Vec<(&str, Option<&str>)> = objects(docs)
        .map(|(_, o)| o)
        .filter(|o| o.kind == "ServiceAccount")
        .filter(|o| {
            matches!(o.doc.root.get("automountServiceAccountToken").map(|v| &v.value), Some(Value::Bool(false)))
        })
        .map(|o| (o.name.as_str(), namespace(o)))
        .collect();
    for (_, object) in objects(docs) {
        let Some(pod) = object.pod() else { continue };
        let account = pod.spec.service_account_name.as_deref().unwrap_or("default");
        let same_namespace = |ns: Option<&str>| ns.is_none() || namespace(object).is_none() || ns == namespace(object);
        match pod.spec.automount_service_account_token {
            Some(false) => continue,
            None if quiet.iter().any(|(name, ns)| *name == account && same_namespace(*ns)) => continue,
            _ => {}
        }
        let message = format!(
            "the pod of {} mounts a Kubernetes API token (service account `{account}`) into every container",
            object.title()
        );
        out.push(
            object
                .at(&RULE, &pod.route.clone().with("automountServiceAccountToken"), message)
                .help("set `automountServiceAccountToken: false` unless the application calls the Kubernetes API"),
        );
    }
}
