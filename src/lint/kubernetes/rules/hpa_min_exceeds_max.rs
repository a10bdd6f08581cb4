use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::autoscaler::Autoscaler;
use crate::route;

declare_rule! {
    /// ## What it does
    /// Reports a HorizontalPodAutoscaler whose `minReplicas` is greater than its
    /// `maxReplicas`.
    ///
    /// ## Why it matters
    /// The API server refuses the object (`minReplicas` must be at most `maxReplicas`), so
    /// the whole release fails to apply; usually one bound was raised in one environment's
    /// values and not the other.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   minReplicas: 5
    ///   maxReplicas: 3
    /// ```
    ///
    /// ## How to fix
    /// Make `minReplicas` at most `maxReplicas`.
    pub static RULE = ("K8S038", "hpa-min-exceeds-max", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(hpa) = Autoscaler::of(object) else { continue };
        let (Some(min), Some(max)) = (hpa.min, hpa.max) else { continue };
        if min > max {
            let message = format!("{} has minReplicas {min} above its maxReplicas {max}", object.title());
            out.push(
                object
                    .at(&RULE, &route!["spec", "minReplicas"], message)
                    .help("make `minReplicas` at most `maxReplicas`"),
            );
        }
    }
}
