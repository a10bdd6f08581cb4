use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a container that does not set `securityContext.allowPrivilegeEscalation:
    /// false`.
    ///
    /// Pod Security Standards, restricted: "Privilege Escalation". kube-score:
    /// `container-security-context-privilege-escalation`; Polaris: `privilegeEscalationAllowed`;
    /// checkov: CKV_K8S_20; trivy: KSV001.
    ///
    /// ## Why it matters
    /// Unset, a process can gain more privileges than its parent (a setuid binary, file
    /// capabilities), and a namespace enforcing the restricted profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: shop:1.0.0
    ///     securityContext:
    ///       runAsNonRoot: true
    /// ```
    ///
    /// ## How to fix
    /// Set `allowPrivilegeEscalation: false` in every container's `securityContext`.
    pub static RULE = ("K8S022", "privilege-escalation-allowed", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let set = c.security().and_then(|s| s.allow_privilege_escalation);
            if set == Some(false) {
                continue;
            }
            let route = c.security_route("allowPrivilegeEscalation");
            let what = if set == Some(true) { "allows" } else { "does not forbid" };
            let message = format!("container `{}` of {} {what} privilege escalation", c.container.name, object.title());
            out.push(object.at(&RULE, &route, message).help("set `securityContext.allowPrivilegeEscalation: false`"));
        }
    }
}
