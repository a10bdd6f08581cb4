use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

declare_rule! {
    /// ## What it does
    /// Reports `ingress.stripPrefix: true` (with a path other than `/`) on a service that
    /// runs on EKS. (On ECS, gen's listener rule strips it with the ALB's URL rewrite.)
    ///
    /// ## Why it matters
    /// gen strips a prefix with ingress-nginx's regular-expression path and rewrite target.
    /// The AWS Load Balancer Controller reads neither: it would take the path literally (an
    /// ALB path matches wildcards, not regular expressions), so no request would reach the
    /// service, and gen renders no URL rewrite for the ALB.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {aws: {...}}
    /// services:
    ///   - name: api
    ///     ingress: {host: shop.example.com, path: /api, stripPrefix: true}
    /// ```
    ///
    /// ## How to fix
    /// Serve the service under its prefix (drop `stripPrefix`: it receives `/api/...`), or
    /// give it a host of its own at `/`.
    pub static RULE = ("SPEC186", "strip-prefix-on-alb", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if aws::eks_of(&spec.spec).is_none() {
        return;
    }
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &svc.ingress else { continue };
        if ingress.strip_prefix && ingress.path != "/" {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "stripPrefix"]),
                    false,
                    format!(
                        "the AWS load balancer cannot strip `{}` from the path: the service would receive no request",
                        ingress.path.escape_debug()
                    ),
                )
                .help(
                    "drop `stripPrefix` (the service serves under its prefix), or give the service a host of its own",
                ),
            );
        }
    }
}
