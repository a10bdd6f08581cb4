use std::collections::{HashMap, HashSet};

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::{self, Capability};
use crate::spec::Loaded;
use crate::spec::rules::environment_setting;

declare_rule! {
    /// ## What it does
    /// Reports an ingress host that two environments on a cloud (Azure, AWS) both serve, at
    /// the later one.
    ///
    /// ## Why it matters
    /// Each environment on a cloud is served by its own load balancer (on Azure its own
    /// cluster's public IP; on AWS its own cluster's, or on a cluster it shares its own
    /// Ingress group's), and a host name resolves to one address. With a DNS zone in the spec,
    /// the first environment's record wins: on Azure the second Terraform workspace fails
    /// because the record exists, and on AWS the second cluster's ExternalDNS leaves a record
    /// another owns as it is, so the second environment is never reached; without a zone,
    /// whoever points the name decides which environment answers, and the other's certificate
    /// can never be issued. A service that keeps the spec's host in every environment is the
    /// usual way to get here.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: shop
    ///     ingress: {host: shop.example.com}
    /// environments:
    ///   - name: dev
    ///   - name: prod
    ///     platform: {azure: {resourceGroup: shop-prod-rg}}
    /// ```
    ///
    /// ## How to fix
    /// Give the service a host per environment (`environments[].services.<name>.ingress.host`),
    /// such as `dev.shop.example.com` for development and `shop.example.com` for production.
    pub static RULE = ("SPEC126", "ingress-host-shared", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    // Each host with the first environment that serves it: looked up, not scanned, per service
    // (a spec of thousands of services checked them pairwise).
    let mut seen: HashMap<String, &str> = HashMap::new();
    let cloud =
        |target: &str| platform::by_name(target).is_some_and(|p| p.capabilities().contains(&Capability::CloudPipeline));
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| cloud(e.target)) {
        let mut hosts: HashSet<String> = HashSet::new();
        for service in &env.spec(spec).spec.services {
            let Some(ingress) = service.ingress.as_ref() else { continue };
            let host = ingress.host.to_ascii_lowercase();
            if hosts.contains(&host) {
                continue;
            }
            if let Some(other) = seen.get(&host) {
                let message = format!(
                    "environments `{other}` and `{}` both serve `{host}`: each is served by a load balancer of its \
                     own, and a host name points at one",
                    env.name
                );
                let at = environment_setting(spec, i, &["services", &service.name, "ingress", "host"]);
                out.push(spec.at(&RULE, &at, false, message).help(format!(
                    "give `{}` a host of its own in `{}` (`services: {{{}: {{ingress: {{host: ...}}}}}}`)",
                    service.name, env.name, service.name
                )));
            }
            hosts.insert(host);
        }
        for host in hosts {
            seen.entry(host).or_insert(env.name.as_str());
        }
    }
}
