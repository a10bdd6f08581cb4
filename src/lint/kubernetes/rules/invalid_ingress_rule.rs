use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, Object};
use crate::route;
use crate::spec::grammar::subdomain_problem;

declare_rule! {
    /// ## What it does
    /// Reports a host or a path of an Ingress that the API server refuses (its
    /// `ValidateIngressSpec`): a rule's `host` that is an IP address, or not a lowercase DNS
    /// name (`Shop.Example.com`, a `*` anywhere but a whole first label), a TLS entry's host
    /// that is not one, a `Prefix` or `Exact` path that does not start with `/` or holds
    /// `//`, `/./`, `/../` or an encoded `/` (`%2F`), or ends with `/.` or `/..`, an
    /// `ImplementationSpecific` path written without its leading `/`, and a `pathType` other
    /// than `Exact`, `Prefix` and `ImplementationSpecific` (the case counts).
    ///
    /// No counterpart in kubernetes-validate or kubeconform: the API's schema says only "a
    /// string"; the API server's validation refuses it.
    ///
    /// ## Why it matters
    /// `kubectl apply` and `helm install` fail on the Ingress (`spec.rules[0].host: Invalid
    /// value: "192.168.49.2": must be a DNS name, not an IP address`), after every check
    /// before it passed.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///     - host: 192.168.49.2
    ///       http:
    ///         paths:
    ///           - {path: api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
    /// ```
    ///
    /// ## How to fix
    /// Write a lowercase DNS name (for an IP, `192.168.49.2.nip.io` resolves to it; or leave
    /// `host` out to serve every host), and start each path with `/`: `/api`.
    pub static RULE = ("K8S054", "invalid-ingress-rule", Error);
}

/// Sequences and endings a `Prefix` or `Exact` path may not have (the API server's
/// `invalidPathSequences` and `invalidPathSuffixes`).
const PATH_SEQUENCES: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
const PATH_SUFFIXES: [&str; 2] = ["/..", "/."];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Typed::Ingress(ingress) = &object.typed else { continue };
        let Some(spec) = &ingress.spec else { continue };
        for (i, rule) in spec.rules.iter().flatten().enumerate() {
            if let Some(host) = rule.host.as_deref().filter(|h| !h.is_empty()) {
                let at = route!["spec", "rules", i, "host"];
                if is_ip(host) {
                    let message = format!(
                        "{} serves the host `{host}`, an IP address: an Ingress host is a DNS name",
                        object.title()
                    );
                    let help = format!(
                        "write a DNS name: `{host}.nip.io` resolves to this address, or leave `host` out to serve every host"
                    );
                    out.push(object.at(&RULE, &at, message).help(help));
                } else if let Some(why) = host_problem(host) {
                    report_host(object, &at, host, why, out);
                }
            }
            let paths = rule.http.as_ref().map(|h| h.paths.as_slice()).unwrap_or_default();
            for (j, path) in paths.iter().enumerate() {
                let at = route!["spec", "rules", i, "http", "paths", j];
                let written = path.path.as_deref().unwrap_or_default();
                match path.path_type.as_str() {
                    "Prefix" | "Exact" => {
                        if let Some(why) = path_problem(written) {
                            report_path(object, &at.with("path"), &path.path_type, written, &why, out);
                        }
                    }
                    "ImplementationSpecific" if !written.is_empty() && !written.starts_with('/') => {
                        report_path(object, &at.with("path"), &path.path_type, written, "it must start with `/`", out);
                    }
                    "ImplementationSpecific" => {}
                    other => {
                        let message = format!(
                            "{} gives a path the type `{}`: the API server knows only `Exact`, `Prefix` and `ImplementationSpecific`",
                            object.title(),
                            other.escape_debug()
                        );
                        let help = match other.to_ascii_lowercase().as_str() {
                            "prefix" => "write `Prefix`".to_string(),
                            "exact" => "write `Exact`".to_string(),
                            "implementationspecific" => "write `ImplementationSpecific`".to_string(),
                            _ => "write `Prefix` (a path and what is under it) or `Exact`".to_string(),
                        };
                        out.push(object.at(&RULE, &at.with("pathType"), message).help(help));
                    }
                }
            }
        }
        for (i, tls) in spec.tls.iter().flatten().enumerate() {
            for (j, host) in tls.hosts.iter().flatten().enumerate() {
                if let Some(why) = host_problem(host) {
                    report_host(object, &route!["spec", "tls", i, "hosts", j], host, why, out);
                }
            }
        }
    }
}

fn report_host(object: &Object, at: &Route, host: &str, why: &str, out: &mut Diagnostics) {
    let message =
        format!("{} serves the host `{}`, which is not a DNS name: {why}", object.title(), host.escape_debug());
    let lower = host.to_ascii_lowercase();
    let help = if lower != host && host_problem(&lower).is_none() {
        format!("write it in lowercase (DNS names know no case): `{lower}`")
    } else {
        "write a lowercase DNS name such as `shop.example.com`, or `*.example.com` for every host under it".to_string()
    };
    out.push(object.at(&RULE, at, message).help(help));
}

fn report_path(object: &Object, at: &Route, kind: &str, path: &str, why: &str, out: &mut Diagnostics) {
    let message = format!(
        "{} has the {kind} path `{}`, which the API server refuses: {why}",
        object.title(),
        path.escape_debug()
    );
    let help = if path.starts_with('/') {
        "write the path in its plain form, such as `/api`".to_string()
    } else {
        format!("start it with `/`: `/{}`", path.escape_debug())
    };
    out.push(object.at(&RULE, at, message).help(help));
}

/// Why an Ingress host is refused, an IP aside: a DNS-1123 subdomain, or `*.` then one.
fn host_problem(host: &str) -> Option<&'static str> {
    if !host.contains('*') {
        return subdomain_problem(host);
    }
    match host.strip_prefix("*.") {
        Some(rest) if !rest.contains('*') => subdomain_problem(rest),
        _ => Some("a wildcard is only a whole first label, `*.example.com`"),
    }
}

/// Why a `Prefix` or `Exact` path is refused.
fn path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some("it must start with `/`".to_string());
    }
    if let Some(seq) = PATH_SEQUENCES.iter().find(|s| path.contains(**s)) {
        return Some(format!("it must not hold `{seq}`"));
    }
    PATH_SUFFIXES.iter().find(|s| path.ends_with(**s)).map(|s| format!("it must not end with `{s}`"))
}

/// Whether `host` is an IPv4 address as Go's `ParseIPSloppy` reads it (leading zeros
/// allowed); an IPv6 address is no DNS name either way.
fn is_ip(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    let v4 = parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        });
    v4 || host.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::{host_problem, is_ip, path_problem};

    #[test]
    fn hosts_and_paths_are_held_to_the_api_servers_validation() {
        assert!(is_ip("192.168.49.2") && is_ip("010.0.0.1") && is_ip("::1"));
        assert!(!is_ip("192.168.49.2.nip.io") && !is_ip("1.2.3") && !is_ip("256.1.1.1"));
        assert_eq!(host_problem("shop.example.com"), None);
        assert_eq!(host_problem("*.example.com"), None);
        assert!(host_problem("Shop.example.com").is_some());
        assert!(host_problem("shop.*.com").is_some() && host_problem("*").is_some());
        assert_eq!(path_problem("/api"), None);
        assert!(path_problem("api").is_some() && path_problem("/a//b").is_some() && path_problem("/a/..").is_some());
    }
}
