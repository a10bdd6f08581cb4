use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container of a long-running workload (a Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet or ReplicationController) without a `livenessProbe`. Init containers and
    /// pods that run to completion (Jobs) are not concerned, nor is a bare Pod, which
    /// Polaris' `livenessProbeMissing` reports: a Pod without a controller is a one-off (a debug pod,
    /// `helm test`'s hook) that nothing restarts or routes to by rollout.
    ///
    /// kube-score: `pod-probes`; Polaris: `livenessProbeMissing`; checkov: CKV_K8S_8.
    ///
    /// ## Why it matters
    /// Without one, a process that hangs (a deadlock, an exhausted pool) keeps its pod
    /// Running and in the Service for ever: only a crash gets it restarted.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     readinessProbe:
    ///       httpGet: {path: /readyz, port: http}
    /// ```
    ///
    /// ## How to fix
    /// Add a `livenessProbe` on an endpoint that checks only the process itself (not its
    /// dependencies), with a `failureThreshold` generous enough for slow moments; add a
    /// `startupProbe` if the application starts slowly.
    pub static RULE = ("K8S030", "liveness-probe-missing", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in doc.objects.iter().filter(|o| o.is_long_running()) {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers().filter(|c| !c.init) {
            if c.container.liveness_probe.is_some() {
                continue;
            }
            let message = format!("{} has no liveness probe", which(&[&c.container.name], &object.title()));
            out.push(
                object
                    .at(&RULE, &c.route.clone().with("livenessProbe"), message)
                    .help("add a `livenessProbe` on an endpoint that checks the process alone"),
            );
        }
    }
}
