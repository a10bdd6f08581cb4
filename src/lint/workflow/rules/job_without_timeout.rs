use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::Document;

declare_rule! {
    /// ## What it does
    /// Reports a job without `timeout-minutes` (a job that calls a reusable workflow is not
    /// judged: the called jobs set their own).
    ///
    /// No zizmor audit or actionlint check has this rule.
    ///
    /// ## Why it matters
    /// The default is 360 minutes. A hung step (a `kubectl rollout status` waiting on a pod
    /// that never starts, a prompt no one answers) holds a runner, and a deploy's
    /// concurrency group, for six hours; on paid runners it is billed by the minute.
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   runs-on: ubuntu-24.04
    /// ```
    ///
    /// ## How to fix
    /// Set `timeout-minutes` a little above the job's usual time (`timeout-minutes: 15`).
    pub static RULE = ("GHA013", "job-without-timeout", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for job in doc.jobs().into_iter().filter(|j| j.uses().is_none() && j.get("timeout-minutes").is_none()) {
        let message = format!("job `{}` has no `timeout-minutes`: a hung step holds the runner for 6 hours", job.id);
        out.push(doc.at(&RULE, job.key, message).help("set `timeout-minutes:` a little above the job's usual time"));
    }
}
