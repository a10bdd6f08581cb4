use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container whose `securityContext.procMount` is not `Default`.
    ///
    /// Pod Security Standards, baseline: "/proc Mount Type". trivy: KSV027.
    ///
    /// ## Why it matters
    /// The default `/proc` mount masks and makes read-only the paths that reveal or change
    /// the node (`/proc/kcore`, `/proc/sys`, `/proc/sysrq-trigger`); `Unmasked` exposes them.
    /// A namespace enforcing the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   procMount: Unmasked
    /// ```
    ///
    /// ## How to fix
    /// Remove `procMount`.
    pub static RULE = ("K8S018", "unmasked-proc-mount", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let Some(mount) = c.security().and_then(|s| s.proc_mount.as_deref()) else { continue };
            if mount == "Default" {
                continue;
            }
            let message = format!(
                "{} mounts /proc {mount}, without the default masks",
                which(&[&c.container.name], &object.title())
            );
            out.push(
                object
                    .at(&RULE, &c.security_route("procMount"), message)
                    .help("remove `procMount`; the default mount masks the node's paths"),
            );
        }
    }
}
