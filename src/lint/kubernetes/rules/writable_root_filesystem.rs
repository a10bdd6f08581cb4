use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container that does not set `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// kube-score: `container-security-context-readonlyrootfilesystem`; Polaris:
    /// `notReadOnlyRootFilesystem`; checkov: CKV_K8S_22; trivy: KSV014.
    ///
    /// ## Why it matters
    /// An attacker who gets code execution in a writable container can drop tools, change
    /// the application's files or persist until the pod is replaced; and an application that
    /// writes to its image's layer loses that data on restart without anyone noticing.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## How to fix
    /// Set `readOnlyRootFilesystem: true`, and mount an `emptyDir` at the paths the
    /// application writes to (`/tmp`, a cache folder).
    pub static RULE = ("K8S026", "writable-root-filesystem", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            if c.security().and_then(|s| s.read_only_root_filesystem) == Some(true) {
                continue;
            }
            let message = format!("{} has a writable root filesystem", which(&[&c.container.name], &object.title()));
            out.push(
                object
                    .at(&RULE, &c.security_route("readOnlyRootFilesystem"), message)
                    .help("set `readOnlyRootFilesystem: true` and mount an emptyDir where the application writes"),
            );
        }
    }
}
