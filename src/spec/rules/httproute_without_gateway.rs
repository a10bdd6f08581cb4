use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::spec::model::RouteKind;

declare_rule! {
    /// ## What it does
    /// Reports a service exposed through a Gateway API HTTPRoute (`ingress.route: httproute`)
    /// while the spec names no Gateway (`platform.<target>.ingress.gateway`) on a platform
    /// that creates none. On Azure gen's Terraform creates one when the spec names none
    /// (`gen-gateway`, in `platform.azure.ingress.namespace`), and on AWS too (`gen-gateway`
    /// in `gateway-system`, an ALB of its own). A cluster on this machine runs
    /// no Gateway, named or not: its deploy script installs ingress-nginx, so a local spec or
    /// environment that asks for an HTTPRoute itself is reported (one the spec writes for the
    /// cloud becomes an Ingress in a local environment).
    ///
    /// ## Why it matters
    /// An HTTPRoute attaches to a Gateway by name; without one it routes nothing, and the
    /// service is unreachable with no error anywhere.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {local: {cluster: minikube}}
    /// services:
    ///   - name: api
    ///     ingress: {host: api.localhost, route: httproute}
    /// ```
    ///
    /// ## How to fix
    /// On a local cluster, or a platform that routes no HTTPRoute yet, drop `route:
    /// httproute` (the same host and path become an Ingress, which the platform's load
    /// balancer serves). Elsewhere, name the Gateway the
    /// cluster runs (`platform.<target>.ingress.gateway: {name: web, namespace:
    /// gateway-system}`), or use `route: ingress`.
    pub static RULE = ("SPEC120", "httproute-without-gateway", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    // A cluster on this machine routes through the ingress controller its script installs,
    // whatever Gateway the spec names (SPEC137 reports one named there).
    let platform = spec.spec.platform.on();
    let local = platform.on_this_machine();
    if spec.spec.platform.ingress().gateway.is_some() && !local {
        return;
    }
    // The key that names the Gateway is under the platform the spec runs on.
    let help = if local {
        "drop `route: httproute`: a local cluster runs no Gateway, and serves the same host and path through an Ingress on its ingress-nginx".to_string()
    } else if !platform.routes_httproutes() {
        format!(
            "drop `route: httproute`: gen routes no HTTPRoute on {} yet, and serves the same host and path through an Ingress on the platform's load balancer",
            platform.name()
        )
    } else {
        format!("set `platform.{}.ingress.gateway: {{name: ..., namespace: ...}}`", spec.spec.platform.target_name())
    };
    for (i, svc) in spec.spec.services.iter().enumerate() {
        if svc.ingress.as_ref().is_some_and(|g| g.route == Some(RouteKind::Httproute)) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "route"]),
                    false,
                    "an HTTPRoute needs a Gateway to attach to",
                )
                .help(help.clone()),
            );
        }
    }
}
