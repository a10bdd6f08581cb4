//! What `gen explain` says of what watches a service: each alert gen renders (what it means,
//! how urgent it is, what to do first), and how to see each signal (`gen explain signals`).
//! The alerts' own `runbook` annotations say the same with the service's names filled in
//! ([`super::slo`] for the SLO alerts, terraform's modules/monitoring for the platform's);
//! a test holds this list to the alerts the rules hold.

/// One alert gen renders.
pub struct Alert {
    pub name: &'static str,
    /// Where it comes from: a service's SLO rules, or the platform's.
    pub from: &'static str,
    /// `critical` (a page) or `warning` (a ticket).
    pub severity: &'static str,
    pub meaning: &'static str,
    pub first: &'static str,
}

/// Every alert gen renders, by name.
pub static ALERTS: &[Alert] = &[
    Alert {
        name: "ErrorBudgetBurnFast",
        from: "the services' SLO rules (monitoring/rules.yaml)",
        severity: "critical",
        meaning: "The service fails an objective (availability: requests answered with a 5xx; latency: requests slower than its threshold) fast enough to spend its 30-day error budget in days: more than 14.4 times the budget's rate over the last hour (and 5 minutes), or 6 times over 6 hours (and 30 minutes), with at least 5 failed requests in that window. Users feel it now.",
        first: "1. A release in the last hours? `git tag --list '<service>/v*' --sort=-creatordate | head -2`; if so, run the service's rollback workflow (.github/workflows/<service>.rollback.yml) with the version before it. 2. Else, which routes fail: the alert's runbook annotation holds the query by route, or the dashboard's errors and latency panels. 3. The logs of every pod: `kubectl logs -n <namespace> -l app.kubernetes.io/instance=<service> --prefix --since=30m`.",
    },
    Alert {
        name: "ErrorBudgetBurnSlow",
        from: "the services' SLO rules (monitoring/rules.yaml)",
        severity: "warning",
        meaning: "The service will spend its error budget before its 30 days are out: more than 3 times the budget's rate over a day (and 2 hours), or once over 3 days (and 6 hours). Not urgent.",
        first: "In working hours, find which routes fail or are slow (the dashboard's panels by route, or the query in the runbook annotation) and fix them before the budget is spent.",
    },
    Alert {
        name: "MetricsTargetDown",
        from: "the services' SLO rules (monitoring/rules.yaml)",
        severity: "critical",
        meaning: "No pod of the service answers Prometheus' scrape for 5 minutes: the service is down, or its metrics port is, and its SLO alerts are blind (the service counts its own requests).",
        first: "1. `kubectl get pods -n <namespace> -l app.kubernetes.io/instance=<service>`: pods crash-looping, pending or not ready are the outage (`kubectl describe pod`, then `kubectl logs --previous`). 2. If they are Running and Ready, the metrics port (`metrics`) is what fails: the NetworkPolicy opens it to Prometheus alone.",
    },
    Alert {
        name: "MetricsTargetAbsent",
        from: "the services' SLO rules (monitoring/rules.yaml)",
        severity: "critical",
        meaning: "Prometheus has no target of the service for 5 minutes: its pods are gone, or nothing tells Prometheus to scrape them.",
        first: "1. `kubectl get deployments,pods -A -l app.kubernetes.io/instance=<service>`: a Deployment scaled to 0 or deleted is the outage. 2. If pods run, the ServiceMonitor selects no Service, names a port the Service lacks, or is not one the cluster's Prometheus reads (gen lint says which: K8S056, DEP013); `kubectl get servicemonitors -A` shows whether it is deployed.",
    },
    Alert {
        name: "container-restarts",
        from: "the platform's alerts on AKS with managed Prometheus (terraform/modules/monitoring; kube-prometheus-stack's own rules in its place)",
        severity: "warning",
        meaning: "A container of a service restarted 3 times or more in 15 minutes, for 5 minutes: a crash loop, an OOM kill, or a failing liveness probe.",
        first: "`kubectl -n <namespace> describe pod <pod>` (its last state says why it ended: OOMKilled, an exit code, the probe), then `kubectl -n <namespace> logs <pod> --previous`.",
    },
    Alert {
        name: "pods-not-ready",
        from: "the platform's alerts on AKS with managed Prometheus (terraform/modules/monitoring; kube-prometheus-stack's own rules in its place)",
        severity: "critical",
        meaning: "A Deployment has had fewer ready pods than it wants for 15 minutes: a pod pending (no node fits it), crash-looping, or failing its readiness probe.",
        first: "`kubectl -n <namespace> get pods`, then `kubectl describe` the one not ready: its events say whether it waits for a node, an image, a volume or its probe.",
    },
    Alert {
        name: "rollout-stalled",
        from: "the platform's alerts on AKS with managed Prometheus (terraform/modules/monitoring; kube-prometheus-stack's own rules in its place)",
        severity: "warning",
        meaning: "A rollout has not created all its new pods for 20 minutes: a release that failed (GitOps leaves it so; Helm's --atomic rolls it back first).",
        first: "`kubectl -n <namespace> rollout status deployment/<deployment>`; roll back with the service's rollback workflow if the new pods cannot start.",
    },
    Alert {
        name: "certificate-not-ready",
        from: "the platform's alerts on AKS (terraform/modules/monitoring), evaluated by managed Prometheus or kube-prometheus-stack",
        severity: "critical",
        meaning: "A certificate cert-manager manages has not been ready for an hour: HTTPS serves no valid certificate for its hosts.",
        first: "`kubectl -n <namespace> describe certificate <name>`, then its CertificateRequest, Order and Challenge: a host whose DNS does not point at the edge, or an HTTP-01 challenge the edge does not route, is the usual cause.",
    },
    Alert {
        name: "certificate-renewal-failed",
        from: "the platform's alerts on AKS (terraform/modules/monitoring), evaluated by managed Prometheus or kube-prometheus-stack",
        severity: "critical",
        meaning: "A certificate is more than a day past its renewal, or expires within 7 days.",
        first: "`kubectl -n <namespace> describe certificate <name>` and its latest CertificateRequest; `kubectl -n cert-manager logs deploy/cert-manager` says why the renewal fails.",
    },
];

/// The alert named `name` (case aside).
pub fn alert(name: &str) -> Option<&'static Alert> {
    ALERTS.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// What `gen explain <alert>` prints.
pub fn explain(a: &Alert) -> String {
    let urgency = if a.severity == "critical" { "a page" } else { "a ticket" };
    format!(
        "{} (alert, severity: {}, {urgency})\nFrom {}.\n\n## What it means\n{}\n\n## What to do first\n{}\n\n{}",
        a.name, a.severity, a.from, a.meaning, a.first, "How to see the service's signals: gen explain signals"
    )
}

/// What `gen explain signals` prints: where each signal of a service is, and how to read it.
pub const SIGNALS: &str = "\
The signals of a service gen renders (the spec's `observability`), and how to see each.

## Metrics
The service exports them on its pod's port `metrics` (9464 for the flask blueprint), which no
route reaches and the NetworkPolicy opens to Prometheus alone: requests by method, route and
status (`http_requests_total`), their durations (`http_request_duration_seconds`), and the
requests in progress (`http_requests_in_progress`), summed across gunicorn's workers.
- Read them raw: `kubectl -n <namespace> port-forward deploy/<service> 9464`, then
  `curl -s http://127.0.0.1:9464/metrics`.
- With kube-prometheus-stack (a local cluster's default, or `observability.metrics.stack` on
  AKS): `kubectl -n monitoring port-forward svc/kube-prometheus-stack-prometheus 9090`, then
  http://127.0.0.1:9090.
- With Azure Monitor's managed Prometheus (AKS' default): the cluster's Azure Monitor
  workspace (`terraform output`), in the portal's Prometheus explorer.

## The indicators (one query per objective)
- availability: `slo:sli_error:ratio_rate1h{job=\"<service>\", slo=\"availability\"}`, the
  share of requests answered with a 5xx over the last hour (also 5m, 30m, 2h, 6h, 1d, 3d);
- latency: `slo:sli_error:ratio_rate1h{job=\"<service>\", slo=\"latency\"}`, the share slower
  than the objective's threshold.
The liveness and readiness probes' requests are not counted. Error budget left over 30 days:
the dashboard's first panels.

## Dashboards
kube-prometheus-stack's Grafana loads each service's dashboard (monitoring/<service>/
dashboard.yaml): `kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana
3000:80`, then http://127.0.0.1:3000 as `admin`, with the password
`kubectl -n monitoring get secret kube-prometheus-stack-grafana -o
jsonpath='{.data.admin-password}' | base64 -d` prints.

## Logs
One JSON object per line on stdout, with a request id. With Loki: Grafana's Explore, on the
Loki data source, `{namespace=\"<namespace>\", app=\"<service>\"}`. With Container Insights
(AKS' default): the Log Analytics workspace, table ContainerLogV2. Anywhere:
`kubectl -n <namespace> logs -l app.kubernetes.io/instance=<service> --prefix`.

## Alerts
ErrorBudgetBurnFast and MetricsTargetDown/Absent page; ErrorBudgetBurnSlow is a ticket; the
platform's alerts on AKS (container-restarts, pods-not-ready, rollout-stalled with managed
Prometheus, kube-prometheus-stack's own rules in their place; the certificates') go to the same
addresses (`platform.azure.monitoring.alertEmails`); on EKS, kube-prometheus-stack's rules and
AWS Backup's failed jobs go to `platform.aws.monitoring.alertEmails`. `gen explain <alert>` says
what each means and what to do first; on a local cluster they fire in Alertmanager
(`kubectl -n monitoring port-forward svc/kube-prometheus-stack-alertmanager 9093`), which
sends them nowhere.
";
