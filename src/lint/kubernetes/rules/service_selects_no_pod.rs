use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, objects};
use crate::route;

declare_rule! {
    /// ## What it does
    /// Reports a Service whose selector matches the labels of no pod template in the same
    /// set of files (the files of one folder, or one chart).
    ///
    /// kube-score: `service-targets-pod`.
    ///
    /// ## Why it matters
    /// The Service has no endpoints: every request to it fails, and nothing says why until
    /// someone compares labels by hand.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: shop-api}   # the Deployment's pods are labelled app: shop
    /// ```
    ///
    /// ## How to fix
    /// Make the selector a subset of the pod template's labels. A Service without a selector
    /// (endpoints managed by hand) is not reported.
    pub static RULE = ("K8S042", "service-selects-no-pod", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let pods: Vec<_> = objects(docs).filter_map(|(_, o)| o.pod().and_then(|p| p.labels)).collect();
    for (_, object) in objects(docs) {
        let Typed::Service(service) = &object.typed else { continue };
        let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else { continue };
        if selector.is_empty() || service.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName") {
            continue;
        }
        let selects = pods.iter().any(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)));
        if !selects {
            let shown: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let message =
                format!("{} selects {}, which no pod template in these files carries", object.title(), shown.join(","));
            out.push(
                object
                    .at(&RULE, &route!["spec", "selector"], message)
                    .help("make the selector match the labels of the workload's pod template"),
            );
        }
    }
}
