use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports `runAsUser: 0` in a pod's or a container's securityContext.
    ///
    /// Pod Security Standards, restricted: "Running as Non-root user". trivy: KSV105.
    ///
    /// ## Why it matters
    /// User 0 is root: the container runs as root whatever its image says, and
    /// `runAsNonRoot: true` beside it makes the kubelet refuse to start it. A namespace
    /// enforcing the restricted profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// ## How to fix
    /// Use the non-root user the image is built for (10001 in gen's blueprints), or remove
    /// `runAsUser` so the image's `USER` applies.
    pub static RULE = ("K8S024", "run-as-root-user", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let help = "run as a non-root user, such as `runAsUser: 10001`";
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let title = object.title();
        if pod.security().and_then(|s| s.run_as_user) == Some(0) {
            let message = format!("the pod of {title} runs its containers as root (runAsUser: 0)");
            out.push(object.at(&RULE, &pod.security_route("runAsUser"), message).help(help));
        }
        for c in pod.containers() {
            if c.security().and_then(|s| s.run_as_user) == Some(0) {
                let message = format!("{} runs as root (runAsUser: 0)", which(&[&c.container.name], &title));
                out.push(object.at(&RULE, &c.security_route("runAsUser"), message).help(help));
            }
        }
    }
}
