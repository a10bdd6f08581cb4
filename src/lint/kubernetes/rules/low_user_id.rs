use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container whose user or group (`runAsUser`, `runAsGroup`, from its
    /// securityContext or else its pod's) is below 10000, or not set.
    ///
    /// kube-score: `container-security-context-user-group-id`; checkov: CKV_K8S_40; trivy:
    /// KSV020 (user) and KSV021 (group).
    ///
    /// ## Why it matters
    /// Ids below 10000 are those of the node's own users and groups: a process that escapes
    /// its container as uid 1000 is a real user of the node, with that user's files. Unset,
    /// the id is whatever the image says, often root (0), and nothing in the manifest shows
    /// it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 1000
    /// ```
    ///
    /// ## How to fix
    /// Set `runAsUser` and `runAsGroup` to 10000 or more on the pod (gen's blueprints build
    /// images for 10001), and `fsGroup` to the same group so mounted volumes are writable.
    pub static RULE = ("K8S028", "low-user-id", Warning);
}

/// Ids below this are the node's.
const LOWEST: i64 = 10000;

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let title = object.title();
        let ids = [
            ("runAsUser", "user", pod.applied("runAsUser", |s| s.run_as_user, |s| s.run_as_user)),
            ("runAsGroup", "group", pod.applied("runAsGroup", |s| s.run_as_group, |s| s.run_as_group)),
        ];
        for (field, what, applied) in ids {
            for a in applied {
                let whom = which(&a.containers, &title);
                let message = match a.value {
                    Some(id) if id >= LOWEST => continue,
                    Some(id) => format!("{whom} runs as {what} {id}, an id of the node's own range (below {LOWEST})"),
                    None => {
                        format!("{whom} sets no `{field}`: it runs as the image's {what}, not one known above {LOWEST}")
                    }
                };
                out.push(object.at(&RULE, &a.route, message).help(format!("set `{field}: 10001` (10000 or more)")));
            }
        }
    }
}
