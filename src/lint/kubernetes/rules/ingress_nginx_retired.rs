use std::collections::BTreeMap;

use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::ingress::CLASS_ANNOTATION;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, Object, objects};
use crate::route;

/// The `spec.controller` of the upstream ingress-nginx controller's IngressClass.
const CONTROLLER: &str = "k8s.io/ingress-nginx";

/// The annotations only ingress-nginx reads.
const ANNOTATION_PREFIX: &str = "nginx.ingress.kubernetes.io/";

declare_rule! {
    /// ## What it does
    /// Notes, once per set of files (a folder, or a chart), the Ingresses served by the
    /// upstream ingress-nginx controller, at the first one, with how many there are (not in
    /// what `gen render` writes: there the controller is the spec's choice). The controller
    /// is recognised, not a class name:
    /// - the Ingress's class (`spec.ingressClassName`, or the legacy annotation
    ///   `kubernetes.io/ingress.class`) is an IngressClass of these files whose
    ///   `spec.controller` is `k8s.io/ingress-nginx` (with no class, the default IngressClass);
    /// - its class is `nginx` and no IngressClass of these files says which controller that
    ///   is (ingress-nginx's default name);
    /// - it carries annotations only ingress-nginx reads (`nginx.ingress.kubernetes.io/...`),
    ///   whatever its class is called (seed 001's `external-nginx`), unless an IngressClass of
    ///   these files names another controller for it (F5 NGINX's `nginx.org/ingress-controller`
    ///   is maintained).
    ///
    /// ## Why it matters
    /// The upstream ingress-nginx controller was retired: it stopped receiving releases and
    /// security fixes in March 2026. The Ingresses keep working on the controller already
    /// installed, but the next vulnerability in it will not be fixed. This is news, not a
    /// defect of the files: the finding never fails a run.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   ingressClassName: nginx
    /// ```
    ///
    /// ## How to fix
    /// Move the routes to the Gateway API: an HTTPRoute attached to a Gateway of a maintained
    /// implementation (in a gen spec, `ingress.route: httproute`). Until then, silence the
    /// note for the file with `# gen:ignore-file K8S047 reason`.
    pub static RULE = ("K8S047", "ingress-nginx-retired", Info);
}

/// The IngressClasses of the files: name to controller, and the default class's name.
struct Classes<'a> {
    controllers: BTreeMap<&'a str, &'a str>,
    default: Option<&'a str>,
}

fn classes(docs: &[Document]) -> Classes<'_> {
    let mut found = Classes { controllers: BTreeMap::new(), default: None };
    for (_, o) in objects(docs).filter(|(_, o)| o.kind == "IngressClass" && !o.name.is_empty()) {
        let controller = o.doc.root.lookup(&route!["spec", "controller"]).and_then(|n| n.as_str()).unwrap_or("");
        found.controllers.insert(&o.name, controller);
        if o.annotation("ingressclass.kubernetes.io/is-default-class") == Some("true") {
            found.default = Some(&o.name);
        }
    }
    found
}

/// Where an Ingress shows it is served by ingress-nginx; `None` when it is not, or another
/// controller's IngressClass claims it.
fn served_by_ingress_nginx(object: &Object, classes: &Classes) -> Option<Route> {
    let Typed::Ingress(ingress) = &object.typed else { return None };
    let (class, class_route) = match ingress.spec.as_ref().and_then(|s| s.ingress_class_name.as_deref()) {
        Some(class) => (Some(class), route!["spec", "ingressClassName"]),
        None => match object.annotation(CLASS_ANNOTATION) {
            Some(class) => (Some(class), route!["metadata", "annotations", CLASS_ANNOTATION]),
            None => (classes.default, route!["spec"]),
        },
    };
    match class.and_then(|c| classes.controllers.get(c)) {
        Some(&controller) if controller == CONTROLLER => return Some(class_route),
        Some(_) => return None,
        None if class == Some("nginx") => return Some(class_route),
        None => {}
    }
    object
        .annotations()
        .find(|(key, _)| key.starts_with(ANNOTATION_PREFIX))
        .map(|(key, _)| route!["metadata", "annotations", key])
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let classes = classes(docs);
    // gen's own output is not noted: the controller is the spec's choice (or gen's default
    // for the platform), said where the spec is checked, not once per render.
    let nginx: Vec<_> = objects(docs)
        .filter(|(d, _)| d.artifact.spec.is_none())
        .filter_map(|(_, o)| served_by_ingress_nginx(o, &classes).map(|route| (o, route)))
        .collect();
    let Some((first, route)) = nginx.first() else { return };
    let count = match nginx.len() {
        1 => format!("{} uses", first.title()),
        n => format!("{n} Ingresses in these files, starting with {}, use", first.title()),
    };
    let message = format!(
        "{count} the upstream ingress-nginx controller, which stopped receiving fixes in March 2026; the Gateway API is the way forward"
    );
    out.push(first.at(&RULE, route, message).help(
        "route with an HTTPRoute on a maintained Gateway implementation (`ingress.route: httproute` in a gen spec)",
    ));
}
