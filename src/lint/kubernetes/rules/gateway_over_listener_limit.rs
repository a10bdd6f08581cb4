use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::route;
use crate::yaml::Value;

/// The Gateway API's cap on a Gateway's listeners (`MaxItems=64` on `spec.listeners`).
const LISTENER_LIMIT: usize = 64;

declare_rule! {
    /// ## What it does
    /// Reports a Gateway (`gateway.networking.k8s.io`) with more than 64 listeners, at the
    /// 65th.
    ///
    /// ## Why it matters
    /// The Gateway API caps `spec.listeners` at 64 items: the API server refuses the whole
    /// Gateway, so the apply that carries it fails, and on a live Gateway grown one host at a
    /// time the 65th host's route names a listener that never exists while its deploy still
    /// reports success (Helm does not wait on a route's status).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Gateway
    /// spec:
    ///   listeners:        # 65 items, one per host
    ///     - {name: https-a, hostname: a.example.com, port: 443, protocol: HTTPS}
    /// ```
    ///
    /// ## How to fix
    /// Spread the listeners over several Gateways (Envoy Gateway's `mergeGateways` keeps them
    /// on one fleet and one address; gen renders a Gateway per host this way), or attach them
    /// with ListenerSets (Gateway API 1.5) where the implementation supports them.
    pub static RULE = ("K8S061", "gateway-over-listener-limit", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        if object.kind != "Gateway" || !object.api_version.starts_with("gateway.networking.k8s.io/") {
            continue;
        }
        let Some(Value::Seq(listeners)) = object.doc.root.lookup(&route!["spec", "listeners"]).map(|n| &n.value) else {
            continue;
        };
        if listeners.len() > LISTENER_LIMIT {
            let message = format!(
                "{} has {} listeners: the Gateway API allows at most {LISTENER_LIMIT}, and the API server refuses the \
                 whole Gateway",
                object.title(),
                listeners.len()
            );
            out.push(
                object
                    .at(&RULE, &route!["spec", "listeners", LISTENER_LIMIT, "name"], message)
                    .help("spread the listeners over several Gateways (Envoy Gateway: `mergeGateways` on its EnvoyProxy keeps one fleet and one address), or attach them with ListenerSets"),
            );
        }
    }
}
