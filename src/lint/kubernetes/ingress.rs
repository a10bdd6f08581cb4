//! What the rules read of Ingresses beyond their typed fields: the controller they are for.

use super::Object;
use super::typed::Typed;
use crate::diag::Route;
use crate::route;

/// The legacy annotation that names an Ingress's class.
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// Where an Ingress says it is for ingress-nginx (class `nginx`): `spec.ingressClassName`,
/// or else the legacy annotation. `None` when it is not an Ingress of that class.
pub fn nginx_class(object: &Object) -> Option<Route> {
    let Typed::Ingress(ingress) = &object.typed else { return None };
    match ingress.spec.as_ref().and_then(|s| s.ingress_class_name.as_deref()) {
        Some("nginx") => Some(route!["spec", "ingressClassName"]),
        Some(_) => None,
        None if object.annotation(CLASS_ANNOTATION) == Some("nginx") => {
            Some(route!["metadata", "annotations", CLASS_ANNOTATION])
        }
        None => None,
    }
}
