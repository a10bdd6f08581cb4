use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::Document;

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule with no `runbook_url` or `runbook` annotation.
    ///
    /// ## Why it matters
    /// The person paged at night reads the alert, not the rules file: without a first step
    /// they start from nothing, and every minute of the search is a minute of the outage.
    ///
    /// ## Example
    /// ```yaml
    ///       - alert: ErrorsHigh
    ///         expr: job:http_errors:ratio_rate5m > 0.05
    ///         for: 5m
    ///         labels: {severity: critical}
    /// ```
    ///
    /// ## How to fix
    /// Add `annotations: {runbook_url: https://...}`, or a `runbook` annotation that says
    /// what to look at first.
    pub static RULE = ("PROM007", "alert-without-runbook", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for rule in doc.rules.iter().filter(|r| r.is_alert()) {
        let said = ["runbook_url", "runbook"]
            .iter()
            .any(|k| rule.string_in("annotations", k).is_some_and(|s| !s.trim().is_empty()));
        if !said {
            let message = format!(
                "the alert `{}` says nothing of what to do: no `runbook_url` or `runbook` annotation",
                rule.name
            );
            out.push(
                doc.at(&RULE, rule.name_span, message)
                    .help("add a `runbook_url`, or a `runbook` annotation with the first step"),
            );
        }
    }
}
