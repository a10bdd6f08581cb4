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

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let r = &svc.resources;
        for (what, request, limit) in
            [("cpu", &r.requests.cpu, &r.limits.cpu), ("memory", &r.requests.memory, &r.limits.memory)]
        {
            // Malformed quantities are invalid-quantity's to report.
            let (Ok(req), Ok(lim)) = (Quantity::parse(request), Quantity::parse(limit)) else { continue };
            if req > lim {
                out.push(
                    spec.at(
                        &RULE,
                        &service_path(i, &["resources", "requests", what]),
                        false,
                        format!("{what} request `{request}` is above its limit `{limit}`"),
                    )
                    .help(format!("lower the {what} request or raise the limit")),
                );
            }
        }
    }
}
