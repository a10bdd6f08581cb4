use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::spec::quantity::Quantity;

declare_rule! {
    /// ## What it does
    /// Reports a CPU, memory or storage amount that is not a Kubernetes quantity.
    ///
    /// ## Why it matters
    /// The API server rejects the whole Deployment or claim. `128MB` and `1 Gi` look right and
    /// are not.
    ///
    /// ## Example
    /// ```yaml
    /// resources: {limits: {memory: 256MB}}
    /// ```
    ///
    /// ## How to fix
    /// Write a number with a Kubernetes suffix: `256Mi`, `1G`, `500m`, `0.5`.
    pub static RULE = ("SPEC110", "invalid-quantity", Error);
}

/// The quantities of service `i`: path below the service and the text.
pub fn service_quantities(svc: &crate::spec::model::Service) -> Vec<([&'static str; 3], &str)> {
    let r = &svc.resources;
    let mut q = vec![
        (["resources", "requests", "cpu"], r.requests.cpu.as_str()),
        (["resources", "requests", "memory"], r.requests.memory.as_str()),
        (["resources", "limits", "cpu"], r.limits.cpu.as_str()),
        (["resources", "limits", "memory"], r.limits.memory.as_str()),
    ];
    if let Some(e) = &r.requests.ephemeral_storage {
        q.push((["resources", "requests", "ephemeralStorage"], e.as_str()));
    }
    if let Some(e) = &r.limits.ephemeral_storage {
        q.push((["resources", "limits", "ephemeralStorage"], e.as_str()));
    }
    if let Some(p) = &svc.persistence {
        q.push((["persistence", "size", ""], p.size.as_str()));
    }
    q
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        for (path, text) in service_quantities(svc) {
            if let Err(e) = Quantity::parse(text) {
                let path: Vec<&str> = path.into_iter().filter(|s| !s.is_empty()).collect();
                out.push(
                    spec.at(&RULE, &service_path(i, &path), false, e.to_string())
                        .help("write a number with a Kubernetes suffix, such as `256Mi`, `1G`, `500m` or `0.5`"),
                );
            }
        }
    }
}
