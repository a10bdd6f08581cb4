use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;
use crate::lint::kubernetes::server::gunicorn;
use crate::spec::quantity::Quantity;

/// The memory of one gunicorn process (the master, or a sync worker) of the smallest Flask
/// application: a floor, not a forecast. Measured with Flask 3.1, Werkzeug 3.1, gunicorn 27
/// on CPython 3.11 (x86-64): the master 14 MiB, each worker 17 MiB (proportional set size,
/// which counts the pages a worker shares with its master once, as the container's cgroup
/// does), after a few requests; issue #26 measured 8 workers of seed 002's service at
/// 124-130 MiB in its container.
pub const MIB_PER_PROCESS: i128 = 16;

declare_rule! {
    /// ## What it does
    /// Reports a container that runs more gunicorn workers than its memory limit can hold:
    /// the workers (`--workers`/`-w` in its `command`, `args` or `GUNICORN_CMD_ARGS`, else a
    /// `WEB_CONCURRENCY` value) plus the master, at 16 MiB each, above `resources.limits.memory`.
    ///
    /// 16 MiB is a floor: a hello-world Flask application on gunicorn 27 and CPython 3.11
    /// measured 14 MiB for the master and 17 MiB for each sync worker (proportional set size,
    /// shared pages counted once, as the container's cgroup counts them); a real application
    /// imports more. A finding means the limit is too small for certain, not that a quiet one
    /// is large enough. Workers set in a config file or in the image are not seen.
    /// kube-score, Polaris and checkov have no counterpart.
    ///
    /// ## Why it matters
    /// Each gunicorn worker is a process with its own copy of the application. Past the limit
    /// the kernel's OOM killer kills a worker (gunicorn starts another, which is killed in
    /// turn) or the whole container, which restarts: requests fail at random under no load at
    /// all. The worker count is often computed from the CPUs the process sees, which in a
    /// container are the node's (8 workers on an 8-CPU node inside a 128Mi limit, issue #26).
    ///
    /// ## Example
    /// ```yaml
    /// args: [gunicorn, --workers, "8", app:app]
    /// resources:
    ///   limits: {cpu: 500m, memory: 128Mi}
    /// ```
    ///
    /// ## How to fix
    /// Size the workers by the container's CPU limit (two per CPU plus one: for 500m, 2), or
    /// raise the memory limit to at least the workers plus one times what one process of your
    /// application takes (`kubectl top pod`, or the cgroup's `memory.current`).
    pub static RULE = ("K8S052", "workers-exceed-memory-limit", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let Some(workers) = gunicorn(c.container, &c.route).and_then(|g| g.workers) else { continue };
            let limits = c.container.resources.as_ref().and_then(|r| r.limits.as_ref());
            let Some(limit) = limits.and_then(|l| l.get("memory")) else { continue };
            let Ok(bytes) = Quantity::parse(&limit.0) else { continue };
            let processes = i128::from(workers.value).saturating_add(1);
            let floor_mib = processes.saturating_mul(MIB_PER_PROCESS);
            if bytes >= floor_mib.saturating_mul(1 << 20) {
                continue;
            }
            let message = format!(
                "{} runs {} gunicorn workers and a master, at least {floor_mib} MiB at {MIB_PER_PROCESS} MiB each, above its memory limit of {}: the OOM killer stops them at random",
                which(&[&c.container.name], &object.title()),
                workers.value,
                limit.0
            );
            let fit = ((bytes.whole_units() >> 20) / MIB_PER_PROCESS - 1).max(1);
            out.push(object.at(&RULE, &workers.route, message).help(format!(
                "size the workers by the CPU limit (2 x CPUs + 1), at most {fit} in this limit, or raise resources.limits.memory"
            )));
        }
    }
}
