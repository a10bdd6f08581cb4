use std::collections::HashSet;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::{Document, metric_names};

declare_rule! {
    /// ## What it does
    /// Reports a Grafana dashboard's panel (a ConfigMap Grafana's sidecar loads) whose
    /// Prometheus query reads a metric that nothing declares: no rule read with it records it,
    /// no rule reads it, the service's blueprint does not export it (when gen rendered the
    /// dashboard), and it is none of the series the cluster's own exporters serve.
    ///
    /// A metric is declared by:
    /// - a rule of a rules file or PrometheusRule in the same folder: recorded by it
    ///   (`record:`), or read by its query;
    /// - the dashboard's ConfigMap, by its annotation `metrics.gen.dev/exported` (the metric
    ///   families the service exports, separated by spaces: gen writes its blueprint's
    ///   `metrics.names` there), a histogram's `_bucket`, `_sum` and `_count` with it;
    /// - kube-prometheus-stack's exporters, by their prefixes: kube-state-metrics (`kube_`),
    ///   cAdvisor (`container_`, `machine_`), the node exporter (`node_`), the kubelet
    ///   (`kubelet_`, `volume_manager_`, `storage_operation_`), the API server (`apiserver_`,
    ///   `etcd_`, `workqueue_`, `rest_client_`), CoreDNS (`coredns_`), Prometheus,
    ///   Alertmanager and Grafana themselves (`prometheus_`, `alertmanager_`, `grafana_`),
    ///   every Go or process exporter (`go_`, `process_`), and Prometheus' own series (`up`,
    ///   `scrape_*`, `ALERTS`, `ALERTS_FOR_STATE`); and the stack's recording rules, by their
    ///   aggregation level (`node_namespace_pod_container:`, `namespace_workload_pod:`,
    ///   `cluster:`, `instance:`, and their kin).
    ///
    /// ## Why it matters
    /// A panel on a metric nothing exports shows "No data", which reads as "nothing is
    /// wrong": a misspelt name, a metric renamed by a library upgrade (`_total` added), or a
    /// recording rule never loaded all look like a quiet service.
    ///
    /// ## Example
    /// ```json
    /// "targets": [{"expr": "sum(rate(http_request_total[5m]))"}]
    /// ```
    ///
    /// ## How to fix
    /// Correct the name (the service's `/metrics` lists what it exports), load the rule that
    /// records it beside the dashboard, or declare what the service exports in the
    /// ConfigMap's annotation `metrics.gen.dev/exported`.
    pub static RULE = ("PROM008", "dashboard-metric-undeclared", Warning);
}

/// Prometheus' own series, which every target gets.
const SYNTHETIC: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "ALERTS",
    "ALERTS_FOR_STATE",
];

/// The prefixes of the series kube-prometheus-stack's exporters serve.
const EXPORTED: &[&str] = &[
    "kube_",
    "container_",
    "machine_",
    "node_",
    "kubelet_",
    "kubeproxy_",
    "volume_manager_",
    "storage_operation_",
    "apiserver_",
    "etcd_",
    "workqueue_",
    "rest_client_",
    "coredns_",
    "prometheus_",
    "alertmanager_",
    "grafana_",
    "go_",
    "process_",
];

/// The aggregation levels of kube-prometheus-stack's recording rules (the part of a recorded
/// name before its first colon).
const RECORDED_LEVELS: &[&str] = &[
    "",
    "node_namespace_pod_container",
    "node_namespace_pod",
    "namespace_workload_pod",
    "namespace_cpu",
    "namespace_memory",
    "namespace",
    "cluster",
    "cluster_quantile",
    "instance",
    "instance_device",
    "node",
    "code",
    "code_verb",
    "code_resource",
    "apiserver_request",
];

/// The suffixes of a family's series: a histogram's and a summary's parts, a counter's.
const SUFFIXES: &[&str] = &["_bucket", "_sum", "_count", "_created", "_total", "_info"];

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let mut declared: HashSet<&str> = HashSet::new();
    for rule in docs.iter().flat_map(|d| &d.rules).filter(|r| r.kind != "panel") {
        if rule.kind == "record" {
            declared.insert(&rule.name);
        }
        if let Some(query) = &rule.query {
            declared.extend(metric_names(query));
        }
    }
    for doc in docs.iter().filter(|d| d.dashboard) {
        let exports: &[String] = doc.exports.as_deref().unwrap_or_default();
        let known = |name: &str| {
            let family = SUFFIXES.iter().find_map(|s| name.strip_suffix(s)).unwrap_or(name);
            declared.contains(name)
                || exports.iter().any(|e| e == name || e == family)
                || SYNTHETIC.contains(&name)
                || EXPORTED.iter().any(|p| name.starts_with(p))
                || name.split_once(':').is_some_and(|(level, _)| RECORDED_LEVELS.contains(&level))
        };
        for panel in &doc.rules {
            let Some(query) = &panel.query else { continue };
            let mut said = HashSet::new();
            for name in metric_names(query) {
                if known(name) || !said.insert(name) {
                    continue;
                }
                let message = format!(
                    "{} reads `{name}`, which no rule beside it records or reads, the dashboard does not declare exported, and no exporter of the cluster serves: the panel would show no data",
                    panel.what()
                );
                out.push(doc.at(&RULE, panel.expr_span, message).help(
                    "correct the name (the service's /metrics lists what it exports), load the rule that records it beside the dashboard, or declare the service's metrics in the ConfigMap's annotation metrics.gen.dev/exported",
                ));
            }
        }
    }
}
