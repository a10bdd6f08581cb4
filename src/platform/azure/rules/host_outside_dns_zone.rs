use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

declare_rule! {
    /// ## What it does
    /// Reports an ingress host outside the project's DNS zone, when a zone is set.
    ///
    /// ## Why it matters
    /// Terraform creates A records only inside its zone: the host would never resolve to the
    /// ingress, and its certificate could not be issued.
    ///
    /// ## Example
    /// ```yaml
    /// dns: {zone: example.com}
    /// ingress: {host: athletes.example.org}
    /// ```
    ///
    /// ## How to fix
    /// Use a host inside the zone, or change the zone.
    pub static RULE = ("SPEC113", "host-outside-dns-zone", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(dns) = azure::of(&spec.spec).and_then(|a| a.dns.as_ref()) else { return };
    let zone = dns.zone.trim_end_matches('.').to_ascii_lowercase();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &svc.ingress else { continue };
        let host = ingress.host.trim_end_matches('.').to_ascii_lowercase();
        if host != zone && !host.ends_with(&format!(".{zone}")) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "host"]),
                    false,
                    format!("host `{}` is outside the DNS zone `{}`", ingress.host, dns.zone),
                )
                .help(format!("use a host ending in `.{zone}`")),
            );
        }
    }
}
