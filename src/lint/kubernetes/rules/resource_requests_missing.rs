use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::{missing_resources, which};

declare_rule! {
    /// ## What it does
    /// Reports a container (init containers included) without a `cpu` or a `memory` request
    /// in `resources.requests`.
    ///
    /// kube-score: `container-resources`; Polaris: `cpuRequestsMissing`,
    /// `memoryRequestsMissing`; checkov: CKV_K8S_10 (CPU), CKV_K8S_12 (memory); trivy:
    /// KSV015, KSV016.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests: without them it packs pods onto nodes
    /// that cannot hold them, and they are the first evicted or OOM-killed under pressure
    /// (QoS class BestEffort). A HorizontalPodAutoscaler on CPU utilisation cannot compute it
    /// without a CPU request (K8S037), and a namespace with a ResourceQuota refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   limits: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## How to fix
    /// Set `requests` to what the container uses under normal load: `requests: {cpu: 100m,
    /// memory: 128Mi}`.
    pub static RULE = ("K8S034", "resource-requests-missing", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let requests = c.container.resources.as_ref().and_then(|r| r.requests.as_ref());
            let missing = missing_resources(requests, &["cpu", "memory"]);
            if missing.is_empty() {
                continue;
            }
            let message = format!(
                "{} requests no {}: the scheduler cannot place it by what it uses",
                which(&[&c.container.name], &object.title()),
                missing.join(" and no ")
            );
            let route = c.route.clone().with("resources").with("requests");
            out.push(object.at(&RULE, &route, message).help("set `resources.requests` for cpu and memory"));
        }
    }
}
