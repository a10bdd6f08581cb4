use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a pod that does not set `automountServiceAccountToken: false`.
    ///
    /// Polaris: `automountServiceAccountToken`; checkov: CKV_K8S_38.
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

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        if pod.spec.automount_service_account_token == Some(false) {
            continue;
        }
        let account = pod.spec.service_account_name.as_deref().unwrap_or("default");
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
