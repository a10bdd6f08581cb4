use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a minimum above its maximum: `autoscaling.minReplicas` above `maxReplicas`, or the
    /// node pool's `minCount` above `maxCount`.
    ///
    /// ## Why it matters
    /// Kubernetes rejects such a HorizontalPodAutoscaler and AKS such a node pool, at deploy
    /// time.
    ///
    /// ## How to fix
    /// Lower the minimum or raise the maximum.
    pub static RULE = ("SPEC109", "min-exceeds-max", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if let Some((route, min, max)) = spec.spec.platform.target.spec().node_counts()
        && min > max
    {
        out.push(
            spec.at(&RULE, &route, false, format!("node pool minCount {min} is above maxCount {max}"))
                .help("lower minCount or raise maxCount"),
        );
    }
    for (i, svc) in spec.spec.services.iter().enumerate() {
        if let Some(a) = &svc.autoscaling
            && a.min_replicas > a.max_replicas
        {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["autoscaling", "minReplicas"]),
                    false,
                    format!("minReplicas {} is above maxReplicas {}", a.min_replicas, a.max_replicas),
                )
                .help("lower minReplicas or raise maxReplicas"),
            );
        }
    }
}
