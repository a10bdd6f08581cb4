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
    /// (`gen-gateway`, in `platform.azure.ingress.namespace`), so only a platform without a
    /// Gateway of its own (a local cluster) is reported.
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
    /// Name the Gateway the cluster runs: `platform.local.ingress.gateway: {name: web,
    /// namespace: gateway-system}`, or use `route: ingress` (a local cluster's default).
    pub static RULE = ("SPEC120", "httproute-without-gateway", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if spec.spec.platform.ingress().gateway.is_some() {
        return;
    }
    // The key that names the Gateway is under the platform the spec runs on.
    let help =
        format!("set `platform.{}.ingress.gateway: {{name: ..., namespace: ...}}`", spec.spec.platform.target_name());
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
