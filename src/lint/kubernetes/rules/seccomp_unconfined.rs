use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container that does not run under a seccomp profile: neither its
    /// securityContext nor its pod's sets `seccompProfile.type` to `RuntimeDefault` or
    /// `Localhost`, or one of them sets `Unconfined`.
    ///
    /// Pod Security Standards, restricted: "Seccomp" (a profile must be set, for the pod or
    /// every container); it also covers baseline's "Seccomp" (`Unconfined` is forbidden),
    /// which has no rule of its own. kube-score: `container-seccomp-profile`; checkov:
    /// CKV_K8S_31; trivy: KSV030 (and KSV104).
    ///
    /// ## Why it matters
    /// seccomp filters the system calls a process may make; the runtime's default profile
    /// blocks the ones container escapes use (`unshare`, `keyctl`, `ptrace` on older
    /// kernels) and breaks almost no application. Kubernetes does not apply it unless asked.
    /// A namespace enforcing the restricted profile refuses the pod, one enforcing baseline
    /// refuses `Unconfined`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///   containers:
    ///     - name: app
    /// ```
    ///
    /// ## How to fix
    /// Set it once for the pod: `securityContext: {seccompProfile: {type: RuntimeDefault}}`.
    pub static RULE = ("K8S019", "seccomp-unconfined", Error);
}

/// Whether a seccomp profile type confines the process.
fn confines(profile_type: &str) -> bool {
    matches!(profile_type, "RuntimeDefault" | "Localhost")
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let help = "set `securityContext.seccompProfile.type: RuntimeDefault` (once, on the pod)";
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let title = object.title();
        if let Some(profile) = pod.security().and_then(|s| s.seccomp_profile.as_ref())
            && !confines(&profile.type_)
        {
            let route = pod.security_route("seccompProfile").with("type");
            let message = format!("the pod of {title} sets seccomp profile `{}`", profile.type_);
            out.push(object.at(&RULE, &route, message).help(help));
        }
        for c in pod.containers() {
            if let Some(profile) = c.security().and_then(|s| s.seccomp_profile.as_ref())
                && !confines(&profile.type_)
            {
                let route = c.security_route("seccompProfile").with("type");
                let message =
                    format!("{} sets seccomp profile `{}`", which(&[&c.container.name], &title), profile.type_);
                out.push(object.at(&RULE, &route, message).help(help));
            }
        }
        let applied = pod.applied("seccompProfile", |s| s.seccomp_profile.as_ref(), |s| s.seccomp_profile.as_ref());
        for unset in applied.into_iter().filter(|a| a.value.is_none()) {
            let message = format!("{} runs without a seccomp profile", which(&unset.containers, &title));
            out.push(object.at(&RULE, &unset.route, message).help(help));
        }
    }
}
