use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an `observability.metrics.stack` or `observability.logs.stack` that gen does
    /// not install on the platform a spec (or one of its environments) runs on:
    ///
    /// | platform | metrics | logs |
    /// |---|---|---|
    /// | local (minikube, kind) | `kube-prometheus-stack` | `loki` (Fluent Bit to Loki) |
    /// | azure (AKS) | `managed` (Azure Monitor's managed Prometheus), `kube-prometheus-stack` | `cloud` (Container Insights), `loki` |
    /// | aws (EKS) | `kube-prometheus-stack` | `loki` |
    ///
    /// `elasticsearch` (Fluent Bit to Elasticsearch and Kibana) is on no platform yet. `loki`
    /// goes with `kube-prometheus-stack`, whose Grafana reads it.
    ///
    /// ## Why it matters
    /// A stack that is named but not installed watches nothing: the monitors and rules gen
    /// renders for it would wait for a Prometheus that never comes, and the spec would say the
    /// services are watched when they are not.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {local: {cluster: kind}}
    /// observability:
    ///   metrics: {stack: managed}
    /// ```
    ///
    /// ## How to fix
    /// Leave `stack` out (each platform's default is the first in the table), or name the
    /// stack the platform runs.
    pub static RULE = ("SPEC174", "stack-not-on-platform", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let observability = &spec.spec.observability;
    if !observability.enabled {
        return;
    }
    let platform = spec.spec.platform.on();
    let metrics = platform.metrics_stacks();
    if let Some(stack) = observability.metrics.stack.filter(|s| !metrics.contains(s)) {
        refuse(spec, out, "metrics", stack.name(), metrics.iter().map(|s| s.name()).collect());
    }
    let logs = platform.logs_stacks();
    if let Some(stack) = observability.logs.stack.filter(|s| !logs.contains(s)) {
        refuse(spec, out, "logs", stack.name(), logs.iter().map(|s| s.name()).collect());
        return;
    }
    // Loki is read in kube-prometheus-stack's Grafana: without it, nothing shows its lines.
    use crate::spec::model::{LogsStack, MetricsStack};
    let (metrics, logs) = crate::platform::observability_stacks(&spec.spec);
    if logs == Some(LogsStack::Loki) && metrics.is_some() && metrics != Some(MetricsStack::KubePrometheusStack) {
        let name = platform.name();
        let at = if observability.logs.stack.is_some() { "logs" } else { "metrics" };
        out.push(
            spec.at(&RULE, &route!["observability", at, "stack"], false, format!(
                "Loki's logs are read in kube-prometheus-stack's Grafana, and the metrics stack on {name} is `{}`: nothing would show them",
                metrics.map_or("none", |m| m.name())
            ))
            .help("name `metrics: {stack: kube-prometheus-stack}` with `logs: {stack: loki}`, or leave `logs.stack` out for the platform's own logs"),
        );
    }
}

/// Reports `observability.<signal>.stack: <chosen>` on a platform that runs `runs` instead.
fn refuse(spec: &Loaded, out: &mut Diagnostics, signal: &str, chosen: &str, runs: Vec<&str>) {
    let name = spec.spec.platform.on().name();
    let runs = match runs.as_slice() {
        [] => "none".to_string(),
        _ => runs.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or "),
    };
    out.push(
        spec.at(
            &RULE,
            &route!["observability", signal, "stack"],
            false,
            format!("gen installs no `{chosen}` {signal} stack on {name}: it installs {runs} there"),
        )
        .help(format!("leave `stack` out for {name}'s default, or name {runs}")),
    );
}
