use std::collections::HashMap;

use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports two services with the same name.
    ///
    /// ## Why it matters
    /// Each service's chart, image and Kubernetes objects are named after it: the second would
    /// overwrite the first's files and objects.
    ///
    /// ## How to fix
    /// Rename one of them.
    pub static RULE = ("SPEC107", "duplicate-service-name", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen = HashMap::new();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        if let Some(first) = seen.insert(svc.name.as_str(), i) {
            seen.insert(svc.name.as_str(), first);
            let line = spec.source().position(spec.span(&service_path(first, &["name"]))).line;
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["name"]),
                    false,
                    format!("service name `{}` is already used on line {line}", svc.name),
                )
                .help("give every service its own name"),
            );
        }
    }
}
