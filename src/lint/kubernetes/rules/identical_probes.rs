use k8s_openapi::api::core::v1::Probe;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container whose liveness and readiness probes ask the same thing: the same
    /// handler with the same command, or the same path and port.
    ///
    /// kube-score: `pod-probes-identical`.
    ///
    /// ## Why it matters
    /// The two probes answer different questions. Readiness asks "can you take requests
    /// now?": a pod that is busy, or waiting on a database, fails it and is only taken out of
    /// the Service until it recovers. Liveness asks "are you stuck for good?": failing it
    /// restarts the container. When both ask the same endpoint, every moment of overload
    /// that should take a pod out of rotation also restarts it, which adds cold starts to the
    /// overload and can restart every replica at once.
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {path: /health, port: http}
    /// readinessProbe:
    ///   httpGet: {path: /health, port: http}
    /// ```
    ///
    /// ## How to fix
    /// Give liveness an endpoint that checks only that the process responds (`/healthz`),
    /// and readiness one that checks it can serve (`/readyz`); or make liveness a
    /// `tcpSocket` check on the same port.
    pub static RULE = ("K8S033", "identical-probes", Warning);
}

/// Whether two probes run the same check (their timings aside).
fn same_handler(a: &Probe, b: &Probe) -> bool {
    let has_handler = a.exec.is_some() || a.http_get.is_some() || a.tcp_socket.is_some() || a.grpc.is_some();
    has_handler && a.exec == b.exec && a.http_get == b.http_get && a.tcp_socket == b.tcp_socket && a.grpc == b.grpc
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let (Some(live), Some(ready)) = (&c.container.liveness_probe, &c.container.readiness_probe) else {
                continue;
            };
            if !same_handler(live, ready) {
                continue;
            }
            let message = format!(
                "the liveness and readiness probes of {} are the same check: a pod that is only busy is restarted",
                which(&[&c.container.name], &object.title())
            );
            out.push(object.at(&RULE, &c.route.clone().with("livenessProbe"), message).help(
                "give liveness an endpoint that checks only the process (or a tcpSocket check), readiness one that checks it can serve",
            ));
        }
    }
}
