use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::Document;
use crate::route;
use crate::spec::grammar::subdomain_problem;
use crate::yaml::Value;

declare_rule! {
    /// ## What it does
    /// Reports a class name that is not a Kubernetes object name (a DNS-1123 subdomain: at
    /// most 253 lowercase letters, digits, `-` and `.`, each dot-separated part starting and
    /// ending with a letter or digit): an Ingress's `spec.ingressClassName`, the
    /// `storageClassName` of a PersistentVolumeClaim, a PersistentVolume or a StatefulSet's
    /// `volumeClaimTemplates` (empty is allowed there: no class), a VolumeSnapshot's
    /// `volumeSnapshotClassName`, a snapscheduler SnapshotSchedule's
    /// `snapshotTemplate.snapshotClassName` and a Gateway's `gatewayClassName`.
    ///
    /// No counterpart in kubernetes-validate or kubeconform: the API's schema says only "a
    /// string"; the API server's validation refuses it.
    ///
    /// ## Why it matters
    /// `kubectl apply` and `helm install` fail on the object (`spec.ingressClassName:
    /// Invalid value`), or, for a snapshot class in a custom resource, every snapshot the
    /// operator takes does.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   ingressClassName: nginx_internal
    /// ```
    ///
    /// ## How to fix
    /// Name the class as the cluster does (`kubectl get ingressclass,storageclass,
    /// volumesnapshotclass`): `nginx-internal`.
    pub static RULE = ("K8S050", "invalid-class-name", Error);
}

/// Where each kind names a class, and whether an empty name (no class) is allowed there.
const CLASSES: [(&str, &[&str], bool); 6] = [
    ("Ingress", &["spec", "ingressClassName"], false),
    ("PersistentVolumeClaim", &["spec", "storageClassName"], true),
    ("PersistentVolume", &["spec", "storageClassName"], true),
    ("VolumeSnapshot", &["spec", "volumeSnapshotClassName"], false),
    ("SnapshotSchedule", &["spec", "snapshotTemplate", "snapshotClassName"], false),
    ("Gateway", &["spec", "gatewayClassName"], false),
];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let mut named: Vec<(Route, bool)> = CLASSES
            .iter()
            .filter(|(kind, _, _)| *kind == object.kind)
            .map(|(_, path, empty_ok)| (path.iter().fold(Route::root(), |r, k| r.with(*k)), *empty_ok))
            .collect();
        if object.kind == "StatefulSet"
            && let Some(Value::Seq(templates)) =
                object.doc.root.lookup(&route!["spec", "volumeClaimTemplates"]).map(|n| &n.value)
        {
            for i in 0..templates.len() {
                named.push((route!["spec", "volumeClaimTemplates", i, "spec", "storageClassName"], true));
            }
        }
        for (route, empty_ok) in named {
            let Some(name) = object.doc.root.lookup(&route).and_then(|n| n.as_str()) else { continue };
            if name.is_empty() && empty_ok {
                continue;
            }
            let Some(why) = subdomain_problem(name) else { continue };
            let field = match route.segments().last() {
                Some(crate::diag::Segment::Key(k)) => k.as_str(),
                _ => "class",
            };
            let message = format!(
                "{} names `{}` in `{field}`, which is not a Kubernetes name: {why}",
                object.title(),
                name.escape_debug()
            );
            out.push(
                object
                    .at(&RULE, &route, message)
                    .help("name the class as the cluster does, such as `nginx` or `managed-csi`"),
            );
        }
    }
}
