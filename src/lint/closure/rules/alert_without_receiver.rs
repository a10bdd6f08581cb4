use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::closure::Graph;

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule of a PrometheusRule whose alerts reach no one: every
    /// Prometheus of its cluster that reads it sends its alerts nowhere. That is a
    /// `Prometheus` object without `alerting.alertmanagers`, or a release of
    /// kube-prometheus-stack installed with no values at all (Terraform's `helm_release`, a
    /// Flux `HelmRelease`, `helm install` in a script a README runs), or with values that give
    /// its Alertmanager no receiver with a `*_configs` (email, webhook, Slack, PagerDuty...):
    /// the chart's own Alertmanager configuration routes every alert to the receiver `null`.
    /// Values gen cannot read are taken to have one. A cluster on this machine (kind,
    /// minikube) is not judged: a laptop pages no one, and its alerts are read in
    /// Alertmanager.
    ///
    /// ## Why it matters
    /// The alert fires, shows in Prometheus' and Alertmanager's pages, and nobody hears of
    /// it: the outage it was written for is found by the users.
    ///
    /// ## Example
    /// ```sh
    /// helm install prom prometheus-community/kube-prometheus-stack   # no alertmanager.config
    /// ```
    ///
    /// ## How to fix
    /// Give the stack's Alertmanager a receiver (`alertmanager.config.receivers` with an
    /// `email_configs`, `webhook_configs`, `pagerduty_configs`... and a `route` to it), or point
    /// the Prometheus at an Alertmanager that has one (`spec.alerting.alertmanagers`).
    pub static RULE = ("DEP014", "alert-without-receiver", Warning);
}

/// Each PrometheusRule whose alerts reach no receiver on one of its clusters, at its first
/// alert.
pub fn check(graph: &Graph, out: &mut Vec<(usize, Diagnostic)>) {
    for m in graph.monitors() {
        let silent = graph.silent(m);
        if silent.is_empty() {
            continue;
        }
        let labels = graph.labels_of(&silent);
        let place = if labels.is_empty() || graph.clusters().len() < 2 {
            String::new()
        } else {
            format!(" on the cluster of {}", labels.join(" or "))
        };
        let Some((first, span)) = m.alerts.first() else { continue };
        let more = match m.alerts.len() {
            1 => String::new(),
            n => format!(" (and its {} other alerts)", n - 1),
        };
        let message = format!(
            "{}'s alert `{first}`{more} reaches no one{place}: the Prometheus that reads it sends its alerts to no Alertmanager, or to one whose every alert goes to the receiver `null`",
            m.from
        );
        out.push((
            m.origin,
            graph.diag(&RULE, m.origin, *span, message).help(
                "give the stack's Alertmanager a receiver (alertmanager.config: receivers with email_configs, webhook_configs... and a route to it), or point the Prometheus at an Alertmanager that has one",
            ),
        ));
    }
}
