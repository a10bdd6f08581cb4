//! A service's Grafana dashboard, from its SLOs and the metrics its blueprint declares: what
//! a user feels (requests, errors, latency percentiles), what is left of each objective's
//! error budget over its 30 days, and how full the service is (requests in progress, CPU and
//! memory against the pod's limits).
//!
//! Every panel reads the service's own series (its counter, histogram and gauge, and the SLO
//! rules' recorded indicators) but the CPU and memory panels, which read the kubelet's
//! cAdvisor series (`container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`)
//! and kube-state-metrics' limits (`kube_pod_container_resource_limits`): kube-prometheus-stack
//! scrapes both.
//!
//! The dashboard goes into a ConfigMap labelled `grafana_dashboard: "1"`, which Grafana's
//! sidecar loads from every namespace (kube-prometheus-stack's default).

use serde_json::{Value, json};

use super::slo::{objectives_in, promql_string};
use crate::blueprint::RequestMetrics;
use crate::spec::model::Service;

/// The dashboard's variable naming the namespace its panels read.
const NAMESPACE_VARIABLE: &str = "namespace";

/// The dashboard's uid: `gen-` and the service's name, cut to Grafana's 40 characters.
fn uid(service: &str) -> String {
    let mut uid = format!("gen-{service}");
    uid.truncate(40);
    uid
}

/// One time series panel at (x, y), half the dashboard's width.
fn timeseries(id: u32, at: (u32, u32), title: &str, description: &str, unit: &str, targets: &[(&str, &str)]) -> Value {
    json!({
        "id": id,
        "type": "timeseries",
        "title": title,
        "description": description,
        "gridPos": {"x": at.0, "y": at.1, "w": 12, "h": 8},
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": targets
            .iter()
            .enumerate()
            .map(|(i, (expr, legend))| json!({
                "refId": ((b'A' + i as u8) as char).to_string(),
                "expr": expr,
                "legendFormat": legend,
            }))
            .collect::<Vec<_>>(),
    })
}

/// `service`'s dashboard, as Grafana's JSON model.
pub fn dashboard(service: &Service, metrics: &RequestMetrics) -> Value {
    // Every panel reads the namespace the dashboard's variable names: the dashboard is the
    // same in every environment, and environments sharing a cluster run the service in
    // namespaces of their own.
    let in_namespace = format!("namespace=\"${NAMESPACE_VARIABLE}\"");
    let (selectors, objectives) = objectives_in(service, metrics, &in_namespace);
    let base = &selectors.base;
    let name = &service.name;
    let container = promql_string(name);
    let mut panels = Vec::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    // What is left of each objective's budget over its 30 days: a stat per objective.
    for (i, objective) in objectives.iter().enumerate() {
        // The budget as a share, written without float noise (0.005, not 0.0050000000000000044).
        let budget = super::slo::percent((100.0 - objective.percent) / 100.0);
        let bad = (objective.bad)(&selectors, "30d");
        panels.push(json!({
            "id": next(),
            "type": "stat",
            "title": format!("Error budget left: {} ({}%)", objective.slo, objective.percent),
            "description": format!(
                "The share of the {} objective's error budget ({}% of requests over 30 days) not yet spent. \
                 Below 0, the objective is missed. Needs 30 days of retention to cover the whole window.",
                objective.slo,
                super::slo::percent(100.0 - objective.percent),
            ),
            "gridPos": {"x": (i as u32) * 12, "y": 0, "w": 12, "h": 4},
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "fieldConfig": {"defaults": {
                "unit": "percentunit",
                "decimals": 1,
                "thresholds": {"mode": "absolute", "steps": [
                    {"color": "red", "value": null},
                    {"color": "orange", "value": 0.25},
                    {"color": "green", "value": 0.5},
                ]},
            }, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": false}},
            // One evaluation, not one per point of the graph: each reads 30 days of series.
            "targets": [{
                "refId": "A",
                "expr": format!("1 - (\n{bad}\n) / {budget}"),
                "legendFormat": objective.slo,
                "instant": true,
                "range": false,
            }],
        }));
    }
    let rate = |metric: &str, by: &str| format!("sum by ({by}) (rate({metric}{{{base}}}[5m]))");
    panels.push(timeseries(
        next(),
        (0, 4),
        "Requests per second, by route",
        "Every request the service answered but its probes', by the route template it matched.",
        "reqps",
        &[(&rate(&metrics.total, &metrics.route_label), &format!("{{{{{}}}}}", metrics.route_label))],
    ));
    // The availability indicator as the SLO rules compute it, from the service's own series:
    // the panel needs no rule loaded beside the dashboard, and no change of the rules' labels
    // breaks its history.
    let availability = objectives.iter().find(|o| o.slo == "availability").expect("an availability objective");
    let errors: Vec<(String, String)> =
        ["5m", "1h"].iter().map(|w| ((availability.bad)(&selectors, w), format!("5xx share, {w}"))).collect();
    panels.push(timeseries(
        next(),
        (12, 4),
        "Errors: share of requests answered with a 5xx",
        "The availability indicator the SLO rules record, computed here from the service's requests, over 5 minutes and over an hour.",
        "percentunit",
        &errors.iter().map(|(e, l)| (e.as_str(), l.as_str())).collect::<Vec<_>>(),
    ));
    let quantiles: Vec<(String, String)> = [0.5, 0.9, 0.99]
        .iter()
        .map(|q| {
            (
                format!("histogram_quantile({q}, sum by (le) (rate({}{{{base}}}[5m])))", selectors.bucket),
                format!("p{}", (q * 100.0_f64).round()),
            )
        })
        .collect();
    panels.push(timeseries(
        next(),
        (0, 12),
        &format!("Latency percentiles (objective: {}% within {})", service.slo.latency.objective, service.slo.latency.threshold),
        "Interpolated within the histogram's buckets: the latency objective itself counts requests at or under its bucket.",
        "s",
        &quantiles.iter().map(|(e, l)| (e.as_str(), l.as_str())).collect::<Vec<_>>(),
    ));
    if let Some(gauge) = &metrics.in_progress {
        let job = format!("job={}, {in_namespace}", promql_string(name));
        panels.push(timeseries(
            next(),
            (12, 12),
            "Requests in progress",
            "Requests being served at once, across the pods: near the workers' count, requests queue.",
            "short",
            &[(&format!("sum({gauge}{{{job}}})"), "in progress")],
        ));
    }
    let pod = format!("{in_namespace}, container={container}");
    panels.push(timeseries(
        next(),
        (0, 20),
        "CPU per pod, against its limit",
        "cAdvisor's CPU usage (the kubelet) and kube-state-metrics' limit.",
        "short",
        &[
            (&format!("sum by (pod) (rate(container_cpu_usage_seconds_total{{{pod}}}[5m]))"), "{{pod}}"),
            (&format!("max(kube_pod_container_resource_limits{{{pod}, resource=\"cpu\"}})"), "limit"),
        ],
    ));
    panels.push(timeseries(
        next(),
        (12, 20),
        "Memory per pod, against its limit",
        "cAdvisor's working set (what the kernel counts against the limit) and kube-state-metrics' limit.",
        "bytes",
        &[
            (&format!("sum by (pod) (container_memory_working_set_bytes{{{pod}}})"), "{{pod}}"),
            (&format!("max(kube_pod_container_resource_limits{{{pod}, resource=\"memory\"}})"), "limit"),
        ],
    ));
    json!({
        "uid": uid(name),
        "title": format!("{name}: service level"),
        "description": format!("{name}'s requests, errors, latency, error budgets and saturation (rendered by gen)."),
        "tags": ["gen", "slo"],
        "timezone": "utc",
        "editable": false,
        "schemaVersion": 39,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [
            {
                "name": "datasource",
                "label": "Prometheus",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
            },
            {
                "name": NAMESPACE_VARIABLE,
                "label": "Namespace",
                "description": format!("The namespace of {name} whose series the panels read (one per environment on the cluster)."),
                "type": "query",
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "query": {
                    "qryType": 1,
                    "query": format!("label_values(up{{job={}}}, namespace)", promql_string(name)),
                    "refId": "PrometheusVariableQueryEditor-VariableQuery",
                },
                "definition": format!("label_values(up{{job={}}}, namespace)", promql_string(name)),
                "refresh": 2,
                "sort": 1,
                "multi": false,
                "includeAll": false,
                "current": {},
                "hide": 0,
            },
        ]},
        "panels": panels,
    })
}

/// The Prometheus expressions of a Grafana dashboard's panels: (the panel's title, the
/// expression), in panel order, the panels of collapsed rows included, queries of another data
/// source than Prometheus (Loki's LogQL) left out. What `gen lint` checks of each dashboard
/// reads them through this.
pub fn expressions(dashboard: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let panels = dashboard.get("panels").and_then(Value::as_array).into_iter().flatten();
    // A row panel holds its collapsed panels (a row holds panels, never rows), which take its
    // data source unless they name one.
    let nested = |p: &Value| {
        let inner = p.get("panels").and_then(Value::as_array).cloned().unwrap_or_default();
        let source = p.get("datasource").cloned();
        inner.into_iter().map(move |i| (i, source.clone()))
    };
    for (panel, inherited) in panels.flat_map(|p| std::iter::once((p.clone(), None)).chain(nested(p))) {
        let title = panel.get("title").and_then(Value::as_str).unwrap_or("untitled").to_string();
        let source = panel.get("datasource").cloned().or(inherited);
        for target in panel.get("targets").and_then(Value::as_array).into_iter().flatten() {
            let Some(expr) = target.get("expr").and_then(Value::as_str).filter(|e| !e.trim().is_empty()) else {
                continue;
            };
            if is_prometheus(target.get("datasource").or(source.as_ref())) {
                out.push((title.clone(), expr.to_string()));
            }
        }
    }
    out
}

/// Whether a panel's data source is Prometheus: its `type`, or its name when only that is
/// written, or Grafana's default (none written) or a variable (`${datasource}`).
fn is_prometheus(source: Option<&Value>) -> bool {
    match source {
        None | Some(Value::Null) => true,
        Some(Value::String(name)) => {
            let name = name.to_ascii_lowercase();
            !["loki", "elastic", "tempo", "influx", "cloudwatch", "postgres", "mysql"].iter().any(|k| name.contains(k))
        }
        Some(source) => match source.get("type").and_then(Value::as_str) {
            Some(kind) => kind == "prometheus",
            None => is_prometheus(source.get("uid")),
        },
    }
}
