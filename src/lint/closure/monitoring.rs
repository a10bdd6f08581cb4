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

/// The kind a README's script declares a release of kube-prometheus-stack under when it sets
/// no values at all: its Alertmanager has the chart's configuration, which routes every alert
/// to the receiver `null`.
pub const STACK_WITHOUT_RECEIVER: &str = "kube-prometheus-stack release without receiver";

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
    /// Whether its alerts reach a receiver: `Some(false)` when surely not (no Alertmanager, or
    /// one whose configuration sends everything to `null`), `None` when gen cannot tell.
    pub receivers: Option<bool>,
    pub scope: Scope,
}

impl Selection {
    /// A release of kube-prometheus-stack named `release` (`None`: what it selects is not
    /// known, so every monitor counts as read).
    pub fn stack(release: Option<&str>, receivers: Option<bool>, scope: Scope) -> Selection {
        let (what, selects) = match release {
            Some(r) => (format!("kube-prometheus-stack's release `{r}`"), Selects::release(r)),
            None => (crate::platform::KUBE_PROMETHEUS_STACK.chart.to_string(), Selects::All),
        };
        Selection {
            what,
            service_monitors: selects.clone(),
            pod_monitors: selects.clone(),
            rules: selects,
            namespaces: [None, None, None],
            receivers,
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
    /// The alerting rules it holds (a PrometheusRule's), by name, each with where it is
    /// written.
    pub alerts: Vec<(String, Span)>,
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

/// Whether kube-prometheus-stack's values (as YAML; none: the chart's) give Alertmanager a
/// receiver that sends somewhere: the chart's own configuration routes every alert to `null`.
pub fn values_receive(values: Option<&Node>) -> bool {
    let config = values.and_then(|v| v.get("alertmanager")).and_then(|a| a.get("config"));
    let Some(Value::Seq(receivers)) = config.and_then(|c| c.get("receivers")).map(|r| &r.value) else {
        return false;
    };
    receivers.iter().any(|r| match &r.value {
        Value::Map(entries) => entries.iter().any(|e| e.key.ends_with("_configs")),
        _ => false,
    })
}

impl Graph {
    /// Reads a `monitoring.coreos.com` object: a Prometheus (what it selects), or a monitor or
    /// rule (what must select it).
    pub(super) fn monitoring_object(
        &mut self,
        root: &Node,
        kind: &str,
        from: &str,
        (span, origin): (Span, usize),
        locate: &dyn Fn(Span) -> (usize, Span),
    ) {
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
                    // Without `alerting.alertmanagers`, it sends its alerts to no Alertmanager.
                    receivers: match field("alerting").and_then(|a| a.get("alertmanagers")) {
                        Some(Node { value: Value::Seq(list), .. }) if !list.is_empty() => None,
                        _ => Some(false),
                    },
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
                let mut alerts = Vec::new();
                if kind == "PrometheusRule"
                    && let Some(Value::Seq(groups)) = root.get("spec").and_then(|s| s.get("groups")).map(|g| &g.value)
                {
                    for rules in groups.iter().filter_map(|g| g.get("rules")) {
                        let Value::Seq(rules) = &rules.value else { continue };
                        for alert in rules.iter().filter_map(|r| r.get("alert")) {
                            let (_, span) = locate(alert.span);
                            alerts.push((alert.as_str().unwrap_or_default().to_string(), span));
                        }
                    }
                }
                self.monitors.push(Monitor {
                    kind,
                    alerts,
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
    pub(super) fn stack_release(&mut self, release: Option<&str>, receivers: Option<bool>) {
        let selection = Selection::stack(release, receivers, self.current.clone());
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

    /// Whether a Prometheus known now reads the monitor on each of its clusters, and, for one
    /// with alerts, sends them to an Alertmanager that may reach someone: nothing known later
    /// changes that.
    pub(super) fn surely_read(&self, m: &Monitor) -> bool {
        let fine = |s: &Selection| s.reads(m) && (m.alerts.is_empty() || s.receivers != Some(false));
        self.clusters_of(m).into_iter().all(|c| {
            self.selections.iter().any(|s| s.scope.reaches(c) && fine(s))
                || self.declared_selections(m).iter().any(fine)
        })
    }

    /// The clusters where the alerts of a monitor reach no receiver: every Prometheus that
    /// reads it there surely sends them nowhere. A cluster on this machine is not judged: a
    /// laptop pages no one, and its alerts are read in Alertmanager.
    pub(super) fn silent(&self, m: &Monitor) -> Vec<Option<super::ClusterId>> {
        if m.alerts.is_empty() {
            return Vec::new();
        }
        let declared = self.declared_selections(m);
        self.clusters_of(m)
            .into_iter()
            .filter(|c| !c.is_some_and(|c| self.on_this_machine_only(&Scope::In(vec![c]))))
            .filter(|c| {
                let reading: Vec<&Selection> = self
                    .selections
                    .iter()
                    .filter(|s| s.scope.reaches(*c))
                    .chain(declared.iter())
                    .filter(|s| s.reads(m))
                    .collect();
                !reading.is_empty() && reading.iter().all(|s| s.receivers == Some(false))
            })
            .collect()
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
            .filter(|(at, ..)| dir.starts_with(at))
            .map(|(_, release, receivers)| Selection::stack(release.as_deref(), *receivers, Scope::All))
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
