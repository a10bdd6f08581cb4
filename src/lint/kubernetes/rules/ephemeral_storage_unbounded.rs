use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::{missing_resources, which};

declare_rule! {
    /// ## What it does
    /// Reports a container (init containers included) without an `ephemeral-storage`
    /// request or limit.
    ///
    /// kube-score: `container-ephemeral-storage-request-and-limit`.
    ///
    /// ## Why it matters
    /// Logs, `emptyDir` volumes and the container's writable layer live on the node's disk.
    /// Without a request the scheduler does not count that space; without a limit one
    /// container that writes too much fills the disk, and the kubelet evicts pods, not only
    /// its own, to recover it.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   requests: {cpu: 100m, memory: 128Mi}
    ///   limits: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## How to fix
    /// Add `ephemeral-storage` to both: `requests: {ephemeral-storage: 64Mi}`, `limits:
    /// {ephemeral-storage: 256Mi}` (and a `sizeLimit` on each `emptyDir`).
    pub static RULE = ("K8S036", "ephemeral-storage-unbounded", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    const STORAGE: &[&str] = &["ephemeral-storage"];
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let resources = c.container.resources.as_ref();
            let no_request = !missing_resources(resources.and_then(|r| r.requests.as_ref()), STORAGE).is_empty();
            let no_limit = !missing_resources(resources.and_then(|r| r.limits.as_ref()), STORAGE).is_empty();
            let (what, field) = match (no_request, no_limit) {
                (false, false) => continue,
                (true, true) => ("no ephemeral-storage request or limit", "requests"),
                (true, false) => ("no ephemeral-storage request", "requests"),
                (false, true) => ("no ephemeral-storage limit", "limits"),
            };
            let message = format!(
                "{} has {what}: its logs and scratch files can fill the node's disk",
                which(&[&c.container.name], &object.title())
            );
            let route = c.route.clone().with("resources").with(field).with("ephemeral-storage");
            out.push(
                object
                    .at(&RULE, &route, message)
                    .help("set `ephemeral-storage` in `resources.requests` and `resources.limits`"),
            );
        }
    }
}
