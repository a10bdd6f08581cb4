use k8s_openapi::api::core::v1::Service;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, Object, objects};
use crate::route;
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a ServiceMonitor (prometheus-operator's `monitoring.coreos.com`, or Azure
    /// managed Prometheus' `azmonitoring.coreos.com`) whose `spec.selector.matchLabels`
    /// selects no Service in the same set of files (the files of one folder, or one chart), or
    /// whose endpoint names a port (`port:`) that no Service it selects has.
    ///
    /// A monitor with `matchExpressions`, or a `namespaceSelector` that reaches other
    /// namespaces, is not judged: its Services may be elsewhere.
    ///
    /// ## Why it matters
    /// Prometheus scrapes nothing, silently: no target, no error, and every alert on the
    /// service's metrics stays quiet however badly it fails (the `up` series it would need to
    /// say so never exists).
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceMonitor
    /// spec:
    ///   selector: {matchLabels: {app: shop}}   # the Service is labelled app.kubernetes.io/name: shop
    ///   endpoints: [{port: metrics}]
    /// ```
    ///
    /// ## How to fix
    /// Select the Service by labels it carries, and name one of its ports (by name: a
    /// ServiceMonitor's `port` is the Service port's name).
    pub static RULE = ("K8S056", "monitor-selects-no-service", Error);
}

/// Whether an object is a ServiceMonitor of prometheus-operator's kind or Azure's.
fn is_monitor(object: &Object) -> bool {
    object.kind == "ServiceMonitor"
        && (object.api_version.starts_with("monitoring.coreos.com/")
            || object.api_version.starts_with("azmonitoring.coreos.com/"))
}

/// A mapping's string values by key.
fn strings(node: Option<&Node>) -> Vec<(&str, &str)> {
    match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => {
            entries.iter().filter_map(|e| e.value.as_str().map(|v| (e.key.as_str(), v))).collect()
        }
        _ => Vec::new(),
    }
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let services: Vec<(&Object, &Service)> = objects(docs)
        .filter_map(|(_, o)| match &o.typed {
            Typed::Service(s) => Some((o, s.as_ref())),
            _ => None,
        })
        .collect();
    for (_, monitor) in objects(docs).filter(|(_, o)| is_monitor(o)) {
        let Some(spec) = monitor.doc.root.get("spec") else { continue };
        let selector = spec.get("selector");
        // Services in other namespaces, or chosen by expressions: not judged here.
        let elsewhere = spec.get("namespaceSelector").is_some_and(|n| {
            n.get("any").is_some_and(|a| a.value == Value::Bool(true))
                || matches!(n.get("matchNames").map(|m| &m.value), Some(Value::Seq(names)) if !names.is_empty())
        });
        if elsewhere || selector.and_then(|s| s.get("matchExpressions")).is_some() {
            continue;
        }
        let wanted = strings(selector.and_then(|s| s.get("matchLabels")));
        let selected: Vec<&(&Object, &Service)> = services
            .iter()
            .filter(|(o, _)| o.shares_namespace(monitor))
            .filter(|(o, _)| {
                let labels = o.doc.root.get("metadata").and_then(|m| m.get("labels"));
                let have = strings(labels);
                wanted.iter().all(|(k, v)| have.contains(&(k, v)))
            })
            .collect();
        if selected.is_empty() {
            let shown: Vec<String> = wanted.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let message = format!(
                "{} selects Services labelled {}, and no Service in these files is: Prometheus scrapes nothing, silently",
                monitor.title(),
                if shown.is_empty() { "with anything".to_string() } else { shown.join(",") }
            );
            out.push(
                monitor
                    .at(&RULE, &route!["spec", "selector"], message)
                    .help("select the Service by labels its metadata carries"),
            );
            continue;
        }
        let Some(Value::Seq(endpoints)) = spec.get("endpoints").map(|e| &e.value) else { continue };
        for (i, endpoint) in endpoints.iter().enumerate() {
            let Some(port) = endpoint.get("port").and_then(Node::as_str) else { continue };
            let has = selected.iter().any(|(_, s)| {
                s.spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .is_some_and(|ports| ports.iter().any(|p| p.name.as_deref() == Some(port)))
            });
            if !has {
                let message = format!(
                    "{} scrapes port `{port}`, which no Service it selects names: Prometheus scrapes nothing there, silently",
                    monitor.title()
                );
                out.push(
                    monitor
                        .at(&RULE, &route!["spec", "endpoints", i, "port"], message)
                        .help("name a port of the Service (a ServiceMonitor's `port` is the Service port's name)"),
                );
            }
        }
    }
}
