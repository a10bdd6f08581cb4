use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container of a long-running workload (a Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet or ReplicationController) without a `readinessProbe`. Init containers and
    /// pods that run to completion (Jobs) are not concerned, nor is a bare Pod, which
    /// Polaris' `readinessProbeMissing` reports: a Pod without a controller is a one-off (a debug pod,
    /// `helm test`'s hook) that nothing restarts or routes to by rollout.
    ///
    /// kube-score: `pod-probes`; Polaris: `readinessProbeMissing`; checkov: CKV_K8S_9.
    ///
    /// ## Why it matters
    /// Without one, a pod receives traffic as soon as its process starts, before it can
    /// answer: every rollout and every restart sends requests to a pod that fails them; and
    /// a pod that cannot serve for a while (a lost database connection) is never taken out
    /// of the Service.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: http}
    /// ```
    ///
    /// ## How to fix
    /// Add a `readinessProbe` on an endpoint that answers only when the application can serve
    /// requests.
    pub static RULE = ("K8S031", "readiness-probe-missing", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in doc.objects.iter().filter(|o| o.is_long_running()) {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers().filter(|c| !c.init) {
            if c.container.readiness_probe.is_some() {
                continue;
            }
            let message = format!("{} has no readiness probe", which(&[&c.container.name], &object.title()));
            out.push(
                object
                    .at(&RULE, &c.route.clone().with("readinessProbe"), message)
                    .help("add a `readinessProbe` that answers only when the application can serve"),
            );
        }
    }
}
