use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;
use crate::lint::kubernetes::server::{gunicorn, pre_stop_sleep};

/// Kubernetes' default `terminationGracePeriodSeconds`.
const DEFAULT_GRACE_SECONDS: u64 = 30;

declare_rule! {
    /// ## What it does
    /// Reports a long-running pod whose shutdown sequence, as its manifest writes it, cuts
    /// requests short:
    /// - a preStop hook that sleeps as long as the grace period (`terminationGracePeriodSeconds`,
    ///   30 s when unset) or longer: the process is killed without ever getting SIGTERM's time;
    /// - a grace period shorter than the preStop sleep plus gunicorn's `--graceful-timeout`
    ///   (or, when that is not written, its `--timeout`, the longest a request may take), as
    ///   written in the container's `command`, `args` or `GUNICORN_CMD_ARGS`;
    /// - a `--graceful-timeout` shorter than the `--timeout`: gunicorn itself cuts a request it
    ///   allows.
    ///
    /// Only what the manifest shows is read: settings in a gunicorn config file or in the image
    /// are not seen, and then only the preStop against the grace period is checked.
    /// kube-score, Polaris and checkov have no counterpart.
    ///
    /// ## Why it matters
    /// On every rollout, scale-in or node drain, Kubernetes runs the preStop hook, then sends
    /// SIGTERM, and kills the container when the grace period, counted from the start, runs
    /// out. The preStop sleep is there so that the Service's endpoints and the ingress drop the
    /// pod before it stops taking connections; gunicorn then gives its workers
    /// `--graceful-timeout` to finish what they hold. When the three do not add up, the
    /// requests in flight are cut at SIGKILL: clients see resets and 502s on every deploy,
    /// and a request the service allows (`--timeout`) never finishes on a stopping pod.
    ///
    /// ## Example
    /// ```yaml
    /// terminationGracePeriodSeconds: 30
    /// containers:
    ///   - args: [gunicorn, --timeout, "60", --graceful-timeout, "60", app:app]
    ///     lifecycle:
    ///       preStop: {sleep: {seconds: 5}}
    /// ```
    ///
    /// ## How to fix
    /// Derive the three from the longest request: `--graceful-timeout` at least `--timeout`,
    /// and `terminationGracePeriodSeconds` at least the preStop sleep plus the graceful timeout
    /// plus a few seconds for the master to exit (here 5 + 60 + 5 = 70). gen's flask blueprint
    /// derives them all from its `timeout` param.
    pub static RULE = ("K8S051", "shutdown-cuts-requests", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        if !object.is_long_running() {
            continue;
        }
        let Some(pod) = object.pod() else { continue };
        let grace_route = pod.route.clone().with("terminationGracePeriodSeconds");
        let grace =
            pod.spec.termination_grace_period_seconds.map_or(DEFAULT_GRACE_SECONDS, |g| g.max(0).unsigned_abs());
        let grace_text = match pod.spec.termination_grace_period_seconds {
            Some(_) => format!("a grace period of {grace} s"),
            None => format!("the default grace period of {grace} s"),
        };
        for c in pod.containers().filter(|c| !c.init || c.is_sidecar()) {
            let name = which(&[&c.container.name], &object.title());
            let delay = pre_stop_sleep(c.container, &c.route);
            let delay_s = delay.as_ref().map_or(0, |d| d.value);
            if let Some(delay) = &delay
                && delay.value >= grace
            {
                let message = format!(
                    "the preStop hook of {name} sleeps {} s, as long as or longer than {grace_text}: the process is killed without time to finish its requests",
                    delay.value
                );
                out.push(object.at(&RULE, &delay.route, message).help(
                    "keep the preStop sleep to a few seconds (5 to 10), and raise terminationGracePeriodSeconds above it plus the server's graceful shutdown",
                ));
                continue;
            }
            let Some(server) = gunicorn(c.container, &c.route) else { continue };
            if let (Some(graceful), Some(timeout)) = (&server.graceful_timeout, &server.timeout)
                && graceful.value < timeout.value
            {
                let message = format!(
                    "gunicorn in {name} allows a request {} s (--timeout) but gives it {} s after SIGTERM (--graceful-timeout): a rollout cuts the longest requests",
                    timeout.value, graceful.value
                );
                out.push(
                    object.at(&RULE, &graceful.route, message).help("set --graceful-timeout to at least --timeout"),
                );
            }
            let (needed, what) = match (&server.graceful_timeout, &server.timeout) {
                (Some(g), _) => (g.value, format!("gunicorn's --graceful-timeout of {} s", g.value)),
                (None, Some(t)) => (t.value, format!("the longest request gunicorn allows (--timeout {} s)", t.value)),
                (None, None) => continue,
            };
            if grace < delay_s.saturating_add(needed) {
                let sleep = if delay_s > 0 { format!("the preStop sleep of {delay_s} s plus ") } else { String::new() };
                let message = format!(
                    "{} has {grace_text}, shorter than {sleep}{what}: requests in flight are killed",
                    object.title()
                );
                let route = if pod.spec.termination_grace_period_seconds.is_some() { &grace_route } else { &pod.route };
                out.push(object.at(&RULE, route, message).help(format!(
                    "set terminationGracePeriodSeconds to at least {} (the preStop sleep, the graceful shutdown, and 5 s for the master to exit)",
                    delay_s + needed + 5
                )));
            }
        }
    }
}
