use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

declare_rule! {
    /// ## What it does
    /// Reports an ingress host outside the Route 53 zone (`platform.aws.dns.zone`), when a
    /// zone is set.
    ///
    /// ## Why it matters
    /// gen's Terraform validates each TLS host's ACM certificate through a record in the
    /// zone, and ExternalDNS writes the hosts' records in the zone alone: a host outside it
    /// would never resolve to the load balancer, and the apply would fail writing its
    /// certificate's validation record (or wait 72 hours for ACM to give up).
    ///
    /// ## Example
    /// ```yaml
    /// dns: {zone: example.com}
    /// ingress: {host: notes.example.org}
    /// ```
    ///
    /// ## How to fix
    /// Use a host inside the zone, or change the zone (a subdomain delegated to Route 53,
    /// `shop.example.org`, serves every host under it).
    pub static RULE = ("SPEC183", "host-outside-route53-zone", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    let Some(dns) = block.dns.as_ref() else { return };
    let zone = dns.zone.trim_end_matches('.').to_ascii_lowercase();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &svc.ingress else { continue };
        let host = ingress.host.trim_end_matches('.').to_ascii_lowercase();
        if !host.is_empty() && host != zone && !host.ends_with(&format!(".{zone}")) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "host"]),
                    false,
                    format!(
                        "host `{}` is outside the Route 53 zone `{}`",
                        ingress.host.escape_debug(),
                        dns.zone.escape_debug()
                    ),
                )
                .help(format!("use a host ending in `.{zone}`, or a zone that holds the host")),
            );
        }
    }
}
