use k8s_openapi::api::core::v1::Service;

use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, Object, objects};
use crate::route;
use crate::yaml::Value;

declare_rule! {
    /// ## What it does
    /// Reports an Ingress or HTTPRoute backend that names a Service not in the same set of
    /// files (the files of one folder, or one chart), or a port that Service does not have.
    ///
    /// The backends are an Ingress's `spec.rules[].http.paths[].backend.service` and
    /// `spec.defaultBackend.service`, and a Gateway API HTTPRoute's
    /// `spec.rules[].backendRefs[]` of kind Service.
    ///
    /// kube-score: `ingress-targets-service`.
    ///
    /// ## Why it matters
    /// The controller has nowhere to send the requests: the route answers 503 (ingress-nginx)
    /// or 500 (a Gateway), while the Service and its pods are healthy under another name. A
    /// Helm chart's Service is usually named `{release}-{chart}` by its fullname helper, not
    /// after the chart, so a backend written by hand misses it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules:
    ///     - http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service: {name: shop, port: {number: 80}}   # the Service is shop-web
    /// ```
    ///
    /// ## How to fix
    /// Name the Service as it is rendered (in a chart, with the same fullname helper as the
    /// Service's template), and one of its ports.
    pub static RULE = ("K8S044", "ingress-backend-missing-service", Error);
}

/// A backend's port: a number or a Service port's name.
enum Port<'a> {
    Number(i64),
    Name(&'a str),
}

/// One backend that names a Service.
struct Backend<'a> {
    name: &'a str,
    namespace: Option<&'a str>,
    port: Option<Port<'a>>,
    /// The route of the reference (name at `.name`, port at `port_route`).
    route: Route,
    port_route: Route,
}

/// An Ingress's backends.
fn ingress_backends(object: &Object) -> Vec<Backend<'_>> {
    let Typed::Ingress(ingress) = &object.typed else { return Vec::new() };
    let Some(spec) = &ingress.spec else { return Vec::new() };
    let mut all = Vec::new();
    let default = spec.default_backend.as_ref().map(|b| (b, route!["spec", "defaultBackend"]));
    let paths = spec.rules.iter().flatten().enumerate().flat_map(|(i, rule)| {
        rule.http.iter().flat_map(move |http| {
            http.paths
                .iter()
                .enumerate()
                .map(move |(j, p)| (&p.backend, route!["spec", "rules", i, "http", "paths", j, "backend"]))
        })
    });
    for (backend, at) in default.into_iter().chain(paths) {
        let Some(service) = &backend.service else { continue };
        let at = at.with("service");
        let (port, port_route) = match &service.port {
            Some(p) if p.number.is_some() => {
                (p.number.map(|n| Port::Number(i64::from(n))), at.clone().with("port").with("number"))
            }
            Some(p) => (p.name.as_deref().map(Port::Name), at.clone().with("port").with("name")),
            None => (None, at.clone().with("port")),
        };
        all.push(Backend { name: &service.name, namespace: None, port, route: at, port_route });
    }
    all
}

/// An HTTPRoute's backends of kind Service, read from the YAML (the Gateway API is not in
/// k8s-openapi).
fn route_backends(object: &Object) -> Vec<Backend<'_>> {
    if !object.api_version.starts_with("gateway.networking.k8s.io/") || object.kind != "HTTPRoute" {
        return Vec::new();
    }
    let Some(Value::Seq(rules)) = object.doc.root.get("spec").and_then(|s| s.get("rules")).map(|r| &r.value) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let Some(Value::Seq(refs)) = rule.get("backendRefs").map(|r| &r.value) else { continue };
        for (j, r) in refs.iter().enumerate() {
            let text = |key: &str| r.get(key).and_then(|n| n.as_str());
            let is_service = text("kind").is_none_or(|k| k == "Service") && text("group").is_none_or(str::is_empty);
            let Some(name) = text("name").filter(|_| is_service) else { continue };
            let port = match r.get("port").map(|p| &p.value) {
                Some(Value::Int(n)) => Some(Port::Number(*n)),
                _ => None,
            };
            let at = route!["spec", "rules", i, "backendRefs", j];
            all.push(Backend {
                name,
                namespace: text("namespace"),
                port,
                port_route: at.clone().with("port"),
                route: at,
            });
        }
    }
    all
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let services: Vec<(&Object, &Service)> = objects(docs)
        .filter_map(|(_, o)| match &o.typed {
            Typed::Service(s) => Some((o, s.as_ref())),
            _ => None,
        })
        .collect();
    for (_, object) in objects(docs) {
        for backend in ingress_backends(object).into_iter().chain(route_backends(object)) {
            let found =
                services.iter().find(|(o, _)| o.is_referred("Service", backend.name, backend.namespace, object));
            let Some((_, service)) = found else {
                let known: Vec<String> = services
                    .iter()
                    .filter(|(o, _)| o.shares_namespace(object))
                    .map(|(o, _)| format!("`{}`", o.name))
                    .collect();
                let help = if known.is_empty() {
                    "add the Service to these files, or name the one the workload's chart renders".to_string()
                } else {
                    format!("name one of the Services these files define: {}", known.join(", "))
                };
                let message = format!(
                    "{} sends requests to Service `{}`, which is not in these files",
                    object.title(),
                    backend.name
                );
                out.push(object.at(&RULE, &backend.route.with("name"), message).help(help));
                continue;
            };
            let ports = service.spec.as_ref().and_then(|s| s.ports.as_ref()).map(Vec::as_slice).unwrap_or_default();
            let (has, shown) = match &backend.port {
                None => continue,
                Some(Port::Number(n)) => (ports.iter().any(|p| i64::from(p.port) == *n), n.to_string()),
                Some(Port::Name(name)) => (ports.iter().any(|p| p.name.as_deref() == Some(*name)), format!("`{name}`")),
            };
            if has {
                continue;
            }
            let listed: Vec<String> = ports
                .iter()
                .map(|p| match &p.name {
                    Some(name) => format!("{} ({name})", p.port),
                    None => p.port.to_string(),
                })
                .collect();
            let message = format!(
                "{} sends requests to port {shown} of Service `{}`, which has no such port (its ports: {})",
                object.title(),
                backend.name,
                if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
            );
            out.push(object.at(&RULE, &backend.port_route, message).help("name one of the Service's ports"));
        }
    }
}
