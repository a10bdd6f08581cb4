use std::collections::{BTreeMap, BTreeSet};

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

/// Let's Encrypt's limit of new certificates per registered domain in seven days.
const WEEKLY_LIMIT: usize = 50;

declare_rule! {
    /// ## What it does
    /// Warns at the first host past Let's Encrypt's limit of 50 new certificates per
    /// registered domain (`example.com` for `shop.eu.example.com`, as the Public Suffix List
    /// says) in seven days, counting every TLS host of every environment on Azure: gen's
    /// cert-manager issues one certificate per host.
    ///
    /// ## Why it matters
    /// A first deploy of more hosts than that under one domain gets the first 50 certificates;
    /// the others are refused until the week has passed (cert-manager retries with a growing
    /// back-off), and those hosts answer HTTPS with no valid certificate meanwhile. Renewals
    /// do not count, so a project that grows past 50 hosts a few at a time is never held up.
    ///
    /// ## Example
    /// ```yaml
    /// services:                      # 60 services, each with
    ///   - name: svc-1
    ///     ingress: {host: svc-1.example.com, tls: true}
    /// ```
    ///
    /// ## How to fix
    /// Add the services in waves of at most 50 new hosts a week, or put hosts under more than
    /// one registered domain; a wildcard certificate (DNS-01) is not rendered by gen today.
    /// If you have asked Let's Encrypt for a higher limit, ignore the rule with that reason
    /// (`lint.ignore`).
    pub static RULE = ("SPEC147", "certificates-over-weekly-limit", Warning);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    // Each registered domain's TLS hosts, across the environments on Azure.
    let mut domains: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == azure::NAME) {
        for service in &env.spec(spec).spec.services {
            let Some(ingress) = service.ingress.as_ref().filter(|i| i.tls) else { continue };
            let host = ingress.host.trim_end_matches('.').to_ascii_lowercase();
            let Some(domain) = psl::domain(host.as_bytes()).and_then(|d| std::str::from_utf8(d.as_bytes()).ok()) else {
                continue;
            };
            let hosts = domains.entry(domain.to_string()).or_default();
            if !hosts.insert(host.clone()) || hosts.len() != WEEKLY_LIMIT + 1 {
                continue;
            }
            let at = super::host_written(spec, i, &service.name);
            let message = format!(
                "`{host}` is TLS host number {} under `{domain}`: Let's Encrypt issues at most {WEEKLY_LIMIT} new \
                 certificates per registered domain a week, so a first deploy of all of them leaves the hosts past \
                 that without a certificate for up to a week",
                WEEKLY_LIMIT + 1
            );
            out.push(spec.at(&RULE, &at, false, message).help(
                "add the services in waves of at most 50 new hosts a week, or spread the hosts over more than one \
                 registered domain; with a raised limit from Let's Encrypt, ignore SPEC147 in `lint.ignore` with that reason",
            ));
        }
    }
}
