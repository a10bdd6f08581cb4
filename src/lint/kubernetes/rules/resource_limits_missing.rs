use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::{missing_resources, which};

declare_rule! {
    /// ## What it does
    /// Reports a container (init containers included) without a `memory` or a `cpu` limit in
    /// `resources.limits`.
    ///
    /// kube-score: `container-resources`; Polaris: `cpuLimitsMissing`, `memoryLimitsMissing`;
    /// checkov: CKV_K8S_11 (CPU), CKV_K8S_13 (memory); trivy: KSV011, KSV018.
    ///
    /// ## Why it matters
    /// Without a memory limit one leaking container takes the node's memory, and the kernel
    /// kills processes of other pods to recover it. Without a CPU limit a container takes
    /// every idle core of its node: it runs fast while the node is quiet and slow when the
    /// neighbours are busy, so its latency depends on who it shares the node with and load
    /// tests on a quiet cluster promise more than production keeps.
    ///
    /// gen keeps the CPU limit, as kube-score and Polaris do by default, for that
    /// predictability. The trade-off is throttling: a container that reaches its CPU limit
    /// within a scheduling period waits for the next one, which shows as latency spikes. Set
    /// the limit well above the request (2-5x) for bursty services, or ignore this rule for
    /// a container whose latency matters more than its neighbours'
    /// (`# gen:ignore K8S035 reason`).
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## How to fix
    /// Set `limits`: memory at what the container may use at most (it is killed beyond it),
    /// cpu above the request: `limits: {cpu: 500m, memory: 256Mi}`.
    pub static RULE = ("K8S035", "resource-limits-missing", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let limits = c.container.resources.as_ref().and_then(|r| r.limits.as_ref());
            let missing = missing_resources(limits, &["memory", "cpu"]);
            if missing.is_empty() {
                continue;
            }
            let message = format!(
                "{} has no {} limit: it can take what its neighbours on the node need",
                which(&[&c.container.name], &object.title()),
                missing.join(" and no ")
            );
            let route = c.route.clone().with("resources").with("limits");
            out.push(object.at(&RULE, &route, message).help("set `resources.limits` for memory and cpu"));
        }
    }
}
