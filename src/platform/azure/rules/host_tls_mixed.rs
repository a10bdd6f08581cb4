use std::collections::HashMap;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;
use crate::spec::model::RouteKind;

declare_rule! {
    /// ## What it does
    /// Reports two services that share a host through the Gateway, one over HTTPS
    /// (`tls: true`) and the other over plain HTTP (`tls: false`), in one environment on
    /// Azure.
    ///
    /// ## Why it matters
    /// gen's Terraform gives such a host a plain `http-<host>` listener while cert-manager
    /// answers the host's HTTP-01 challenge on the Gateway's catch-all `http` listener. Envoy
    /// Gateway merges every Gateway onto one port-80 route table, where the host would then
    /// appear twice: Envoy refuses the whole table ("only unique values for domains are
    /// permitted"), so the challenge is never served, the certificate never issued, and no
    /// change to port 80 reaches the proxies while it lasts.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: shop
    ///     ingress: {host: shop.example.com, path: /}
    ///   - name: legacy
    ///     ingress: {host: shop.example.com, path: /legacy, tls: false}
    /// ```
    ///
    /// ## How to fix
    /// Serve every path of a host the same way: `tls: true` for all (the plain HTTP requests
    /// are redirected to HTTPS), or give the plain service a host of its own.
    pub static RULE = ("SPEC148", "host-tls-mixed", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == azure::NAME) {
        // Each routed host with the first service that serves it, and whether over HTTPS.
        let mut hosts: HashMap<String, (&str, bool)> = HashMap::new();
        for service in &env.spec(spec).spec.services {
            let Some(ingress) = service.ingress.as_ref().filter(|i| i.route == Some(RouteKind::Httproute)) else {
                continue;
            };
            let host = ingress.host.trim_end_matches('.').to_ascii_lowercase();
            let Some(&(first, tls)) = hosts.get(&host) else {
                hosts.insert(host, (&service.name, ingress.tls));
                continue;
            };
            if tls == ingress.tls {
                continue;
            }
            let (https, http) = if tls { (first, service.name.as_str()) } else { (service.name.as_str(), first) };
            let place = if env.declared { format!(" in environment `{}`", env.name) } else { String::new() };
            let message = format!(
                "`{host}` is served over HTTPS to `{https}` and over plain HTTP to `{http}`{place}: the host's plain \
                 listener and its certificate's HTTP-01 challenge would collide on the Gateway's port 80, and no \
                 certificate would be issued"
            );
            out.push(spec.at(&RULE, &super::host_written(spec, i, &service.name), false, message).help(
                "serve every path of a host the same way (`tls: true` for all: plain HTTP is redirected to HTTPS), or give the plain service a host of its own",
            ));
        }
    }
}
