use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::closure::Graph;

declare_rule! {
    /// ## What it does
    /// Reports a ServiceMonitor, PodMonitor or PrometheusRule (`monitoring.coreos.com`) that no
    /// Prometheus of its cluster reads: where the deployment installs Prometheus (a
    /// `Prometheus` object, or a release of kube-prometheus-stack by Terraform, Flux or a
    /// script its README runs), none of them selects the object's labels in its namespace.
    ///
    /// kube-prometheus-stack's Prometheus reads, with the chart's defaults, only the objects
    /// labelled `release: <the release's name>`. A release whose values set a selector, or set
    /// `prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues` (and its kin) to
    /// `false`, or come from a file, is taken to read every object. A `Prometheus` object's
    /// null selector reads none; its null namespace selector, only its own namespace. A
    /// cluster where no Prometheus is known is not judged (DEP005 says its CRD is missing).
    ///
    /// ## Why it matters
    /// prometheus-operator ignores an object no Prometheus selects, without an event or a log
    /// line: the service is never scraped, its dashboard shows no data, and its alerts never
    /// fire, which reads as a healthy service (kube-prometheus-stack's issues #430 and #1631).
    ///
    /// ## Example
    /// ```yaml
    /// # installed with `helm install prometheus prometheus-community/kube-prometheus-stack`
    /// kind: ServiceMonitor
    /// metadata:
    ///   labels:
    ///     release: kube-prometheus-stack   # the release is `prometheus`
    /// ```
    ///
    /// ## How to fix
    /// Label the object as its Prometheus selects (`release: prometheus` here), or have the
    /// stack read every object: `prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues:
    /// false` (and `podMonitor…`, `rule…`) in its values, as gen's do.
    pub static RULE = ("DEP013", "monitor-not-selected", Warning);
}

/// Each monitor or rule no Prometheus of its cluster reads.
pub fn check(graph: &Graph, out: &mut Vec<(usize, Diagnostic)>) {
    for m in graph.monitors() {
        let unread = graph.unread(m);
        if unread.is_empty() {
            continue;
        }
        let clusters: Vec<Option<crate::lint::closure::ClusterId>> = unread.iter().map(|(c, _)| *c).collect();
        let labels = graph.labels_of(&clusters);
        let place = if labels.is_empty() || graph.clusters().len() < 2 {
            String::new()
        } else {
            format!(" on the cluster of {}", labels.join(" or "))
        };
        let mut why: Vec<&str> = unread.iter().flat_map(|(_, w)| w.iter().map(String::as_str)).collect();
        why.sort();
        why.dedup();
        let labels = if m.labels.is_empty() {
            "no label".to_string()
        } else {
            m.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")
        };
        let message = format!(
            "{} carries {labels}, and no Prometheus{place} reads it ({}): it would be ignored without a word",
            m.from,
            why.join("; ")
        );
        out.push((
            m.origin,
            graph.diag(&RULE, m.origin, m.span, message).help(
                "label it as its Prometheus selects (kube-prometheus-stack: `release: <its release's name>`), or set the stack's `prometheus.prometheusSpec.*SelectorNilUsesHelmValues: false` so that it reads every one",
            ),
        ));
    }
}
