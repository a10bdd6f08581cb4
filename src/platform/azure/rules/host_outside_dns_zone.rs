use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

declare_rule! {
    /// ## What it does
    /// Reports an ingress host outside the project's DNS zone, when a zone is set, unless the
    /// host is listed in `platform.azure.externalHosts` (its DNS is kept elsewhere).
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
    /// Use a host inside the zone, change the zone, or list the host in
    /// `platform.azure.externalHosts` and point it at the `ingress_ip` output yourself.
    pub static RULE = ("SPEC113", "host-outside-dns-zone", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    let Some(dns) = azure.dns.as_ref() else { return };
    let zone = dns.zone.trim_end_matches('.').to_ascii_lowercase();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &svc.ingress else { continue };
        let host = ingress.host.trim_end_matches('.').to_ascii_lowercase();
        let external = azure.external_hosts.iter().any(|h| h.trim_end_matches('.').eq_ignore_ascii_case(&host));
        if !external && host != zone && !host.ends_with(&format!(".{zone}")) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "host"]),
                    false,
                    format!("host `{}` is outside the DNS zone `{}`", ingress.host, dns.zone),
                )
                .help(format!(
                    "use a host ending in `.{zone}`, or list it in `platform.azure.externalHosts` when its DNS is kept elsewhere"
                )),
            );
        }
    }
}
