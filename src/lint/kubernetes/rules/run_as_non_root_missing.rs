use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container that is not required to run as a non-root user:
    /// `runAsNonRoot: true` is set neither in its securityContext nor in its pod's; or
    /// `runAsNonRoot: false` anywhere.
    ///
    /// Pod Security Standards, restricted: "Running as Non-root". Polaris:
    /// `runAsRootAllowed`; checkov: CKV_K8S_23; trivy: KSV012.
    ///
    /// ## Why it matters
    /// Without it the container runs as whatever user its image says, root unless the image
    /// says otherwise; with it the kubelet refuses to start a container whose user is root.
    /// Root in a container is root on the node once any other defence fails (a writable
    /// host mount, a kernel bug). A namespace enforcing the restricted profile refuses the
    /// pod.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    /// ```
    ///
    /// ## How to fix
    /// Set `securityContext.runAsNonRoot: true` on the pod (and a numeric non-root `USER` in
    /// the image, or `runAsUser`, so the kubelet can verify it).
    pub static RULE = ("K8S023", "run-as-non-root-missing", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let help = "set `securityContext.runAsNonRoot: true` on the pod";
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let title = object.title();
        if pod.security().and_then(|s| s.run_as_non_root) == Some(false) {
            let message = format!("the pod of {title} allows its containers to run as root (runAsNonRoot: false)");
            out.push(object.at(&RULE, &pod.security_route("runAsNonRoot"), message).help(help));
        }
        for c in pod.containers() {
            if c.security().and_then(|s| s.run_as_non_root) == Some(false) {
                let message = format!("{} may run as root (runAsNonRoot: false)", which(&[&c.container.name], &title));
                out.push(object.at(&RULE, &c.security_route("runAsNonRoot"), message).help(help));
            }
        }
        let applied = pod.applied("runAsNonRoot", |s| s.run_as_non_root, |s| s.run_as_non_root);
        for unset in applied.into_iter().filter(|a| a.value.is_none()) {
            let message =
                format!("{} may run as root: nothing sets `runAsNonRoot: true`", which(&unset.containers, &title));
            out.push(object.at(&RULE, &unset.route, message).help(help));
        }
    }
}
