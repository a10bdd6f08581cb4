use k8s_openapi::api::core::v1::SELinuxOptions;

use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::{Document, Object};

declare_rule! {
    /// ## What it does
    /// Reports `seLinuxOptions` in a pod's or container's securityContext that set a `type`
    /// other than `container_t`, `container_init_t`, `container_kvm_t` or
    /// `container_engine_t`, or that set `user` or `role`.
    ///
    /// Pod Security Standards, baseline: "SELinux". trivy: KSV025.
    ///
    /// ## Why it matters
    /// On nodes with SELinux, the label decides what the process may touch; a custom type,
    /// user or role can give it the host's access (`spc_t`, `unconfined_t`). A namespace
    /// enforcing the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions: {type: spc_t}
    /// ```
    ///
    /// ## How to fix
    /// Remove `seLinuxOptions`, or set only `level` (the MCS categories) and one of the
    /// container types.
    pub static RULE = ("K8S017", "selinux-custom-options", Error);
}

/// The SELinux types the baseline profile allows.
const TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

/// Reports the custom options at `route`, for `whom`.
fn report(object: &Object, options: Option<&SELinuxOptions>, route: Route, whom: &str, out: &mut Diagnostics) {
    let Some(options) = options else { return };
    let fields = [
        ("type", options.type_.as_deref().filter(|t| !t.is_empty() && !TYPES.contains(t))),
        ("user", options.user.as_deref().filter(|u| !u.is_empty())),
        ("role", options.role.as_deref().filter(|r| !r.is_empty())),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        let message = format!("{whom} sets the SELinux {field} `{value}`");
        let help = if field == "type" {
            "remove it, or use container_t, container_init_t, container_kvm_t or container_engine_t"
        } else {
            "remove it; only `type` (a container type) and `level` may be set"
        };
        out.push(object.at(&RULE, &route.clone().with(field), message).help(help));
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let title = object.title();
        let on_pod = pod.security().and_then(|s| s.se_linux_options.as_ref());
        report(object, on_pod, pod.security_route("seLinuxOptions"), &format!("the pod of {title}"), out);
        for c in pod.containers() {
            let options = c.security().and_then(|s| s.se_linux_options.as_ref());
            let whom = crate::lint::kubernetes::pod::which(&[&c.container.name], &title);
            report(object, options, c.security_route("seLinuxOptions"), &whom, out);
        }
    }
}
