//! Helm charts in `helm create`'s shape: the chart's name, and its values.yaml's replicaCount,
//! image, service port, ingress hosts, resources, probes and autoscaling.

use super::kubernetes::prefix_of;
use std::collections::BTreeMap;

use super::model::{Kind, Origin, Selector, Service};
use super::walk::RepoFile;
use super::yamls::{Yaml, entries, int, items, path, text};
use crate::yaml::{Node, Value};

/// One chart's service, from its Chart.yaml, (when read) values.yaml, and the selector of its
/// `templates/deployment.yaml` (with the named templates of its `templates/_helpers.tpl`).
pub fn read(
    chart: &Yaml,
    values: Option<&Yaml>,
    deployment: Option<&RepoFile>,
    helpers: Option<&RepoFile>,
) -> Option<Service> {
    let root = chart.docs.first()?;
    let name_node = root.get("name")?;
    let name = name_node.as_str()?;
    let mut s = Service::default();
    let name_override = values.and_then(|v| v.docs.first()).and_then(|v| v.get("nameOverride")).and_then(text);
    s.selector = deployment
        .and_then(|d| selector(d, helpers, name_override.filter(|n| !n.is_empty()).as_deref().unwrap_or(name)));
    let stem = name.strip_suffix("-helm-chart").or_else(|| name.strip_suffix("-chart")).unwrap_or(name);
    s.name.add(stem.to_string(), chart.at(name_node), Kind::Helm);
    let Some(values) = values else {
        s.todos.push(format!(
            "{}: the chart has no values.yaml gen read: its settings are not carried over",
            chart.at(root)
        ));
        return Some(s);
    };
    let Some(v) = values.docs.first() else { return Some(s) };
    let at = |n: &Node| values.at(n);
    let u32_of = |n: &Node| int(n).and_then(|x| u32::try_from(x).ok());
    if let Some(n) = v.get("replicaCount")
        && let Some(r) = u32_of(n)
    {
        s.replicas.add(r, at(n), Kind::Helm);
    }
    if let Some(n) = path(v, &["image", "repository"])
        && let Some(repo) = n.as_str()
    {
        s.images.push(repo.to_string());
    }
    // `helm create`'s Deployment listens on service.port; a chart that adds targetPort listens there.
    let port = path(v, &["service", "targetPort"]).or_else(|| path(v, &["service", "port"]));
    if let Some(n) = port
        && let Some(p) = int(n).and_then(|p| u16::try_from(p).ok())
    {
        s.port.add(p, at(n), Kind::Helm);
    }
    for (field, target) in [
        (["requests", "cpu"], &mut s.cpu_request),
        (["requests", "memory"], &mut s.memory_request),
        (["limits", "cpu"], &mut s.cpu_limit),
        (["limits", "memory"], &mut s.memory_limit),
    ] {
        if let Some(n) = v.get("resources").and_then(|r| path(r, &field))
            && let Some(t) = text(n)
        {
            target.add(t, at(n), Kind::Helm);
        }
    }
    for (probe, target) in [("livenessProbe", &mut s.liveness), ("readinessProbe", &mut s.readiness)] {
        if let Some(n) = v.get(probe).and_then(|p| path(p, &["httpGet", "path"]))
            && let Some(t) = n.as_str()
        {
            target.add(t.to_string(), at(n), Kind::Helm);
        }
    }
    if let Some(ingress) = v.get("ingress")
        && ingress.get("enabled").is_some_and(|e| e.value == Value::Bool(true))
    {
        let rewrite = entries(ingress.get("annotations")).iter().find(|e| e.key.ends_with("/rewrite-target"));
        let tls_hosts: Vec<String> =
            items(ingress.get("tls")).iter().flat_map(|t| items(t.get("hosts")).iter().filter_map(text)).collect();
        if let Some(h) = items(ingress.get("hosts")).first() {
            if let Some(n) = h.get("host")
                && let Some(host) = n.as_str()
            {
                s.host.add(host.to_string(), at(n), Kind::Helm);
                s.tls.add(tls_hosts.iter().any(|t| t == host), at(n), Kind::Helm);
            }
            if let Some(p) = items(h.get("paths")).first() {
                let n = p.get("path").unwrap_or(p);
                if let Some(text) = n.as_str() {
                    let (prefix, regex) = prefix_of(text);
                    s.path.add(prefix, at(n), Kind::Helm);
                    if let Some(r) = rewrite {
                        s.strip_prefix.add(regex, at(&r.value), Kind::Helm);
                    }
                }
            }
        }
    }
    if let Some(a) = v.get("autoscaling")
        && a.get("enabled").is_some_and(|e| e.value == Value::Bool(true))
    {
        for (key, target) in [
            ("minReplicas", &mut s.min_replicas),
            ("maxReplicas", &mut s.max_replicas),
            ("targetCPUUtilizationPercentage", &mut s.cpu_utilization),
        ] {
            if let Some(n) = a.get(key)
                && let Some(x) = u32_of(n)
            {
                target.add(x, at(n), Kind::Helm);
            }
        }
    }
    match v.get("env").map(|e| &e.value) {
        Some(Value::Map(envs)) => {
            for e in envs {
                s.add_env(&e.key, &text(&e.value).unwrap_or_default(), at(&e.value), Kind::Helm);
            }
        }
        Some(Value::Seq(envs)) => {
            for e in envs {
                if let Some(name) = e.get("name").and_then(Node::as_str) {
                    match e.get("value") {
                        Some(val) => s.add_env(name, &text(val).unwrap_or_default(), at(e), Kind::Helm),
                        None => s.add_secret(name, at(e)),
                    }
                }
            }
        }
        _ => {}
    }
    Some(s)
}

/// The labels a chart's Deployment template selects by: written out (`app: billing`,
/// `app: {{ .Release.Name }}`), or through a named template (`include "<chart>.selectorLabels"`)
/// as the chart's `templates/_helpers.tpl` defines it, `helm create`'s when it defines none
/// (the chart's name and the release's). A label's value is the release's (`None`), the chart's
/// name (`include "<chart>.name"`), or as written (another template's text, which no gen label
/// equals). `None` when a line is not a label.
fn selector(file: &RepoFile, helpers: Option<&RepoFile>, chart_name: &str) -> Option<Selector> {
    let lines: Vec<&str> = file.text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == "matchLabels:")?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let depth = indent(lines[start]);
    let mut labels = BTreeMap::new();
    for line in lines[start + 1..].iter().take_while(|l| l.trim().is_empty() || indent(l) > depth) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(name) = t.strip_prefix("{{").and_then(|t| t.split('"').nth(1)).filter(|_| t.contains("include")) {
            match helpers.and_then(|h| defined(&h.text, name)) {
                Some(body) => {
                    for line in body.iter().map(|l| l.trim()).filter(|l| !l.is_empty() && !l.starts_with("{{")) {
                        let (key, value) = line.split_once(':')?;
                        labels.insert(key.trim().trim_matches(['"', '\'']).to_string(), label_value(value, chart_name));
                    }
                }
                None if name.ends_with(".selectorLabels") => {
                    labels.insert("app.kubernetes.io/name".to_string(), Some(chart_name.to_string()));
                    labels.insert("app.kubernetes.io/instance".to_string(), None);
                }
                None => return None,
            }
            continue;
        }
        let (key, value) = t.split_once(':')?;
        labels.insert(key.trim().trim_matches(['"', '\'']).to_string(), label_value(value, chart_name));
    }
    (!labels.is_empty()).then(|| Selector {
        labels,
        at: Origin::new(&file.rel, start + 1),
        deployment: None,
        namespace: None,
    })
}

/// A selector label's value: the release's name (`None`), the chart's name (helm create's
/// `include "<chart>.name"`), or as written.
fn label_value(value: &str, chart_name: &str) -> Option<String> {
    let value = value.trim().trim_matches(['"', '\'']);
    match value.strip_prefix("{{").and_then(|v| v.strip_suffix("}}")).map(|v| v.trim_matches(['-', ' '])) {
        Some(".Release.Name") => None,
        Some(v) if v.starts_with("include") && v.split('"').nth(1).is_some_and(|n| n.ends_with(".name")) => {
            Some(chart_name.to_string())
        }
        _ => Some(value.to_string()),
    }
}

/// The lines of the named template `name` in a helpers file (`{{- define "NAME" -}}` up to its
/// `{{- end }}`).
fn defined<'t>(text: &'t str, name: &str) -> Option<Vec<&'t str>> {
    let mut lines = text.lines().skip_while(|l| {
        let t = l.trim();
        !(t.starts_with("{{") && t.contains("define") && t.split('"').nth(1) == Some(name))
    });
    lines.next()?;
    Some(lines.take_while(|l| !(l.trim().starts_with("{{") && l.contains("end"))).collect())
}
