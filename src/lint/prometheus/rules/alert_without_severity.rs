use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::Document;

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule without a `severity` label.
    ///
    /// ## Why it matters
    /// Alertmanager routes on labels (kube-prometheus-stack's default routes by `severity`),
    /// and Azure Monitor's rule groups take a severity per alert: without one, a page and a
    /// ticket reach the same place, and the person on call is woken for both or neither.
    ///
    /// ## Example
    /// ```yaml
    ///       - alert: ErrorsHigh
    ///         expr: job:http_errors:ratio_rate5m > 0.05
    ///         for: 5m
    /// ```
    ///
    /// ## How to fix
    /// Add `labels: {severity: critical}` for what must wake someone, `warning` for what can
    /// wait for working hours.
    pub static RULE = ("PROM006", "alert-without-severity", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for rule in doc.rules.iter().filter(|r| r.is_alert()) {
        if rule.string_in("labels", "severity").is_none_or(|s| s.trim().is_empty()) {
            let message = format!(
                "the alert `{}` has no `severity` label: nothing can route a page apart from a ticket",
                rule.name
            );
            out.push(
                doc.at(&RULE, rule.name_span, message)
                    .help("add `labels: {severity: critical}` (a page) or `warning` (a ticket)"),
            );
        }
    }
}
