//! What watches a service: the indicators of its objectives (the spec's `slo`) as Prometheus
//! recording rules, the multi-window, multi-burn-rate alerts of Google's SRE workbook
//! ("Alerting on SLOs", chapter 5) on them, two alerts on the scrape itself, and `promtool`
//! unit tests that prove each alert fires for the failure it names and stays quiet otherwise.
//!
//! One rules file per project (`monitoring/rules.yaml`), in Prometheus' own format: `promtool
//! check rules` and `promtool test rules` read it as it is, and each platform deploys that same
//! file (on AKS, Terraform reads it into Azure Monitor rule groups). Services whose rules differ
//! in their names alone (the same objectives, probes, threshold and metrics: most of a
//! project's) are one [`RuleSet`]: one set of rules selects them all (`job=~"a|b"`) and keeps
//! each apart (`by (cluster, namespace, job)`), so a service added beside them adds its name to
//! the selectors, not another copy of the rules.
//!
//! The indicators, each over the windows the alerts read (5m to 3d), by `cluster`, `namespace`
//! and `job` (the Service's name, which prometheus-operator's ServiceMonitors and Azure's give
//! the `job` label), without the liveness and readiness paths, whose probes would dilute
//! the errors users see:
//! - availability: the ratio of requests answered with a 5xx;
//! - latency: the ratio of requests slower than the threshold, a bucket boundary of the
//!   blueprint's histogram (a count, not an interpolation).
//!
//! The services' own series are read over 5 minutes alone, into two records of each objective:
//! `slo:sli_errors:rate5m` (the bad requests' rate) and `slo:sli_requests:rate5m` (all
//! requests'). Each window's indicator, `slo:sli_error:ratio_rate<window>` (told apart by its
//! `slo` label), is the sum of the first over the window divided by the sum of the second:
//! each 5-minute rate weighs as much as the traffic it counts, as in a rate over the whole
//! window, and a 3-day indicator reads a few recorded series, not three days of every series
//! of the services' requests (which Azure Monitor's managed Prometheus charts and bounds as
//! the query cost of a rule). `slo:sli_errors:increase<window>` counts the bad requests over
//! the pages' long windows. Each objective's records are a group of their own (evaluated in
//! order, the 5-minute records first: 11 rules). The longer windows read the 5-minute records
//! of the set's services by `job`, summed across the sets that recorded them: a service moved
//! to another set (a service added before it in the spec), or whose objectives change, keeps
//! its history, and a service removed stops at once. What the records cannot hold: minutes
//! when no rule ran (Prometheus down) count no request, and for as long as a window after the
//! rules are first deployed it holds only what they recorded since (a rate over the raw
//! series would read the history before them).
//!
//! The alerts, for a 30-day objective with an error budget `b` (1 − objective):
//! - `ErrorBudgetBurnFast` (page, `severity: critical`): more than 14.4·b over 1h and 5m, or
//!   6·b over 6h and 30m (2 % and 5 % of the month's budget), with at least [`PAGE_MIN_BAD`]
//!   bad requests in that long window;
//! - `ErrorBudgetBurnSlow` (ticket, `severity: warning`): more than 3·b over 1d and 2h, or b
//!   over 3d and 6h (10 % of it);
//! - `MetricsTargetDown` and `MetricsTargetAbsent` (page): no pod answers the scrape, or there
//!   is no target at all (pods gone, a monitor that selects nothing or that no Prometheus
//!   reads). The service counts its own requests: when it is down there is no burn to see.
//!
//! Prometheus 2 (Debian's `promtool`, which the tests run) and 3 (kube-prometheus-stack's)
//! read these alike: the services' series through a `rate` over 5 minutes (at least four
//! scrapes), and the records through sums over a window, where 3.0's left-open ranges drop the
//! same one sample of many from both sides of a ratio.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::filters::yaml_quote;
use crate::blueprint::RequestMetrics;
use crate::spec::model::Service;

/// The windows the indicators are recorded over, shortest first.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

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

/// The seconds of a window (`5m`, `1h`, `3d`).
fn window_seconds(window: &str) -> u64 {
    let (n, unit) = window.split_at(window.len() - 1);
    let n: u64 = n.parse().unwrap_or(0);
    n * match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 1,
    }
}

/// The burn-rate conditions of the alerts, for a platform that evaluates them elsewhere than
/// in Prometheus (CloudWatch's alarms on ECS): each with its alert (`fast`, `slow`), severity,
/// factor of the budget, and its long and short windows in seconds.
pub fn burn_rates() -> Vec<serde_json::Value> {
    BURN_ALERTS
        .iter()
        .flat_map(|alert| {
            let speed = if alert.severity == "critical" { "fast" } else { "slow" };
            alert.burns.iter().map(move |b| {
                serde_json::json!({
                    "alert": speed,
                    "severity": alert.severity,
                    "factor": b.factor,
                    "long": window_seconds(b.long),
                    "short": window_seconds(b.short),
                    "least": if alert.severity == "critical" { PAGE_MIN_BAD } else { 0 },
                })
            })
        })
        .collect()
}

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
pub(super) struct Objective {
    /// `availability` or `latency`.
    pub(super) slo: &'static str,
    /// The objective, a percentage.
    pub(super) percent: f64,
    /// Its indicator's error ratio (the share of bad requests) over a window, from the
    /// services' own series: the dashboard's panels, which need no rule loaded.
    pub(super) bad: fn(&Selectors, &str) -> String,
    /// The rate of its bad requests over 5 minutes, and of all its requests, summed by
    /// service: what its recorded indicators are computed from over every window.
    errors: fn(&Selectors) -> String,
    requests: fn(&Selectors) -> String,
    /// What a bad request is, in the alerts' words.
    what: String,
}

/// The selectors of a service's request metrics.
pub(super) struct Selectors {
    pub(super) total: String,
    pub(super) bucket: String,
    count: String,
    /// `job="…", route!~"…"`: the service's requests but its probes'.
    pub(super) base: String,
    status: String,
    le: String,
}

/// A PromQL string literal that reads back as `s`.
pub(super) fn promql_string(s: &str) -> String {
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

/// A bucket boundary as Prometheus' clients write the `le` label (Go's float format, which
/// Python's client copies and Prometheus 3 normalises to): `0.25`, `1.0`, `2.5`, `300.0`.
pub fn le_label(seconds: f64) -> String {
    if seconds.fract() == 0.0 && seconds.abs() < 1e15 { format!("{seconds:.1}") } else { format!("{seconds}") }
}

/// A percentage without trailing zeros: `99.9`, `99`, `0.1`, `1.44`.
pub(super) fn percent(value: f64) -> String {
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

/// The rate of bad requests over 5 minutes, summed by service: 5xx answers (0, not absent,
/// while there are none).
fn availability_errors(s: &Selectors) -> String {
    let errors = summed_rate(&s.total, &format!("{}, {}", s.base, s.status), "5m");
    let all = summed_rate(&s.total, &s.base, "5m");
    format!("{errors}\nor\n0 * {all}")
}

fn availability_requests(s: &Selectors) -> String {
    summed_rate(&s.total, &s.base, "5m")
}

/// Requests slower than the threshold: all of them less those within it.
fn latency_errors(s: &Selectors) -> String {
    let all = summed_rate(&s.count, &s.base, "5m");
    let fast = summed_rate(&s.bucket, &format!("{}, {}", s.base, s.le), "5m");
    format!("{all}\n-\n{fast}")
}

fn latency_requests(s: &Selectors) -> String {
    summed_rate(&s.count, &s.base, "5m")
}

/// The fewest bad requests over a page's long window that page: below it, at a traffic of a
/// few requests an hour, one error is a ratio that burns the budget, and it would page at
/// night for one request.
pub const PAGE_MIN_BAD: u32 = 5;

/// The objectives of `service`, with its requests in the namespaces `namespace` matches
/// (`namespace="$namespace"`, a dashboard's variable).
pub(super) fn objectives_in(
    service: &Service,
    metrics: &RequestMetrics,
    namespace: &str,
) -> (Selectors, Vec<Objective>) {
    objectives_of(&format!("{}, {namespace}", job_matcher(&[service.name.as_str()])), service, metrics)
}

/// The matcher of the `job` label of `jobs` (services' names, DNS labels: no character of a
/// regular expression but `-`): `job="a"`, or `job=~"a|b"`.
fn job_matcher(jobs: &[&str]) -> String {
    match jobs {
        [one] => format!("job={}", promql_string(one)),
        _ => format!("job=~{}", promql_string(&jobs.join("|"))),
    }
}

/// The probes a service's requests are counted without: its liveness path, and its readiness
/// path when it is another.
fn probes(service: &Service) -> Vec<String> {
    let mut probes = vec![service.health.liveness.clone()];
    if service.health.readiness != service.health.liveness {
        probes.push(service.health.readiness.clone());
    }
    probes
}

/// The objectives of `service`'s, with the requests of the jobs `jobs` (a `job` matcher).
fn objectives_of(jobs: &str, service: &Service, metrics: &RequestMetrics) -> (Selectors, Vec<Objective>) {
    let probes: Vec<String> = probes(service).iter().map(|p| super::filters::regex_escape(p)).collect();
    let base = format!("{jobs}, {}!~{}", metrics.route_label, promql_string(&probes.join("|")));
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
            errors: availability_errors,
            requests: availability_requests,
            what: "answered with a server error (5xx)".into(),
        },
        Objective {
            slo: "latency",
            percent: service.slo.latency.objective,
            bad: latency_bad,
            errors: latency_errors,
            requests: latency_requests,
            what: format!("slower than {}", service.slo.latency.threshold),
        },
    ];
    (selectors, objectives)
}

/// The recorded indicator of objective `slo` over `window`, of the series `matcher` selects
/// (a set's: `slo_rules="…"`).
fn recorded(matcher: &str, slo: &str, window: &str) -> String {
    format!("slo:sli_error:ratio_rate{window}{{{matcher}, slo=\"{slo}\"}}")
}

/// The recorded count of bad requests of objective `slo` over `window`, of the series
/// `matcher` selects.
fn recorded_count(matcher: &str, slo: &str, window: &str) -> String {
    format!("slo:sli_errors:increase{window}{{{matcher}, slo=\"{slo}\"}}")
}

/// The recorded rates over 5 minutes of an objective's bad requests and of all requests.
const ERRORS: &str = "slo:sli_errors:rate5m";
const REQUESTS: &str = "slo:sli_requests:rate5m";

/// How the longer windows' records sum the 5-minute ones: by service (and objective), across the
/// sets that recorded them.
const WINDOW_BY: &str = "sum by (cluster, namespace, job, service, slo)";

/// How often each group of rules is evaluated (`interval`), in seconds.
const INTERVAL_SECONDS: u32 = 60;

/// The most services one set of rules selects: the rest of the same objectives make another.
/// A set's indicators read every series of its services in one query, which Azure Monitor's
/// managed Prometheus bounds (its recording rules' query cost: series times samples), and its
/// rules are one PrometheusRule, which prometheus-operator writes into a ConfigMap of at most
/// 512 KiB with every other rule of the cluster; ten keep both far away (a set of ten is some
/// 28 KB of rules) while a project of tens of services writes its rules a few times, not once
/// per service.
pub const SET_SIZE: usize = 10;

/// Services whose rules differ in their names alone, and the metrics they count requests by:
/// a group of indicators per objective and one of alerts on their targets select them all;
/// the burn-rate alerts of every set of the same objectives are one group, the first set's.
pub struct RuleSet {
    pub services: Vec<Service>,
    pub metrics: RequestMetrics,
    /// What names its rules (groups, `slo_rules` label, PrometheusRule): its objectives, what
    /// else makes them (a hash), and its place among the sets of the same (`-2`, `-3`: past
    /// [`SET_SIZE`] services), so that a service added or removed renames no set.
    pub id: String,
    /// Its place among the sets of the same objectives: 0, then 1 (`-2`) and on.
    pub chunk: usize,
    /// The first set's `id` (this one's, without `-2`): the burn-rate alerts of them all are
    /// named by it.
    pub first_id: String,
}

impl RuleSet {
    /// The service whose objectives, probes and threshold the set's rules hold (every
    /// service of the set has the same), and whose requests its unit tests make.
    fn first(&self) -> &Service {
        &self.services[0]
    }

    fn jobs(&self) -> Vec<&str> {
        self.services.iter().map(|s| s.name.as_str()).collect()
    }

    /// The `slo_rules` label of its rules' series and alerts (`slo-<id>`): the alerts select
    /// their set's series by it, and it tells two sets' rules apart where their names and
    /// other labels are the same (`promtool check rules` would call them duplicates).
    pub fn label(&self) -> String {
        format!("slo-{}", self.id)
    }

    /// The `slo_objectives` label of the burn-rate alerts of every set of its objectives (the
    /// first set's label), and the matcher of their series (`slo_rules=~"slo-<id>(-[0-9]+)?"`).
    fn burn_label(&self) -> (String, String) {
        let label = format!("slo-{}", self.first_id);
        let matcher =
            format!("slo_rules=~{}", promql_string(&format!("{}(-[0-9]+)?", super::filters::regex_escape(&label))));
        (label, matcher)
    }

    /// The name of the set's group `of`: its `availability` or `latency` indicators, the
    /// alerts on its `targets`, or the burn-rate `alerts` (of every set of its objectives, in
    /// the first set's).
    pub fn group_name(&self, of: &str) -> String {
        format!("{}-{of}", self.label())
    }
}

/// What a service's rules read but its name: two services with the same are one [`RuleSet`].
fn sameness(service: &Service, metrics: &RequestMetrics) -> String {
    // A release tag prefix of its own (or a former name's) is in the runbook as it is.
    let tags = service.tag_prefix();
    let own_tags = if tags == format!("{}/v", service.name) { String::new() } else { tags };
    format!(
        "{metrics:?}\n{:?}\n{}\n{}\n{}\n{}\n{own_tags}",
        probes(service),
        service.slo.latency.threshold,
        service.slo.latency.seconds().unwrap_or(0.25),
        service.slo.availability,
        service.slo.latency.objective,
    )
}

/// The services (each with the metrics its blueprint counts requests by) as rule sets of at
/// most [`SET_SIZE`] services, in the order of each set's first service.
pub fn rule_sets(services: Vec<(Service, RequestMetrics)>) -> Vec<RuleSet> {
    use sha2::{Digest, Sha256};
    let mut alike: Vec<(String, Vec<Service>, RequestMetrics)> = Vec::new();
    for (service, metrics) in services {
        let key = sameness(&service, &metrics);
        match alike.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, services, _)) => services.push(service),
            None => alike.push((key, vec![service], metrics)),
        }
    }
    let mut sets = Vec::new();
    for (key, services, metrics) in alike {
        let slo = &services[0].slo;
        let hash = Sha256::digest(key.as_bytes());
        let id = format!(
            "{}-{}-{}-{:02x}{:02x}",
            percent(slo.availability),
            percent(slo.latency.objective),
            slo.latency.threshold.to_ascii_lowercase(),
            hash[0],
            hash[1]
        );
        for (i, chunk) in services.chunks(SET_SIZE).enumerate() {
            let own = if i == 0 { id.clone() } else { format!("{id}-{}", i + 1) };
            sets.push(RuleSet {
                services: chunk.to_vec(),
                metrics: metrics.clone(),
                id: own,
                chunk: i,
                first_id: id.clone(),
            });
        }
    }
    sets
}

/// The rules of a [`RuleSet`].
pub struct Rules {
    /// Its indicators' recording rules, of each objective.
    pub records: Vec<Rule>,
    /// The burn-rate alerts of its objectives (every set of the same has the same).
    pub burns: Vec<Rule>,
    /// The alerts on its services' targets.
    pub targets: Vec<Rule>,
}

impl Rules {
    fn alerts(&self) -> impl Iterator<Item = &Rule> {
        self.burns.iter().chain(&self.targets)
    }
}

/// The rules of `set`.
pub fn rules(set: &RuleSet) -> Rules {
    let (service, metrics) = (set.first(), &set.metrics);
    let jobs = job_matcher(&set.jobs());
    let (selectors, objectives) = objectives_of(&jobs, service, metrics);
    // The 5-minute ratio reads its set's 5-minute records alone, by its label, as they are
    // recorded at the same evaluation.
    let own = format!("slo_rules={}", promql_string(&set.label()));
    let record = |name: String, expr: String, objective: &Objective| Rule {
        kind: "record",
        name,
        expr,
        hold: None,
        labels: BTreeMap::from([("slo", objective.slo.into()), ("slo_rules", set.label())]),
        annotations: BTreeMap::new(),
    };
    let mut records = Vec::new();
    for objective in &objectives {
        // The services' own series are read once, over 5 minutes: the bad requests' rate and
        // all requests'. Every longer window is the ratio of their sums over it (each rate
        // weighed by the traffic it counts, as a rate over the window itself would be), so a
        // day's or three days' indicator reads a few recorded series, not every series of
        // the services' requests over days.
        for (name, expr) in [(ERRORS, objective.errors), (REQUESTS, objective.requests)] {
            records.push(record(name.into(), with_service(expr(&selectors)), objective));
        }
        // The longer windows read the 5-minute records of the set's services by `job`, whichever
        // set recorded them (summed across the `slo_rules` they were recorded under): a service
        // moved to another set, or whose objectives change, keeps its history; a service
        // removed stops at once, its records no longer read.
        let slo = format!("slo=\"{}\"", objective.slo);
        let summed =
            |name: &str, window: &str| format!("{WINDOW_BY} (\n  sum_over_time({name}{{{jobs}, {slo}}}[{window}])\n)");
        for window in WINDOWS {
            let expr = if window == "5m" {
                format!("{ERRORS}{{{own}, {slo}}}\n/\n{REQUESTS}{{{own}, {slo}}}")
            } else {
                format!("{}\n/\n{}", summed(ERRORS, window), summed(REQUESTS, window))
            };
            records.push(record(format!("slo:sli_error:ratio_rate{window}"), expr, objective));
        }
        // The bad requests over each page's long window, which a page needs PAGE_MIN_BAD of:
        // each record of their rate stands for the minute of its evaluation (not the mean
        // rate times the window, which would make one error in the first hour of a 6-hour
        // window six).
        for burn in &BURN_ALERTS[0].burns {
            let expr = format!("{}\n* {INTERVAL_SECONDS}", summed(ERRORS, burn.long));
            records.push(record(format!("slo:sli_errors:increase{}", burn.long), expr, objective));
        }
    }
    // The burn-rate alerts read the records of every set of the same objectives: one rule
    // of each, however many sets, each alert with its series' service and `slo_rules`.
    let (burn_label, family) = set.burn_label();
    let mut burns = Vec::new();
    for objective in &objectives {
        let budget = (100.0 - objective.percent) / 100.0;
        for alert in &BURN_ALERTS {
            let conditions: Vec<String> = alert
                .burns
                .iter()
                .map(|b| {
                    let limit = format!("{} * {}", b.factor, percent(budget));
                    let enough = if alert.severity == "critical" {
                        format!("\n  and\n  {}\n    >= {PAGE_MIN_BAD}", recorded_count(&family, objective.slo, b.long))
                    } else {
                        String::new()
                    };
                    format!(
                        "(\n  {}\n    > ({limit})\n  and\n  {}\n    > ({limit}){enough}\n)",
                        recorded(&family, objective.slo, b.long),
                        recorded(&family, objective.slo, b.short)
                    )
                })
                .collect();
            burns.push(Rule {
                kind: "alert",
                name: alert.name.into(),
                expr: conditions.join("\nor\n"),
                hold: Some(alert.hold),
                // The objectives' name (the first set's label): two objectives' alerts are not
                // the same rule (`promtool check rules`), and a route or silence of the
                // objectives holds for every set of them. The series' own `slo_rules` stays: a
                // service briefly in two sets while a change is applied is two alerts, not two
                // series the same once labelled (which would fail the rule for every service).
                labels: BTreeMap::from([
                    ("slo", objective.slo.into()),
                    ("severity", alert.severity.into()),
                    ("slo_objectives", burn_label.clone()),
                ]),
                annotations: burn_annotations(service, metrics, objective, alert, budget),
            });
        }
    }
    // The service's name in an alert's words: its `job` label (Prometheus expands it).
    let name = JOB;
    let pods = format!("kubectl get pods -n {{{{ $labels.namespace }}}} -l app.kubernetes.io/instance={name}");
    // `absent` of each service's targets: one of them gone is an alert of its own, with its
    // `job` (absent of a regular expression would wait for all of them to go).
    let absent: Vec<String> = set.jobs().iter().map(|job| format!("absent(up{{{}}})", job_matcher(&[job]))).collect();
    // Every indicator above is counted by the service itself: when no pod answers, there is
    // nothing to count and no burn to see. These two say so, and page.
    let down = [
        (
            "MetricsTargetDown",
            with_service(format!("{BY} (up{{{jobs}}}) == 0")),
            format!(
                "No pod of {name} in {{{{ $labels.namespace }}}} answers Prometheus' scrape: the service is down, or its metrics are, and its SLO alerts are blind."
            ),
            format!(
                "1. {pods}: pods crash-looping, pending or not ready are the outage (kubectl describe pod, then kubectl logs --previous). 2. If they are Running and Ready, the service may still serve: the metrics port (`metrics`) is what fails, and the NetworkPolicy opens it to Prometheus alone."
            ),
        ),
        (
            "MetricsTargetAbsent",
            with_service(absent.join("\nor\n")),
            format!(
                "Prometheus has no target of {name}: its pods are gone, or nothing tells Prometheus to scrape them, and its SLO alerts are blind."
            ),
            format!(
                "1. kubectl get pods -A -l app.kubernetes.io/instance={name} (and kubectl get deployments -A): a Deployment scaled to 0 or deleted is the outage. 2. If pods run, the ServiceMonitor selects no Service, names a port the Service lacks, or is not one the cluster's Prometheus reads: gen lint reports the first two; kubectl get servicemonitors -A shows whether it is deployed."
            ),
        ),
    ];
    let mut targets = Vec::new();
    for (alert, expr, summary, runbook) in down {
        targets.push(Rule {
            kind: "alert",
            name: alert.into(),
            expr,
            hold: Some("5m"),
            labels: BTreeMap::from([("severity", "critical".into()), ("slo_rules", set.label())]),
            annotations: BTreeMap::from([("summary", summary.clone()), ("description", summary), ("runbook", runbook)]),
        });
    }
    Rules { records, burns, targets }
}

/// A service's name in the alerts' words: the `job` label of the series that fired them.
const JOB: &str = "{{ $labels.job }}";

/// `expr` with a `service` label, the service's name (its `job`'s): what each service's own
/// rules carried as a label of their own, and what routes, silences and queries match.
fn with_service(expr: String) -> String {
    format!("label_replace(\n  {},\n  \"service\", \"$1\", \"job\", \"(.+)\"\n)", indented(&expr, 2))
}

fn burn_annotations(
    service: &Service,
    metrics: &RequestMetrics,
    objective: &Objective,
    alert: &BurnAlert,
    budget: f64,
) -> BTreeMap<&'static str, String> {
    let name = JOB;
    let [first, second] = &alert.burns;
    let share = |b: &Burn| percent(b.factor * budget * 100.0);
    let days = |b: &Burn| percent((30.0 / b.factor * 10.0).round() / 10.0);
    let page = alert.severity == "critical";
    let summary = if page {
        format!(
            "{name} is failing its {} objective fast: at this rate its 30-day error budget is gone within {} days",
            objective.slo,
            days(second)
        )
    } else {
        format!("{name} will spend its {} error budget before its 30 days are out", objective.slo)
    };
    let enough =
        if page { format!(", with at least {PAGE_MIN_BAD} such requests in that window") } else { String::new() };
    let description = format!(
        "More than {}% of {name}'s requests were {} over the last {} (and {}), or more than {}% over the last {} (and {}){enough}, against a budget of {}% over 30 days: at the first rate the budget is gone in {} days, at the second in {}. The objective: {}% of requests not {}. The requests are counted by the service itself.",
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
    let job = format!("job=\"{name}\"");
    let by_route = if objective.slo == "availability" {
        format!("sum by (route, status) (rate({}{{{job}, {}=~\"5..\"}}[10m]))", metrics.total, metrics.status_label)
    } else {
        format!("histogram_quantile(0.99, sum by (route, le) (rate({}_bucket{{{job}}}[10m])))", metrics.duration)
    };
    // The release tags: the set's own prefix, or each service's default (`<name>/v`).
    let tags = service.tag_prefix();
    let tags = if tags == format!("{}/v", service.name) { format!("{name}/v") } else { tags };
    let runbook = if page {
        format!(
            "Users feel it now. 1. A release in the last hours? git tag --list '{tags}*' --sort=-creatordate | head -2; if so, run the {name} rollback workflow (.github/workflows/{name}.rollback.yml) with the version before it. 2. Else, which routes: {by_route} in Prometheus. 3. The logs of every pod: kubectl logs -n {{{{ $labels.namespace }}}} -l app.kubernetes.io/instance={name} --prefix --since=30m."
        )
    } else {
        format!(
            "Not urgent: in working hours, find which routes of {name} fail or are slow ({by_route} in Prometheus) and fix them before the budget is spent."
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
    folded_within(text, key, indent, 80)
}

/// [`folded`] within `columns` columns.
fn folded_within(text: &str, key: usize, indent: usize, columns: usize) -> String {
    let quoted = yaml_quote(text);
    if key + quoted.len() <= columns || !text.contains(' ') || text.contains("  ") || text.starts_with(' ') {
        return quoted;
    }
    let width = columns.saturating_sub(indent).max(40);
    let mut out = String::from(">-");
    let mut line = String::new();
    let new_line = |out: &mut String, line: &str| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(line);
    };
    // A template's action (`{{ $labels.namespace }}`) stays on one line: a word that opens one
    // (its last `{{` after its last `}}`) is joined by the words up to the one that closes it.
    let mut words: Vec<&str> = Vec::new();
    let (mut start, mut open) = (0, false);
    for (at, word) in text.match_indices(' ').map(|(at, _)| at).chain([text.len()]).scan(0, |from, at| {
        let word = &text[*from..at];
        let start = *from;
        *from = at + 1;
        Some((start, word))
    }) {
        if !open {
            start = at;
        }
        let last = |pair: &[u8]| word.as_bytes().windows(2).rposition(|w| w == pair);
        match (last(b"{{"), last(b"}}")) {
            (None, None) => {}
            (opens, closes) => open = opens.map(|i| i + 2) > closes.map(|i| i + 2),
        }
        if !open {
            words.push(&text[start..at + word.len()]);
        }
    }
    if open {
        words.push(&text[start..]);
    }
    for word in words {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            new_line(&mut out, &line);
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    new_line(&mut out, &line);
    out
}

/// Writes `rule` within `columns` columns.
fn write_rule(out: &mut String, rule: &Rule, columns: usize) {
    let _ = writeln!(out, "      - {}: {}", rule.kind, rule.name);
    let _ = writeln!(out, "        expr: {}", block(&rule.expr, 10));
    if let Some(hold) = rule.hold {
        let _ = writeln!(out, "        for: {hold}");
    }
    for (key, map) in [("labels", &rule.labels), ("annotations", &rule.annotations)] {
        if !map.is_empty() {
            let _ = writeln!(out, "        {key}:");
            for (k, v) in map {
                let _ = writeln!(out, "          {k}: {}", folded_within(v, 12 + k.len(), 12, columns));
            }
        }
    }
}

/// The rules file of `sets`, in Prometheus' format (`groups:`).
pub fn rules_file(sets: &[RuleSet]) -> String {
    let out = rules_text(sets, 80);
    out.trim_end().to_string()
}

/// [`rules_file`] with every line indented by `margin` spaces, and still within 80 columns: the
/// `spec` of a PrometheusRule (`margin` 2).
pub fn rules_indented(sets: &[RuleSet], margin: usize) -> String {
    let pad = " ".repeat(margin);
    let text = rules_text(sets, 80usize.saturating_sub(margin));
    let lines: Vec<String> =
        text.trim_end().lines().map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") }).collect();
    lines.join("\n")
}

fn rules_text(sets: &[RuleSet], columns: usize) -> String {
    let mut out = String::from("groups:\n");
    for set in sets {
        let rules = rules(set);
        let slo = &set.first().slo;
        let _ = writeln!(
            out,
            "  # {}: {}% of requests without a 5xx, {}% within {}.",
            set.jobs().join(", "),
            percent(slo.availability),
            percent(slo.latency.objective),
            slo.latency.threshold
        );
        // A group of each objective's indicators (each read in order: the windows' from the
        // 5-minute records before them), one of the alerts on the set's targets, and in the
        // first set of its objectives the burn-rate alerts of them all.
        let of_objective =
            |slo: &str| rules.records.iter().filter(|r| r.labels.get("slo").is_some_and(|s| s == slo)).collect();
        let mut groups: Vec<(&str, Vec<&Rule>)> = vec![
            ("availability", of_objective("availability")),
            ("latency", of_objective("latency")),
            ("targets", rules.targets.iter().collect()),
        ];
        if set.chunk == 0 {
            groups.push(("alerts", rules.burns.iter().collect()));
        }
        for (of, rules) in groups {
            let _ = writeln!(
                out,
                "  - name: {}\n    interval: {}m\n    rules:",
                yaml_quote(&set.group_name(of)),
                INTERVAL_SECONDS / 60
            );
            for rule in rules {
                write_rule(&mut out, rule, columns);
            }
        }
    }
    out
}

/// The alerts a case expects at a time: each one's objective (`slo` label; `None` for an
/// alert without one) and its service, by its place in the set (0: the first).
type Expected = Vec<(Option<&'static str>, usize)>;

/// A promtool unit test: its series, and the alerts expected at each time.
struct Case {
    name: &'static str,
    series: Vec<(String, String)>,
    /// (time, alert name, the alerts of that name expected then).
    expect: Vec<(&'static str, &'static str, Expected)>,
}

/// The cluster the unit tests' series come from, as Azure's managed Prometheus labels them.
const TEST_CLUSTER: &str = "aks-1";

/// The unit tests (`promtool test rules`) of the rules file of `sets`, at the edges of each
/// alert, on the requests of each set's first service: an outage pages within 10 minutes but
/// not at the first, a burn just over 14.4 times the budget pages, one of 8 times pages
/// through the 6-hour window alone, one just under 6 times opens a ticket and pages nobody,
/// and so for latency; a healthy service, failing probes and one error at a few requests an
/// hour fire nothing; pods that stop answering, or vanish, page; and where a set has several
/// services, one failing while the next is slow pages for each one's own objective alone.
pub fn tests_file(sets: &[RuleSet], rules_path: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "rule_files:\n  - {}\nevaluation_interval: 1m\ntests:", yaml_quote(rules_path));
    // The cases of each set's rules; a set past the first ten of the same objectives has the
    // same rules of other services (the same text but their names and its id), proven by
    // the first's cases, by the absence cases below for each of its services and, for the
    // second, by an outage that the first set's burn-rate alerts page for.
    for set in sets.iter().filter(|set| set.chunk < 2) {
        tests_of(&mut out, set);
    }
    // The absence of a target, once for the whole file (each set's rule alerts for its own
    // services alone): every service up pages nobody; every one gone pages for each. Each
    // service's series and alert once, not once per set.
    let up = |job: &str| {
        format!("up{{cluster=\"{TEST_CLUSTER}\", job={}, namespace={}}}", promql_string(job), promql_string(job))
    };
    let _ = writeln!(
        out,
        "  - name: \"every service with a target: no MetricsTargetAbsent fires\"\n    interval: 1m\n    input_series:"
    );
    for job in sets.iter().flat_map(RuleSet::jobs) {
        let _ = writeln!(out, "      - series: {}\n        values: \"1x60\"", folded(&up(job), 16, 10));
    }
    let _ = writeln!(
        out,
        "    alert_rule_test:\n      - eval_time: 20m\n        alertname: MetricsTargetAbsent\n        exp_alerts: []"
    );
    let _ = writeln!(
        out,
        "  - name: \"no service with a target: each pages within 10 minutes\"\n    interval: 1m\n    input_series:"
    );
    let _ = writeln!(out, "      - series: 'up{{job=\"another\"}}'\n        values: \"1x60\"");
    let _ = writeln!(
        out,
        "    alert_rule_test:\n      - eval_time: 20m\n        alertname: MetricsTargetAbsent\n        exp_alerts:"
    );
    for set in sets {
        let rules = rules(set);
        let rule = rules.targets.iter().find(|r| r.name == "MetricsTargetAbsent").expect("the absence alert");
        for job in set.jobs() {
            write_expected(&mut out, set, rule, job);
        }
    }
    out.trim_end().to_string()
}

/// An alert a test expects of `rule` of `set`, for the service `job`: its labels (the rule's
/// and those of its series) and its annotations, expanded.
fn write_expected(out: &mut String, set: &RuleSet, rule: &Rule, job: &str) {
    let mut labels = rule.labels.clone();
    // The series' labels the expression keeps (`absent` keeps the selector's).
    labels.insert("job", job.to_string());
    labels.insert("service", job.to_string());
    // The series' `slo_rules`, where the rule sets none of its own (the burn-rate alerts set
    // their objectives' first set's).
    labels.entry("slo_rules").or_insert_with(|| set.label());
    if rule.name != "MetricsTargetAbsent" {
        labels.insert("namespace", job.to_string());
        labels.insert("cluster", TEST_CLUSTER.into());
    }
    let _ = writeln!(out, "          - exp_labels:");
    for (k, v) in &labels {
        let _ = writeln!(out, "              {k}: {}", folded(v, 16 + k.len(), 16));
    }
    let _ = writeln!(out, "            exp_annotations:");
    for (k, v) in &rule.annotations {
        let expanded = v.replace("{{ $labels.namespace }}", job).replace(JOB, job);
        let _ = writeln!(out, "              {k}: {}", folded(&expanded, 16 + k.len(), 16));
    }
}

/// The cases of `set`'s rules, on its first service's requests (and its next one's).
fn tests_of(out: &mut String, set: &RuleSet) {
    let (service, metrics) = (set.first(), &set.metrics);
    let rules = rules(set);
    let name = &service.name;
    let threshold = le_label(service.slo.latency.seconds().unwrap_or(0.25));
    let labels_of = |job: &str, extra: &str| {
        format!("{{cluster=\"{TEST_CLUSTER}\", job={}, namespace={}, {extra}}}", promql_string(job), promql_string(job))
    };
    let route = |path: &str| format!("{}={}", metrics.route_label, promql_string(path));
    // `per_minute` requests a minute of the service `job` to `path` answered with `status`,
    // for 5 hours.
    let requests_of = |job: &str, path: &str, status: &str, per_minute: f64| {
        let extra = format!("{}, {}=\"{status}\"", route(path), metrics.status_label);
        (format!("{}{}", metrics.total, labels_of(job, &extra)), format!("0+{}x300", percent(per_minute)))
    };
    let requests_on = |path: &str, status: &str, per_minute: f64| requests_of(name, path, status, per_minute);
    let requests = |status: &str, per_minute: f64| requests_on("/", status, per_minute);
    // 1000 requests a minute of the service `job`, `fast` of them within the threshold.
    let durations_of = |job: &str, fast: f64| {
        let at = |le: &str| {
            format!("{}_bucket{}", metrics.duration, labels_of(job, &format!("{}, le=\"{le}\"", route("/"))))
        };
        vec![
            (at(&threshold), format!("0+{}x300", percent(fast))),
            (at("+Inf"), "0+1000x300".into()),
            (format!("{}_count{}", metrics.duration, labels_of(job, &route("/"))), "0+1000x300".into()),
        ]
    };
    let durations = |fast: f64| durations_of(name, fast);
    let up = |values: &str| {
        (
            format!("up{{cluster=\"{TEST_CLUSTER}\", job={}, namespace={}}}", promql_string(name), promql_string(name)),
            values.to_string(),
        )
    };
    // The error ratio `r` of 1000 requests a minute: good and failed ones.
    let mix = |r: f64, status: &str| vec![requests("200", 1000.0 * (1.0 - r)), requests(status, 1000.0 * r)];
    let budget = (100.0 - service.slo.availability) / 100.0;
    let latency_budget = (100.0 - service.slo.latency.objective) / 100.0;
    let mut cases = vec![
        Case {
            name: "an outage (every request a 5xx) pages within 10 minutes, not at the first",
            series: vec![requests("500", 1000.0), up("1x300")],
            expect: vec![
                ("1m", "ErrorBudgetBurnFast", vec![]),
                ("5m", "ErrorBudgetBurnFast", vec![(Some("availability"), 0)]),
                ("5m", "ErrorBudgetBurnSlow", vec![]),
                ("5m", "MetricsTargetDown", vec![]),
            ],
        },
        Case {
            name: "an outage that ended 40 minutes ago pages nobody any more",
            series: vec![
                (requests("500", 0.0).0, "0+1000x30 30000x60".into()),
                (requests("200", 0.0).0, "0x30 0+1000x60".into()),
                up("1x90"),
            ],
            expect: vec![
                ("20m", "ErrorBudgetBurnFast", vec![(Some("availability"), 0)]),
                ("70m", "ErrorBudgetBurnFast", vec![]),
            ],
        },
        Case {
            name: "errors just over 14.4 times the budget after a healthy day page within the hour",
            series: vec![
                (requests("500", 0.0).0, format!("0x300 0+{}x100", percent(1000.0 * 1.1 * 14.4 * budget))),
                (
                    requests("200", 0.0).0,
                    format!("0+1000x300 300000+{}x100", percent(1000.0 * (1.0 - 1.1 * 14.4 * budget))),
                ),
                up("1x400"),
            ],
            expect: vec![
                ("330m", "ErrorBudgetBurnFast", vec![]),
                ("370m", "ErrorBudgetBurnFast", vec![(Some("availability"), 0)]),
            ],
        },
        Case {
            name: "errors at twice the budget open a ticket through the 3-day window alone",
            series: [mix(2.0 * budget, "500"), vec![up("1x300")]].concat(),
            expect: vec![
                ("1h", "ErrorBudgetBurnFast", vec![]),
                ("1h", "ErrorBudgetBurnSlow", vec![(Some("availability"), 0)]),
            ],
        },
        Case {
            name: "503s at 8 times the budget page through the 6-hour window alone",
            series: [mix(8.0 * budget, "503"), vec![up("1x300")]].concat(),
            // At 99.99 %, 0.8 errors a minute: the count of the page's window (each error
            // counted as its 5-minute rate is recorded, over the minutes after it) reaches 5
            // near 9 minutes, and the page holds 2 more; at 99.9 %, it pages at 5.
            expect: vec![("12m", "ErrorBudgetBurnFast", vec![(Some("availability"), 0)])],
        },
        Case {
            name: "errors just under 6 times the budget open a ticket and page nobody",
            series: [mix(0.9 * 6.0 * budget, "500"), vec![up("1x300")]].concat(),
            expect: vec![
                ("3h", "ErrorBudgetBurnFast", vec![]),
                ("3h", "ErrorBudgetBurnSlow", vec![(Some("availability"), 0)]),
            ],
        },
        Case {
            name: "every request slower than the threshold pages within 10 minutes",
            series: [vec![requests("200", 1000.0), up("1x300")], durations(0.0)].concat(),
            expect: vec![
                ("10m", "ErrorBudgetBurnFast", vec![(Some("latency"), 0)]),
                ("10m", "ErrorBudgetBurnSlow", vec![]),
            ],
        },
        Case {
            name: "slow requests just under 6 times the budget open a ticket alone",
            series: [vec![requests("200", 1000.0), up("1x300")], durations(1000.0 * (1.0 - 5.4 * latency_budget))]
                .concat(),
            expect: vec![
                ("3h", "ErrorBudgetBurnFast", vec![]),
                ("3h", "ErrorBudgetBurnSlow", vec![(Some("latency"), 0)]),
            ],
        },
        Case {
            name: "a healthy service (half the budget, every request fast) fires nothing",
            series: [mix(0.5 * budget, "500"), vec![up("1x300")], durations(1000.0)].concat(),
            expect: ["ErrorBudgetBurnFast", "ErrorBudgetBurnSlow", "MetricsTargetDown"]
                .into_iter()
                .map(|alert| ("5h", alert, vec![]))
                .collect(),
        },
        Case {
            name: "failing probes page nobody: the kubelet is not a user",
            series: vec![
                requests("200", 1000.0),
                requests_on(&service.health.liveness, "500", 1000.0),
                requests_on(&service.health.readiness, "500", 1000.0),
                up("1x300"),
            ],
            expect: vec![("1h", "ErrorBudgetBurnFast", vec![]), ("1h", "ErrorBudgetBurnSlow", vec![])],
        },
        Case {
            name: "one error at a request a minute pages nobody",
            series: vec![
                (requests("200", 1.0).0, "0+1x120".into()),
                (requests("500", 0.0).0, "0x60 1x60".into()),
                up("1x120"),
            ],
            expect: vec![("70m", "ErrorBudgetBurnFast", vec![])],
        },
        Case {
            name: "pods that stop answering page within 10 minutes",
            series: vec![(requests("200", 1000.0).0, "0+1000x30".into()), up("1x30 0x60")],
            expect: vec![("35m", "MetricsTargetDown", vec![]), ("45m", "MetricsTargetDown", vec![(None, 0)])],
        },
    ];
    // One rule selects every service of the set, and keeps each apart: while the first fails
    // and is fast, and the next serves and is slow, each pages for its own objective alone
    // (rules that summed the services together would page for neither, or without its name).
    if let Some(next) = set.jobs().get(1) {
        cases.push(Case {
            name: "one service failing while the next is slow, each pages for its own objective alone",
            series: [
                vec![requests("500", 1000.0), up("1x300"), requests_of(next, "/", "200", 1000.0)],
                durations(1000.0),
                durations_of(next, 0.0),
            ]
            .concat(),
            expect: vec![("10m", "ErrorBudgetBurnFast", vec![(Some("availability"), 0), (Some("latency"), 1)])],
        });
    }
    // Past the first set of its objectives, the set has indicators of its own and the first
    // set's alerts: an outage of its first service pages through them.
    if set.chunk > 0 {
        cases.truncate(1);
    }
    for case in cases {
        let title = format!("{name}: {}", case.name);
        let _ = writeln!(out, "  - name: {}\n    interval: 1m\n    input_series:", folded(&title, 10, 6));
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
            let jobs = set.jobs();
            for (slo, at) in firing {
                let job = jobs[*at];
                let rule = rules
                    .alerts()
                    .find(|r| r.name == *alertname && r.labels.get("slo").map(String::as_str) == *slo)
                    .expect("every expected alert is a rule");
                write_expected(out, set, rule, job);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_burn_rates_cloudwatch_reads_are_the_rules_windows_and_factors() {
        let burns: Vec<(String, f64, u64, u64, u64)> = super::burn_rates()
            .iter()
            .map(|b| {
                let n = |k: &str| b[k].as_u64().expect(k);
                (
                    b["alert"].as_str().expect("alert").to_string(),
                    b["factor"].as_f64().expect("factor"),
                    n("long"),
                    n("short"),
                    n("least"),
                )
            })
            .collect();
        assert_eq!(
            burns,
            [
                ("fast".to_string(), 14.4, 3600, 300, super::PAGE_MIN_BAD.into()),
                ("fast".to_string(), 6.0, 21_600, 1800, super::PAGE_MIN_BAD.into()),
                ("slow".to_string(), 3.0, 86_400, 7200, 0),
                ("slow".to_string(), 1.0, 259_200, 21_600, 0),
            ]
        );
    }

    use super::*;

    #[test]
    fn a_bucket_boundary_is_written_as_clients_write_le() {
        assert_eq!(le_label(0.25), "0.25");
        assert_eq!(le_label(1.0), "1.0");
        assert_eq!(le_label(300.0), "300.0");
        assert_eq!(le_label(2.5), "2.5");
    }

    #[test]
    fn a_long_value_folds_at_spaces_but_never_inside_a_template_action() {
        let text = "The service {{ $labels.service }} in {{ $labels.namespace }} burns its error budget \
                    fast: at this rate the {{ $labels.slo | humanize }} objective is gone in two days";
        let out = folded_within(text, 12, 12, 60);
        assert!(out.starts_with(">-\n"), "{out}");
        let lines: Vec<&str> = out.lines().skip(1).collect();
        // Every line within the width, unless one action alone is longer; each action whole.
        assert!(lines.iter().all(|l| l.len() <= 60), "{out}");
        for action in ["{{ $labels.service }}", "{{ $labels.namespace }}", "{{ $labels.slo | humanize }}"] {
            assert!(lines.iter().any(|l| l.contains(action)), "{action} split in {out}");
        }
        // Read back as YAML folds it, the text is the same.
        let joined: Vec<&str> = lines.iter().map(|l| l.trim_start()).collect();
        assert_eq!(joined.join(" "), text);
        // An action left open keeps the rest of the text on its line; a short value stays quoted.
        assert!(
            folded_within("a {{ b c d e f g h i j k l m n o p q r s t u v w x y z", 0, 2, 40)
                .ends_with("\n  {{ b c d e f g h i j k l m n o p q r s t u v w x y z")
        );
        assert_eq!(folded_within("short one", 12, 12, 80), "\"short one\"");
    }

    #[test]
    fn percentages_lose_their_trailing_zeros() {
        assert_eq!(percent(99.9), "99.9");
        assert_eq!(percent(99.0), "99");
        assert_eq!(percent(0.1 * 14.4), "1.44");
    }
}
