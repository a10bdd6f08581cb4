use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::autoscaler::autoscalers;
use crate::lint::kubernetes::pod::missing_resources;
use crate::lint::kubernetes::{Document, objects};

declare_rule! {
    /// ## What it does
    /// Reports a HorizontalPodAutoscaler that scales on CPU utilisation a workload in the
    /// same files whose containers do not all request CPU.
    ///
    /// CPU utilisation is a `Resource` or `ContainerResource` metric on `cpu` with a
    /// `Utilization` target, autoscaling/v1's `targetCPUUtilizationPercentage`, or no metric
    /// at all (the API's default is 80% CPU).
    ///
    /// ## Why it matters
    /// Utilisation is usage divided by the request. Without a request for every container
    /// (sidecars included) the autoscaler cannot compute it: it reports `FailedGetResourceMetric
    /// ... missing request for cpu` and never scales, which nobody notices until the load
    /// comes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
    ///   metrics:
    ///     - type: Resource
    ///       resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    /// ```
    ///
    /// ## How to fix
    /// Set `resources.requests.cpu` on every container of the workload, or scale on an
    /// `AverageValue` target, which needs no request.
    pub static RULE = ("K8S037", "hpa-cpu-without-requests", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let all: Vec<_> = objects(docs).map(|(_, o)| o).collect();
    for hpa in autoscalers(all.iter().copied()) {
        if hpa.cpu.is_empty() {
            continue;
        }
        for workload in all.iter().filter(|w| hpa.scales(w)) {
            let Some(pod) = workload.pod() else { continue };
            let running: Vec<_> = pod.containers().filter(|c| !c.init || c.is_sidecar()).collect();
            for target in &hpa.cpu {
                let without: Vec<String> = running
                    .iter()
                    .filter(|c| target.container.is_none_or(|name| c.container.name == name))
                    .filter(|c| {
                        let requests = c.container.resources.as_ref().and_then(|r| r.requests.as_ref());
                        !missing_resources(requests, &["cpu"]).is_empty()
                    })
                    .map(|c| format!("`{}`", c.container.name))
                    .collect();
                if without.is_empty() {
                    continue;
                }
                let how = if target.default {
                    "on CPU utilisation (the default, with no metric)"
                } else {
                    "on CPU utilisation"
                };
                let lacking = match without.as_slice() {
                    [one] => format!("container {one} has"),
                    many => format!("containers {} have", many.join(", ")),
                };
                let message = format!(
                    "{} scales {} {how}, but {lacking} no CPU request: the autoscaler cannot compute utilisation and does not scale",
                    hpa.object.title(),
                    workload.title(),
                );
                out.push(
                    hpa.object
                        .at(&RULE, &target.route, message)
                        .help("set `resources.requests.cpu` on every container of the workload"),
                );
            }
        }
    }
}
