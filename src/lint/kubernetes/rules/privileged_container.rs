use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container that sets `securityContext.privileged: true`.
    ///
    /// Pod Security Standards, baseline: "Privileged Containers". kube-score:
    /// `container-security-context-privileged`; Polaris: `runAsPrivileged`; checkov:
    /// CKV_K8S_16; trivy: KSV017.
    ///
    /// ## Why it matters
    /// A privileged container has every capability and every device of the node, and no
    /// seccomp or AppArmor confinement: whoever controls the process controls the node. A
    /// namespace enforcing the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## How to fix
    /// Remove `privileged` (or set it `false`). If the application needs one privilege, add
    /// only that capability, and only if the restricted profile allows it.
    pub static RULE = ("K8S012", "privileged-container", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            if c.security().and_then(|s| s.privileged) == Some(true) {
                let message = format!("{} is privileged", which(&[&c.container.name], &object.title()));
                out.push(
                    object
                        .at(&RULE, &c.security_route("privileged"), message)
                        .help("remove `securityContext.privileged`; a privileged container has the whole node"),
                );
            }
        }
    }
}
