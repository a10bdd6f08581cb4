use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a DNS zone that is a public suffix: a name on the Public Suffix List, under
    /// which anyone may register names (`com`, `co.uk`, and the dynamic DNS services such as
    /// `duckdns.org`), as the `psl` crate carries the list.
    ///
    /// ## Why it matters
    /// Terraform would create an Azure DNS zone for it that nobody can delegate: its
    /// registry will never point the suffix at Azure's name servers, so no host in it ever
    /// resolves, and no certificate is ever issued for one. Seed 001 ran on
    /// `flask-test.duckdns.org` this way.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   azure:
    ///     dns: {zone: duckdns.org}
    /// ```
    ///
    /// ## How to fix
    /// Name a zone you own (`example.com`). For a host at a dynamic DNS service, remove
    /// `dns` and list the host in `platform.azure.externalHosts`: gen writes no record, you
    /// point the host at the `ingress_ip` output where its DNS is kept, and its certificate
    /// comes by HTTP-01.
    pub static RULE = ("SPEC131", "dns-zone-is-public-suffix", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(dns) = azure::of(&spec.spec).and_then(|a| a.dns.as_ref()) else { return };
    let zone = dns.zone.trim_end_matches('.').to_ascii_lowercase();
    // Only a suffix the list names: the list's default rule makes any unknown last label a
    // suffix too (`internal`), which says nothing about who may delegate it.
    let public = psl::suffix(zone.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes() == zone.as_bytes());
    if public {
        out.push(
            spec.at(
                &RULE,
                &route!["platform", azure::NAME, "dns", "zone"],
                false,
                format!(
                    "the DNS zone `{}` is a public suffix: nobody can delegate it to Azure's name servers, so no host in it would resolve",
                    dns.zone
                ),
            )
            .help(
                "name a zone you own, or remove `dns` and list each host in `platform.azure.externalHosts` \
                 (gen writes no record; point the host at the `ingress_ip` output where its DNS is kept)",
            ),
        );
    }
}
