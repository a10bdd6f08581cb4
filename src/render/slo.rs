//! What watches a service: the indicators of its objectives (the spec's `slo`) as Prometheus
//! recording rules, the multi-window, multi-burn-rate alerts of Google's SRE workbook
//! ("Alerting on SLOs", chapter 5) on them, two alerts on the scrape itself, and `promtool`
//! unit tests that prove each alert fires for the failure it names and stays quiet otherwise.
//!
//! One rules file per service (`monitoring/<service>/rules.yaml`), in Prometheus' own format:
//! `promtool check rules` and `promtool test rules` read it as it is, and each platform deploys
//! that same file (on AKS, Terraform reads it into Azure Monitor rule groups).
//!
//! The indicators, each over the windows the alerts read (5m to 3d), by `cluster`, `namespace`
//! and `job` (the Service's name, which prometheus-operator's ServiceMonitors and Azure's give
//! the `job` label), without the liveness and readiness paths, whose probes would dilute
//! the errors users see:
//! - availability: the ratio of requests answered with a 5xx;
//! - latency: the ratio of requests slower than the threshold, a bucket boundary of the
//!   blueprint's histogram (a count, not an interpolation).
//!
//! Both are `slo:sli_error:ratio_rate<window>`, told apart by their `slo` label. The alerts, for
//! a 30-day objective with an error budget `b` (1 − objective):
//! - `ErrorBudgetBurnFast` (page, `severity: critical`): more than 14.4·b over 1h and 5m, or
//!   6·b over 6h and 30m (2 % and 5 % of the month's budget);
//! - `ErrorBudgetBurnSlow` (ticket, `severity: warning`): more than 3·b over 1d and 2h, or b
//!   over 3d and 6h (10 % of it);
//! - `MetricsTargetDown` and `MetricsTargetAbsent` (ticket): the scrape fails, or there is no
//!   target at all (a monitor that selects nothing, or that no Prometheus reads), where every
//!   alert above would stay silent whatever the users see.
//!
//! Prometheus 2 (Debian's `promtool`, which the tests run) and 3 (kube-prometheus-stack's)
//! read these alike: every range is a `rate` over a window at least four scrapes long, where
//! 3.0's left-open ranges drop at most one sample of many.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::filters::yaml_quote;
use crate::blueprint::RequestMetrics;
use crate::spec::model::Service;

/// The windows the indicators are recorded over, shortest first.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// The interval gen's monitors scrape at (a rate window is at least four of it).
pub const SCRAPE_INTERVAL: &str = "30s";

/// A burn-rate condition: the error ratio above `factor` times the budget over both windows.
struct Burn {
    factor: f64,
    long: &'static str,
    short: &'static str,
}

/// One alert on an objective's burn: its name, severity, `for`, and its conditions (any).
struct BurnAlert {
    name: &'static str,
    severity: &'static str,
    hold: &'static str,
    burns: [Burn; 2],
}

const BURN_ALERTS: [BurnAlert; 2] = [
    BurnAlert {
        name: "ErrorBudgetBurnFast",
        severity: "critical",
        hold: "2m",
        burns: [Burn { factor: 14.4, long: "1h", short: "5m" }, Burn { factor: 6.0, long: "6h", short: "30m" }],
    },
    BurnAlert {
        name: "ErrorBudgetBurnSlow",
        severity: "warning",
        hold: "15m",
        burns: [Burn { factor: 3.0, long: "1d", short: "2h" }, Burn { factor: 1.0, long: "3d", short: "6h" }],
    },
];

/// A recording or alerting rule, as Prometheus' rules file holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// `record` or `alert`, and its name.
    pub kind: &'static str,
    pub name: String,
    pub expr: String,
    pub hold: Option<&'static str>,
    pub labels: BTreeMap<&'static str, String>,
    pub annotations: BTreeMap<&'static str, String>,
}

/// One objective of a service, as its rules read it.
struct Objective {
    /// `availability` or `latency`.
    slo: &'static str,
    /// The objective, a percentage.
    percent: f64,
    /// The numerator of its indicator's error ratio (the bad requests), by window.
    bad: fn(&Selectors, &str) -> String,
    /// What a bad request is, in the alerts' words.
    what: String,
}

/// The selectors of a service's request metrics.
struct Selectors {
    total: String,
    bucket: String,
    count: String,
    /// `job="…", route!~"…"`: the service's requests but its probes'.
    base: String,
    status: String,
    le: String,
}

/// A PromQL string literal that reads back as `s`.
fn promql_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An RE2 pattern matching `s` exactly.
fn regex_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A bucket boundary as Prometheus' clients write the `le` label (Go's float format, which
/// Python's client copies and Prometheus 3 normalises to): `0.25`, `1.0`, `2.5`, `300.0`.
pub fn le_label(seconds: f64) -> String {
    if seconds.fract() == 0.0 && seconds.abs() < 1e15 { format!("{seconds:.1}") } else { format!("{seconds}") }
}

/// A percentage without trailing zeros: `99.9`, `99`, `0.1`, `1.44`.
fn percent(value: f64) -> String {
    let s = format!("{:.6}", value);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

const BY: &str = "sum by (cluster, namespace, job)";

/// `rate(metric{matchers}[window])` summed by service, its selector on a line of its own.
fn summed_rate(metric: &str, matchers: &str, window: &str) -> String {
    format!("{BY} (\n  rate({metric}{{\n    {matchers}\n  }}[{window}])\n)")
}

/// `text` with every line but the first indented by `n` more spaces.
fn indented(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

fn availability_bad(s: &Selectors, window: &str) -> String {
    let errors = summed_rate(&s.total, &format!("{}, {}", s.base, s.status), window);
    let all = summed_rate(&s.total, &s.base, window);
    // With no 5xx yet there is no error series: `or 0 * all` makes the ratio 0, not absent.
    format!("(\n  {}\n  or\n  0 * {}\n)\n/\n{all}", indented(&errors, 2), indented(&all, 2))
}

fn latency_bad(s: &Selectors, window: &str) -> String {
    let fast = summed_rate(&s.bucket, &format!("{}, {}", s.base, s.le), window);
    let all = summed_rate(&s.count, &s.base, window);
    format!("1 - (\n  {}\n  /\n  {}\n)", indented(&fast, 2), indented(&all, 2))
}

/// The objectives of `service` whose indicators its metrics give.
fn objectives(service: &Service, metrics: &RequestMetrics) -> (Selectors, Vec<Objective>) {
    let mut probes = vec![service.health.liveness.clone()];
    if service.health.readiness != service.health.liveness {
        probes.push(service.health.readiness.clone());
    }
    let probes: Vec<String> = probes.iter().map(|p| regex_quote(p)).collect();
    let base =
        format!("job={}, {}!~{}", promql_string(&service.name), metrics.route_label, promql_string(&probes.join("|")));
    let threshold = service.slo.latency.seconds().unwrap_or(0.25);
    let selectors = Selectors {
        total: metrics.total.clone(),
        bucket: format!("{}_bucket", metrics.duration),
        count: format!("{}_count", metrics.duration),
        base,
        status: format!("{}=~\"5..\"", metrics.status_label),
        le: format!("le={}", promql_string(&le_label(threshold))),
    };
    let objectives = vec![
        Objective {
            slo: "availability",
            percent: service.slo.availability,
            bad: availability_bad,
            what: "answered with a server error (5xx)".into(),
        },
        Objective {
            slo: "latency",
            percent: service.slo.latency.objective,
            bad: latency_bad,
            what: format!("slower than {}", service.slo.latency.threshold),
        },
    ];
    (selectors, objectives)
}

/// The recorded indicator of objective `slo` over `window`, for service `name`.
fn recorded(name: &str, slo: &str, window: &str) -> String {
    format!("slo:sli_error:ratio_rate{window}{{service={}, slo=\"{slo}\"}}", promql_string(name))
}

/// The rules of `service`: its indicators' recording rules, then its alerts.
pub fn rules(service: &Service, metrics: &RequestMetrics) -> (Vec<Rule>, Vec<Rule>) {
    let (selectors, objectives) = objectives(service, metrics);
    let name = &service.name;
    let mut records = Vec::new();
    for objective in &objectives {
        for window in WINDOWS {
            records.push(Rule {
                kind: "record",
                name: format!("slo:sli_error:ratio_rate{window}"),
                expr: (objective.bad)(&selectors, window),
                hold: None,
                labels: BTreeMap::from([("service", name.clone()), ("slo", objective.slo.into())]),
                annotations: BTreeMap::new(),
            });
        }
    }
    let mut alerts = Vec::new();
    for objective in &objectives {
        let budget = (100.0 - objective.percent) / 100.0;
        for alert in &BURN_ALERTS {
            let conditions: Vec<String> = alert
                .burns
                .iter()
                .map(|b| {
                    let limit = format!("{} * {}", b.factor, percent(budget));
                    format!(
                        "(\n  {}\n    > ({limit})\n  and\n  {}\n    > ({limit})\n)",
                        recorded(name, objective.slo, b.long),
                        recorded(name, objective.slo, b.short)
                    )
                })
                .collect();
            alerts.push(Rule {
                kind: "alert",
                name: alert.name.into(),
                expr: conditions.join("\nor\n"),
                hold: Some(alert.hold),
                labels: BTreeMap::from([
                    ("service", name.clone()),
                    ("slo", objective.slo.into()),
                    ("severity", alert.severity.into()),
                ]),
                annotations: burn_annotations(name, objective, alert, budget),
            });
        }
    }
    let job = format!("job={}", promql_string(name));
    let down = [
        (
            "MetricsTargetDown",
            format!("{BY} (up{{{job}}}) == 0"),
            "10m",
            format!("Prometheus cannot scrape {name}'s metrics in {{{{ $labels.namespace }}}}: its SLO alerts are blind."),
            format!(
                "The pods may still serve: look at them (kubectl get pods -n {{{{ $labels.namespace }}}} -l app.kubernetes.io/instance={name}) and at the metrics port (`metrics`), which the NetworkPolicy opens to Prometheus alone."
            ),
        ),
        (
            "MetricsTargetAbsent",
            format!("absent(up{{{job}}})"),
            "15m",
            format!("No Prometheus target is {name}'s: its SLO alerts are blind."),
            "The service's ServiceMonitor selects no Service, names a port the Service lacks, or is not one the cluster's Prometheus reads (its kind or its labels): gen lint reports the first two; kubectl get servicemonitors -A shows whether it is deployed.".into(),
        ),
    ];
    for (alert, expr, hold, summary, runbook) in down {
        alerts.push(Rule {
            kind: "alert",
            name: alert.into(),
            expr,
            hold: Some(hold),
            labels: BTreeMap::from([("service", name.clone()), ("severity", "warning".into())]),
            annotations: BTreeMap::from([("summary", summary.clone()), ("description", summary), ("runbook", runbook)]),
        });
    }
    (records, alerts)
}

fn burn_annotations(
    name: &str,
    objective: &Objective,
    alert: &BurnAlert,
    budget: f64,
) -> BTreeMap<&'static str, String> {
    let [first, second] = &alert.burns;
    let share = |b: &Burn| percent(b.factor * budget * 100.0);
    let days = |b: &Burn| percent((30.0 / b.factor * 10.0).round() / 10.0);
    let summary = if alert.severity == "critical" {
        format!("{name} is spending its {} error budget {} times too fast", objective.slo, first.factor)
    } else {
        format!("{name} will spend its {} error budget before its 30 days are out", objective.slo)
    };
    let description = format!(
        "More than {}% of {name}'s requests were {} over the last {} (and {}), or more than {}% over the last {} (and {}), against a budget of {}% over 30 days: at the first rate the budget is gone in {} days, at the second in {}. The objective: {}% of requests not {}.",
        share(first),
        objective.what,
        first.long,
        first.short,
        share(second),
        second.long,
        second.short,
        percent(budget * 100.0),
        days(first),
        days(second),
        percent(objective.percent),
        objective.what,
    );
    let runbook = if alert.severity == "critical" {
        format!(
            "Users feel it now. If a release of {name} went out in the last hours, roll it back (the rollback workflow); else read the failing routes on the service's dashboard and its logs (kubectl logs -n {{{{ $labels.namespace }}}} deploy/{name})."
        )
    } else {
        format!(
            "Not urgent: in working hours, find which routes of {name} fail or are slow (the service's dashboard, its logs) before the budget is spent."
        )
    };
    BTreeMap::from([("summary", summary), ("description", description), ("runbook", runbook)])
}

/// A YAML block scalar (`|-`) of `text` at `indent`, or a quoted string for one line.
fn block(text: &str, indent: usize) -> String {
    if !text.contains('\n') {
        return yaml_quote(text);
    }
    let pad = " ".repeat(indent);
    let mut out = String::from("|-");
    for line in text.lines() {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// A YAML scalar of one-line `text` at `indent` that keeps lines within 80 columns: quoted when
/// it fits after `key` (the columns before the value), else folded (`>-`) at spaces.
fn folded(text: &str, key: usize, indent: usize) -> String {
    let quoted = yaml_quote(text);
    if key + quoted.len() <= 80 || !text.contains(' ') || text.contains("  ") || text.starts_with(' ') {
        return quoted;
    }
    let width = 80usize.saturating_sub(indent).max(40);
    let mut out = String::from(">-");
    let mut line = String::new();
    // A template's action (`{{ $labels.namespace }}`) stays on one line.
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split(' ') {
        match words.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
        open = words.last().is_some_and(|w| w.rfind("{{").map(|i| i + 2) > w.rfind("}}").map(|i| i + 2));
    }
    for word in &words {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&format!("\n{}{line}", " ".repeat(indent)));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&format!("\n{}{line}", " ".repeat(indent)));
    out
}

fn write_rule(out: &mut String, rule: &Rule) {
    let _ = writeln!(out, "      - {}: {}", rule.kind, rule.name);
    let _ = writeln!(out, "        expr: {}", block(&rule.expr, 10));
    if let Some(hold) = rule.hold {
        let _ = writeln!(out, "        for: {hold}");
    }
    for (key, map) in [("labels", &rule.labels), ("annotations", &rule.annotations)] {
        if !map.is_empty() {
            let _ = writeln!(out, "        {key}:");
            for (k, v) in map {
                let _ = writeln!(out, "          {k}: {}", folded(v, 12 + k.len(), 12));
            }
        }
    }
}

/// The group names of a service's rules: its indicators', then its alerts'.
pub fn group_names(service: &str) -> [String; 2] {
    [format!("{service}-slo-indicators"), format!("{service}-slo-alerts")]
}

/// `service`'s rules file, in Prometheus' format (`groups:`).
pub fn rules_file(service: &Service, metrics: &RequestMetrics) -> String {
    let out = rules_text(service, metrics);
    out.trim_end().to_string()
}

fn rules_text(service: &Service, metrics: &RequestMetrics) -> String {
    let (records, alerts) = rules(service, metrics);
    let mut out = String::from("groups:\n");
    for (name, rules) in group_names(&service.name).iter().zip([records, alerts]) {
        let _ = writeln!(out, "  - name: {}\n    interval: 1m\n    rules:", yaml_quote(name));
        for rule in &rules {
            write_rule(&mut out, rule);
        }
    }
    out
}

/// A promtool unit test: its series, and the alerts expected at each time.
struct Case {
    name: &'static str,
    series: Vec<(String, String)>,
    /// (time, alert name, the objectives (`slo` label) it fires for; `None`: an alert without one).
    expect: Vec<(&'static str, &'static str, Vec<Option<&'static str>>)>,
}

/// `service`'s unit tests of its rules (`promtool test rules`): an outage pages, a slow burn
/// opens a ticket alone, a healthy service fires nothing, and a scrape that fails or finds
/// nothing is said.
pub fn tests_file(service: &Service, metrics: &RequestMetrics, rules_path: &str) -> String {
    tests_text(service, metrics, rules_path).trim_end().to_string()
}

fn tests_text(service: &Service, metrics: &RequestMetrics, rules_path: &str) -> String {
    let (_, alerts) = rules(service, metrics);
    let name = &service.name;
    let threshold = le_label(service.slo.latency.seconds().unwrap_or(0.25));
    let labels = |extra: &str| format!("{{job={}, namespace=\"{name}\", {extra}}}", promql_string(name));
    let route = format!("{}=\"/\"", metrics.route_label);
    let requests = |status: &str, values: &str| {
        (
            format!("{}{}", metrics.total, labels(&format!("{route}, {}=\"{status}\"", metrics.status_label))),
            values.into(),
        )
    };
    let durations = |fast: &str, all: &str| {
        vec![
            (
                format!("{}_bucket{}", metrics.duration, labels(&format!("{route}, le=\"{threshold}\""))),
                fast.to_string(),
            ),
            (format!("{}_bucket{}", metrics.duration, labels(&format!("{route}, le=\"+Inf\""))), all.to_string()),
            (format!("{}_count{}", metrics.duration, labels(&route)), all.to_string()),
        ]
    };
    let up = |values: &str| (format!("up{{job={}, namespace=\"{name}\"}}", promql_string(name)), values.to_string());
    // A budget of b: the slow burn runs at 4·b, above 3·b (the ticket) and below 6·b (a page).
    let budget = (100.0 - service.slo.availability) / 100.0;
    let slow_errors = percent(4.0 * budget * 1000.0);
    let healthy_errors = percent(0.5 * budget * 1000.0);
    let cases = vec![
        Case {
            name: "an outage (every request a 5xx) pages within 10 minutes",
            series: vec![requests("500", "0+1000x300"), up("1x300")],
            expect: vec![
                ("10m", "ErrorBudgetBurnFast", vec![Some("availability")]),
                ("10m", "ErrorBudgetBurnSlow", vec![]),
                ("10m", "MetricsTargetDown", vec![]),
            ],
        },
        Case {
            name: "every request slower than the threshold pages within 10 minutes",
            series: [vec![requests("200", "0+1000x300"), up("1x300")], durations("0+0x300", "0+1000x300")].concat(),
            expect: vec![("10m", "ErrorBudgetBurnFast", vec![Some("latency")]), ("10m", "ErrorBudgetBurnSlow", vec![])],
        },
        Case {
            name: "errors at 4 times the budget open a ticket, and page nobody",
            series: vec![requests("200", "0+1000x300"), requests("500", &format!("0+{slow_errors}x300")), up("1x300")],
            expect: vec![
                ("3h", "ErrorBudgetBurnFast", vec![]),
                ("3h", "ErrorBudgetBurnSlow", vec![Some("availability")]),
            ],
        },
        Case {
            name: "a healthy service (half the budget, every request fast) fires nothing",
            series: [
                vec![requests("200", "0+1000x300"), requests("500", &format!("0+{healthy_errors}x300")), up("1x300")],
                durations("0+1000x300", "0+1000x300"),
            ]
            .concat(),
            expect: ["ErrorBudgetBurnFast", "ErrorBudgetBurnSlow", "MetricsTargetDown", "MetricsTargetAbsent"]
                .into_iter()
                .map(|alert| ("5h", alert, vec![]))
                .collect(),
        },
        Case {
            name: "a scrape that fails is said",
            series: vec![up("0x60")],
            expect: vec![("20m", "MetricsTargetDown", vec![None]), ("20m", "MetricsTargetAbsent", vec![])],
        },
        Case {
            name: "no target at all is said",
            series: vec![(format!("up{{job=\"not-{name}\"}}"), "1x60".into())],
            expect: vec![("20m", "MetricsTargetAbsent", vec![None])],
        },
    ];
    let mut out = String::new();
    let _ = writeln!(out, "rule_files:\n  - {}\nevaluation_interval: 1m\ntests:", yaml_quote(rules_path));
    for case in cases {
        let _ = writeln!(out, "  - name: {}\n    interval: 1m\n    input_series:", folded(case.name, 10, 6));
        for (series, values) in &case.series {
            let _ = writeln!(out, "      - series: {}\n        values: {}", folded(series, 16, 10), yaml_quote(values));
        }
        let _ = writeln!(out, "    alert_rule_test:");
        for (at, alertname, firing) in &case.expect {
            let _ = writeln!(out, "      - eval_time: {at}\n        alertname: {alertname}");
            if firing.is_empty() {
                let _ = writeln!(out, "        exp_alerts: []");
                continue;
            }
            let _ = writeln!(out, "        exp_alerts:");
            for slo in firing {
                let rule = alerts
                    .iter()
                    .find(|r| r.name == *alertname && r.labels.get("slo").map(String::as_str) == *slo)
                    .expect("every expected alert is a rule");
                let mut labels = rule.labels.clone();
                // The series' labels the expression keeps (`absent` keeps the selector's).
                labels.insert("job", name.clone());
                if *alertname != "MetricsTargetAbsent" {
                    labels.insert("namespace", name.clone());
                }
                let _ = writeln!(out, "          - exp_labels:");
                for (k, v) in &labels {
                    let _ = writeln!(out, "              {k}: {}", folded(v, 16 + k.len(), 16));
                }
                let _ = writeln!(out, "            exp_annotations:");
                for (k, v) in &rule.annotations {
                    let expanded = v.replace("{{ $labels.namespace }}", name);
                    let _ = writeln!(out, "              {k}: {}", folded(&expanded, 16 + k.len(), 16));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_boundary_is_written_as_clients_write_le() {
        assert_eq!(le_label(0.25), "0.25");
        assert_eq!(le_label(1.0), "1.0");
        assert_eq!(le_label(300.0), "300.0");
        assert_eq!(le_label(2.5), "2.5");
    }

    #[test]
    fn percentages_lose_their_trailing_zeros() {
        assert_eq!(percent(99.9), "99.9");
        assert_eq!(percent(99.0), "99");
        assert_eq!(percent(0.1 * 14.4), "1.44");
    }
}
