use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::autoscaler::autoscalers;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, objects};
use crate::route;

declare_rule! {
    /// ## What it does
    /// Reports a Deployment or StatefulSet that sets `spec.replicas` while a
    /// HorizontalPodAutoscaler in the same files scales it.
    ///
    /// kube-score: `deployment-targeted-by-hpa-does-not-have-replicas`.
    ///
    /// ## Why it matters
    /// The autoscaler owns the replica count. Every `helm upgrade` or `kubectl apply` writes
    /// the manifest's count back: a service scaled out to 8 pods under load drops to 2 in
    /// the middle of a deploy, until the autoscaler catches up.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 2      # and an HPA targets this Deployment
    /// ```
    ///
    /// ## How to fix
    /// Remove `spec.replicas` and let the autoscaler's `minReplicas` set the floor. (In a Helm
    /// chart, leave it out when autoscaling is enabled.)
    pub static RULE = ("K8S039", "replicas-with-hpa", Warning);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let hpas = autoscalers(objects(docs).map(|(_, o)| o));
    for (_, object) in objects(docs) {
        if !matches!(object.typed, Typed::Deployment(_) | Typed::StatefulSet(_)) {
            continue;
        }
        let route = route!["spec", "replicas"];
        if !object.has(&route) {
            continue;
        }
        let Some(hpa) = hpas.iter().find(|h| h.scales(object)) else { continue };
        let message = format!(
            "{} sets replicas while {} scales it: every apply resets the autoscaler's count",
            object.title(),
            hpa.object.title()
        );
        out.push(
            object
                .at(&RULE, &route, message)
                .help("remove `spec.replicas`; the autoscaler's minReplicas sets the floor"),
        );
    }
}
