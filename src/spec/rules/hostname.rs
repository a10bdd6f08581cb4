use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::spec::grammar::SUBDOMAIN_MAX;
use crate::spec::model::RouteKind;

declare_rule! {
    /// ## What it does
    /// Reports an ingress host or DNS zone that is not a valid DNS name, and a host routed
    /// through the Gateway (`route: httproute`) too long for the listener named after it
    /// (`https-<host>`, or `http-<host>` with `tls: false`): a Gateway API listener name is at
    /// most 253 characters, so such a host is at most 247 (248 without TLS).
    ///
    /// ## Why it matters
    /// The host ends up in an Ingress rule, a TLS certificate and a DNS record; each rejects a
    /// name with a scheme, a path, a port or an upper-case letter, each at a different time;
    /// the API server refuses an IP address as an Ingress's or an HTTPRoute's host (on a
    /// laptop, `<ip>.nip.io` resolves to the IP).
    /// The Gateway's listener, which the service's HTTPRoute names, would be refused by the
    /// API server at `terraform apply`, after the rest of the platform is built.
    ///
    /// ## Example
    /// ```yaml
    /// ingress: {host: https://athletes.example.com/}
    /// ```
    ///
    /// ## How to fix
    /// Write the bare name: `athletes.example.com`.
    pub static RULE = ("SPEC106", "invalid-hostname", Error);
}

/// Why `host` is not a lowercase DNS name of at least two labels, if it is not.
fn problem(host: &str) -> Option<&'static str> {
    if host.contains("://") || host.contains('/') {
        return Some("write the bare host name, without a scheme or path");
    }
    if is_ip(host) {
        return Some("it is an IP address, which Kubernetes refuses as an Ingress's or an HTTPRoute's host");
    }
    if host.contains(':') {
        return Some("write the host without a port");
    }
    if host.len() > 253 {
        return Some("it is longer than 253 characters");
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Some("it needs at least two labels, such as `example.com`");
    }
    for label in labels {
        if label.is_empty() || label.len() > 63 {
            return Some("each dot-separated label must be 1 to 63 characters");
        }
        if !label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Some("it may hold only lowercase letters, digits, `-` and `.`");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label must start and end with a letter or digit");
        }
    }
    None
}

/// Whether `host` is an IP address (`192.168.49.2`, `::1`, `[::1]`), which Kubernetes
/// refuses as an Ingress's or an HTTPRoute's host.
fn is_ip(host: &str) -> bool {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    bare.parse::<std::net::IpAddr>().is_ok()
}

/// What to write instead of a host the rule refuses: `<ip>.nip.io` for an IP address on this
/// machine's cluster (nip.io answers it with that address), the name in lower case, or an
/// example.
fn help(host: &str, local: bool) -> String {
    if is_ip(host) {
        let bare = host.trim_matches(['[', ']']);
        if local && bare.parse::<std::net::Ipv4Addr>().is_ok() {
            return format!(
                "write `{bare}.nip.io` (nip.io resolves it to {bare}), or leave `host` out for `<service>.<platform.local.domain>`"
            );
        }
        return "write a DNS name that resolves to the address, such as `api.example.com`".to_string();
    }
    let lower = host.to_ascii_lowercase();
    if lower != host && problem(&lower).is_none() {
        return format!("write `{lower}`: Kubernetes takes a host in lower case only");
    }
    "write a host such as `api.example.com`".to_string()
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if let Some((route, zone)) = spec.spec.platform.target.spec().dns_zone()
        && let Some(why) = problem(zone)
    {
        out.push(
            spec.at(&RULE, &route, false, format!("DNS zone `{zone}` is not a valid name: {why}"))
                .help("write a zone such as `example.com`"),
        );
    }
    let local = spec.spec.platform.on().on_this_machine();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &svc.ingress else { continue };
        if let Some(why) = problem(&ingress.host) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "host"]),
                    false,
                    format!("ingress host `{}` is not a valid host name: {why}", ingress.host),
                )
                .help(help(&ingress.host, local)),
            );
        } else if ingress.route == Some(RouteKind::Httproute) {
            // The listener the Gateway names after the host, as the templates do (the Gateway
            // module in Terraform, the chart's values, the plain HTTPRoute).
            let prefix = if ingress.tls { "https-" } else { "http-" };
            let length = prefix.len() + ingress.host.len();
            if length > SUBDOMAIN_MAX {
                out.push(
                    spec.at(
                        &RULE,
                        &service_path(i, &["ingress", "host"]),
                        false,
                        format!(
                            "ingress host `{}` is too long for the Gateway: its listener `{prefix}<host>` would be {length} characters, over the {SUBDOMAIN_MAX} a Gateway API listener name may have",
                            ingress.host
                        ),
                    )
                    .help(format!("use a host of at most {} characters", SUBDOMAIN_MAX - prefix.len())),
                );
            }
        }
    }
}
