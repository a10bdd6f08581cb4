use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container whose `securityContext.capabilities.drop` does not contain `ALL`.
    ///
    /// Pod Security Standards, restricted: "Capabilities". checkov: CKV_K8S_37 (and
    /// CKV_K8S_28 for `NET_RAW`); trivy: KSV003, KSV004 (nothing dropped), KSV106; Polaris:
    /// `insecureCapabilities`, which is content with a list of fifteen it names dropped one by
    /// one: gen asks for `ALL`, as the restricted profile does, since a list leaves whatever
    /// a newer kernel or runtime adds.
    ///
    /// ## Why it matters
    /// Even as a non-root user a container keeps the runtime's default capabilities
    /// (`NET_RAW` to forge packets, `CHOWN`, `SETUID`, `KILL`...), which the application
    /// almost never needs and an attacker uses. A namespace enforcing the restricted profile
    /// refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [NET_RAW]
    /// ```
    ///
    /// ## How to fix
    /// Set `capabilities: {drop: [ALL]}` in every container's securityContext (and add back
    /// `NET_BIND_SERVICE` only if it binds a port below 1024).
    pub static RULE = ("K8S025", "capabilities-not-dropped", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let dropped = c.security().and_then(|s| s.capabilities.as_ref()).and_then(|caps| caps.drop.as_ref());
            if dropped.is_some_and(|d| d.iter().any(|cap| cap == "ALL")) {
                continue;
            }
            let message =
                format!("{} keeps the runtime's default capabilities", which(&[&c.container.name], &object.title()));
            let route = c.security_route("capabilities").with("drop");
            out.push(object.at(&RULE, &route, message).help("set `securityContext.capabilities.drop: [ALL]`"));
        }
    }
}
