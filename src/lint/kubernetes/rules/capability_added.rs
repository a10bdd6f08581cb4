use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a capability in a container's `securityContext.capabilities.add` other than
    /// `NET_BIND_SERVICE`, and says when it is also outside the baseline profile's list.
    ///
    /// Pod Security Standards, restricted: "Capabilities" (only `NET_BIND_SERVICE` may be
    /// added) and baseline: "Capabilities" (only `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`,
    /// `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`,
    /// `SETPCAP`, `SETUID`, `SYS_CHROOT`). Polaris: `insecureCapabilities`,
    /// `dangerousCapabilities`; checkov: CKV_K8S_25 (and CKV_K8S_39 for `SYS_ADMIN`); trivy:
    /// KSV022, KSV106 (and KSV005 for `SYS_ADMIN`).
    ///
    /// ## Why it matters
    /// Each capability is a piece of root: `SYS_ADMIN` is nearly all of it, `NET_ADMIN`
    /// rewrites the pod's network, `SYS_PTRACE` reads other processes' memory. A namespace
    /// enforcing the restricted profile refuses the pod; one enforcing baseline refuses it too
    /// when the capability is outside baseline's list.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    ///     add: [NET_ADMIN]
    /// ```
    ///
    /// ## How to fix
    /// Remove the capability, and do in the application without it (bind a port above 1024,
    /// own files at build time instead of with `CHOWN`). Keep `drop: [ALL]`.
    pub static RULE = ("K8S013", "capability-added", Error);
}

/// The capabilities the baseline profile allows a container to add.
const BASELINE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let added = c.security().and_then(|s| s.capabilities.as_ref()).and_then(|caps| caps.add.as_ref());
            for (i, cap) in added.into_iter().flatten().enumerate() {
                if cap == "NET_BIND_SERVICE" {
                    continue;
                }
                let profiles = if BASELINE.contains(&cap.as_str()) {
                    "the restricted Pod Security Standard forbids (baseline allows it)"
                } else {
                    "both the restricted and the baseline Pod Security Standards forbid"
                };
                let message = format!(
                    "{} adds capability `{cap}`, which {profiles}",
                    which(&[&c.container.name], &object.title())
                );
                let route = c.security_route("capabilities").with("add").with(i);
                out.push(
                    object
                        .at(&RULE, &route, message)
                        .help("remove it: only NET_BIND_SERVICE may be added, beside `drop: [ALL]`"),
                );
            }
        }
    }
}
