use std::collections::HashMap;

use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports two services whose ingress claims the same host and path.
    ///
    /// ## Why it matters
    /// The ingress controller sends the traffic to one of them, chosen by its own ordering
    /// rules; the other service is unreachable and nothing says so.
    ///
    /// ## How to fix
    /// Give each service its own host or path prefix.
    pub static RULE = ("SPEC108", "duplicate-ingress-route", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen = HashMap::new();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &svc.ingress else { continue };
        let path = ingress.path.trim_end_matches('/');
        let key = (ingress.host.to_ascii_lowercase(), if path.is_empty() { "/".to_string() } else { path.to_string() });
        if let Some(&first) = seen.get(&key) {
            let other: &crate::spec::model::Service = &spec.spec.services[first];
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress"]),
                    false,
                    format!("service `{}` routes {}{} like service `{}`", svc.name, key.0, key.1, other.name),
                )
                .help("give each service its own host or path"),
            );
        } else {
            seen.insert(key, i);
        }
    }
}
