//! Which Prometheus reads which monitor: prometheus-operator's Prometheus reads the
//! ServiceMonitors, PodMonitors and PrometheusRules its selectors select (by their labels, in
//! the namespaces its namespace selectors select), and nothing else, without a word for the
//! others. kube-prometheus-stack's chart, by default, selects only those labelled
//! `release: <its release's name>` (kube-prometheus-stack's issues #430 and #1631;
//! prometheus-operator's #1470): a monitor labelled for another release, or not at all, is never
//! scraped, and a rule never evaluated.
//!
//! Read here: a `Prometheus` object's selectors (hand-written, or a chart's as rendered), and a
//! release of kube-prometheus-stack (Terraform's `helm_release`, a Flux `HelmRelease`, `helm
//! install` in a script a README runs): the `release` label, unless its values say otherwise
//! (what they select is then not judged: values gen cannot read, or `*SelectorNilUsesHelmValues:
//! false`, which selects every one). A cluster where none of these is known is not judged (no
//! Prometheus is a missing CRD, DEP005). Azure's managed Prometheus reads every monitor of its own
//! kind (`azmonitoring.coreos.com`), label or not: not judged.

use super::{Graph, Scope};
use crate::diag::Span;
use crate::yaml::{Node, Value};

/// The kind a README's script declares a kube-prometheus-stack release under: named by its
/// release (its monitors must carry `release: <name>`), or `*` when what it selects is not known.
pub const STACK_RELEASE: &str = "kube-prometheus-stack release";

/// Which objects of a kind a Prometheus reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Selects {
    /// Every one (an empty selector, or a selection gen cannot read).
    All,
    /// None (a null selector of a Prometheus object).
    Nothing,
    /// Those whose labels match.
    Matching(Selector),
}

/// A label selector: `matchLabels`, and `matchExpressions` as (key, operator, values).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    pub labels: Vec<(String, String)>,
    pub expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    fn matches(&self, labels: &[(String, String)]) -> bool {
        let value = |k: &str| labels.iter().find(|(l, _)| l == k).map(|(_, v)| v.as_str());
        self.labels.iter().all(|(k, v)| value(k) == Some(v.as_str()))
            && self.expressions.iter().all(|(k, op, values)| match op.as_str() {
                "In" => value(k).is_some_and(|v| values.iter().any(|x| x == v)),
                "NotIn" => value(k).is_none_or(|v| !values.iter().any(|x| x == v)),
                "Exists" => value(k).is_some(),
                "DoesNotExist" => value(k).is_none(),
                _ => true,
            })
    }

    /// As a reader would write it: `release=kube-prometheus-stack`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        parts.extend(self.expressions.iter().map(|(k, op, vs)| format!("{k} {op} ({})", vs.join(", "))));
        parts.join(", ")
    }
}

impl Selects {
    fn matches(&self, labels: &[(String, String)]) -> bool {
        match self {
            Selects::All => true,
            Selects::Nothing => false,
            Selects::Matching(s) => s.matches(labels),
        }
    }

    /// A release of kube-prometheus-stack with the chart's defaults: `release: <name>`.
    fn release(name: &str) -> Selects {
        Selects::Matching(Selector { labels: vec![("release".into(), name.into())], expressions: Vec::new() })
    }
}

/// A Prometheus the deployment installs, and what it reads.
#[derive(Clone, Debug)]
pub struct Selection {
    /// How findings name it: ``Prometheus `k8s` ``, ``kube-prometheus-stack's release `prom` ``.
    pub what: String,
    pub service_monitors: Selects,
    pub pod_monitors: Selects,
    pub rules: Selects,
    /// The namespaces it reads them in, per kind as above (`None`: every namespace).
    pub namespaces: [Option<Vec<String>>; 3],
    pub scope: Scope,
}

impl Selection {
    /// A release of kube-prometheus-stack named `release` (`None`: what it selects is not
    /// known, so every monitor counts as read).
    pub fn stack(release: Option<&str>, scope: Scope) -> Selection {
        let (what, selects) = match release {
            Some(r) => (format!("kube-prometheus-stack's release `{r}`"), Selects::release(r)),
            None => ("kube-prometheus-stack".to_string(), Selects::All),
        };
        Selection {
            what,
            service_monitors: selects.clone(),
            pod_monitors: selects.clone(),
            rules: selects,
            namespaces: [None, None, None],
            scope,
        }
    }

    fn reads(&self, m: &Monitor) -> bool {
        let i = m.index();
        let selects = [&self.service_monitors, &self.pod_monitors, &self.rules][i];
        let in_namespace = match (&self.namespaces[i], &m.namespace) {
            (None, _) | (_, None) => true,
            (Some(spaces), Some(ns)) => spaces.contains(ns),
        };
        in_namespace && selects.matches(&m.labels)
    }

    fn selector(&self, m: &Monitor) -> &Selects {
        [&self.service_monitors, &self.pod_monitors, &self.rules][m.index()]
    }
}

/// A monitor or rule a Prometheus must read.
#[derive(Clone, Debug)]
pub struct Monitor {
    pub kind: &'static str,
    pub from: String,
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    pub span: Span,
    pub origin: usize,
    pub scope: Scope,
}

impl Monitor {
    fn index(&self) -> usize {
        match self.kind {
            "ServiceMonitor" => 0,
            "PodMonitor" => 1,
            _ => 2,
        }
    }
}

/// The labels of an object's metadata.
fn labels(metadata: Option<&Node>) -> Vec<(String, String)> {
    match metadata.and_then(|m| m.get("labels")).map(|l| &l.value) {
        Some(Value::Map(entries)) => entries.iter().filter_map(|e| Some((e.key.clone(), scalar(&e.value)?))).collect(),
        _ => Vec::new(),
    }
}

/// A label's value as Kubernetes reads it (a string; a YAML number or boolean would be refused
/// by the API, and is read as written here).
fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// A label selector as written: `None` for null (or absent), else what it selects.
fn selector(node: Option<&Node>) -> Selects {
    let Some(node) = node.filter(|n| !matches!(n.value, Value::Null)) else { return Selects::Nothing };
    let labels = match node.get("matchLabels").map(|l| &l.value) {
        Some(Value::Map(entries)) => entries.iter().filter_map(|e| Some((e.key.clone(), scalar(&e.value)?))).collect(),
        _ => Vec::new(),
    };
    let expressions: Vec<(String, String, Vec<String>)> = match node.get("matchExpressions").map(|l| &l.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|e| {
                let key = e.get("key")?.as_str()?.to_string();
                let op = e.get("operator")?.as_str()?.to_string();
                let values = match e.get("values").map(|v| &v.value) {
                    Some(Value::Seq(vs)) => vs.iter().filter_map(scalar).collect(),
                    _ => Vec::new(),
                };
                Some((key, op, values))
            })
            .collect(),
        _ => Vec::new(),
    };
    if labels.is_empty() && expressions.is_empty() {
        Selects::All
    } else {
        Selects::Matching(Selector { labels, expressions })
    }
}

/// The namespaces a namespace selector reads in: null, the Prometheus' own; any selector,
/// every namespace (gen does not read the namespaces' labels).
fn namespaces(node: Option<&Node>, own: Option<&str>) -> Option<Vec<String>> {
    match node.filter(|n| !matches!(n.value, Value::Null)) {
        Some(_) => None,
        None => own.map(|ns| vec![ns.to_string()]),
    }
}

/// Whether kube-prometheus-stack's values (as YAML) change what its Prometheus selects: a
/// selector of its own, or `*SelectorNilUsesHelmValues: false`.
pub fn values_select(values: &Node) -> bool {
    let spec = values.get("prometheus").and_then(|p| p.get("prometheusSpec"));
    let Some(Value::Map(entries)) = spec.map(|s| &s.value) else { return false };
    entries.iter().any(|e| e.key.contains("Selector"))
}

impl Graph {
    /// Reads a `monitoring.coreos.com` object: a Prometheus (what it selects), or a monitor or
    /// rule (what must select it).
    pub(super) fn monitoring_object(&mut self, root: &Node, kind: &str, from: &str, span: Span, origin: usize) {
        let metadata = root.get("metadata");
        let namespace = metadata.and_then(|m| m.get("namespace")).and_then(Node::as_str).map(str::to_string);
        match kind {
            "Prometheus" => {
                let spec = root.get("spec");
                let field = |key: &str| spec.and_then(|s| s.get(key));
                let ns = namespace.as_deref();
                let selection = Selection {
                    what: format!("`{from}`"),
                    service_monitors: selector(field("serviceMonitorSelector")),
                    pod_monitors: selector(field("podMonitorSelector")),
                    rules: selector(field("ruleSelector")),
                    namespaces: [
                        namespaces(field("serviceMonitorNamespaceSelector"), ns),
                        namespaces(field("podMonitorNamespaceSelector"), ns),
                        namespaces(field("ruleNamespaceSelector"), ns),
                    ],
                    scope: self.current.clone(),
                };
                self.selections.push(selection);
            }
            "ServiceMonitor" | "PodMonitor" | "PrometheusRule" => {
                let kind = match kind {
                    "ServiceMonitor" => "ServiceMonitor",
                    "PodMonitor" => "PodMonitor",
                    _ => "PrometheusRule",
                };
                self.monitors.push(Monitor {
                    kind,
                    from: from.to_string(),
                    namespace,
                    labels: labels(metadata),
                    span,
                    origin,
                    scope: self.current.clone(),
                });
            }
            _ => {}
        }
    }

    /// Records a release of kube-prometheus-stack (`None`: what it selects is not known).
    pub(super) fn stack_release(&mut self, release: Option<&str>) {
        let selection = Selection::stack(release, self.current.clone());
        self.selections.push(selection);
    }

    /// Whether a monitor is read in `cluster` (`None`: any), or nothing there tells: no
    /// Prometheus known in it.
    fn monitor_read_in(&self, m: &Monitor, cluster: Option<super::ClusterId>) -> Result<(), Vec<String>> {
        let declared = self.declared_selections(m);
        let known: Vec<&Selection> =
            self.selections.iter().filter(|s| s.scope.reaches(cluster)).chain(declared.iter()).collect();
        if known.is_empty() || known.iter().any(|s| s.reads(m)) {
            return Ok(());
        }
        Err(known
            .iter()
            .map(|s| match s.selector(m) {
                Selects::Nothing => format!("{} reads no {} at all (a null selector)", s.what, m.kind),
                Selects::Matching(sel) => format!("{} reads those labelled {}", s.what, sel.describe()),
                Selects::All => format!("{} reads them only in its own namespace", s.what),
            })
            .collect())
    }

    /// Whether a Prometheus known now reads the monitor on each of its clusters.
    pub(super) fn surely_read(&self, m: &Monitor) -> bool {
        self.clusters_of(m).into_iter().all(|c| {
            self.selections.iter().any(|s| s.scope.reaches(c) && s.reads(m))
                || self.declared_selections(m).iter().any(|s| s.reads(m))
        })
    }

    fn clusters_of(&self, m: &Monitor) -> Vec<Option<super::ClusterId>> {
        match &m.scope {
            Scope::In(cs) => cs.iter().copied().map(Some).collect(),
            Scope::All if !self.clusters.is_empty() => {
                (0..self.clusters.len()).map(|c| super::ClusterId::try_from(c).ok()).collect()
            }
            _ => vec![None],
        }
    }

    /// The releases of kube-prometheus-stack the scripts that README above the monitor runs
    /// install.
    fn declared_selections(&self, m: &Monitor) -> Vec<Selection> {
        let dir = &self.origins[m.origin].dir;
        self.stack_releases
            .iter()
            .filter(|(at, _)| dir.starts_with(at))
            .map(|(_, release)| Selection::stack(release.as_deref(), Scope::All))
            .collect()
    }

    /// The clusters a monitor must be read in, and why it is not, where it is not.
    pub(super) fn unread(&self, m: &Monitor) -> Vec<(Option<super::ClusterId>, Vec<String>)> {
        self.clusters_of(m).into_iter().filter_map(|c| self.monitor_read_in(m, c).err().map(|why| (c, why))).collect()
    }

    /// The monitors no Prometheus may read yet.
    pub(super) fn monitors(&self) -> &[Monitor] {
        &self.monitors
    }
}
