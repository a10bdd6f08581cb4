use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::spec::quantity::Quantity;

declare_rule! {
    /// ## What it does
    /// Reports a CPU or memory request above its limit, comparing the real quantities
    /// (`0.5` equals `500m`, `1Gi` is more than `1G`).
    ///
    /// ## Why it matters
    /// Kubernetes rejects a container whose request exceeds its limit; the Deployment never
    /// rolls out.
    ///
    /// ## Example
    /// ```yaml
    /// resources: {requests: {cpu: "1"}, limits: {cpu: 500m}}
    /// ```
    ///
    /// ## How to fix
    /// Lower the request or raise the limit.
    pub static RULE = ("SPEC111", "request-exceeds-limit", Error);
}

pub use crate::spec::model::{EPHEMERAL_LIMIT, EPHEMERAL_REQUEST};

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let r = &svc.resources;
        // Omitted local-storage amounts take the chart's defaults, 64Mi and 256Mi.
        let ephemeral = (
            r.requests.ephemeral_storage.as_deref().unwrap_or(EPHEMERAL_REQUEST),
            r.limits.ephemeral_storage.as_deref().unwrap_or(EPHEMERAL_LIMIT),
        );
        for (what, request, limit) in [
            ("cpu", r.requests.cpu.as_str(), r.limits.cpu.as_str()),
            ("memory", r.requests.memory.as_str(), r.limits.memory.as_str()),
            ("ephemeralStorage", ephemeral.0, ephemeral.1),
        ] {
            // Malformed quantities are invalid-quantity's to report.
            let (Ok(req), Ok(lim)) = (Quantity::parse(request), Quantity::parse(limit)) else { continue };
            if req > lim {
                let side = if r.requests.ephemeral_storage.is_none() && what == "ephemeralStorage" {
                    "limits"
                } else {
                    "requests"
                };
                out.push(
                    spec.at(
                        &RULE,
                        &service_path(i, &["resources", side, what]),
                        false,
                        format!("{what} request `{request}` is above its limit `{limit}`"),
                    )
                    .help(format!("lower the {what} request or raise the limit")),
                );
            }
        }
    }
}
