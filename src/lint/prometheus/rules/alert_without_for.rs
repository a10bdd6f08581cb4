use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::Document;

declare_rule! {
    /// ## What it does
    /// Reports an alerting rule without `for:` (or with `for: 0s`).
    ///
    /// ## Why it matters
    /// It fires at the first evaluation its condition holds: one slow scrape, one restart,
    /// one spike pages someone, and the alert resolves a minute later. A page that cries wolf
    /// is a page people learn to ignore.
    ///
    /// ## Example
    /// ```yaml
    ///       - alert: ErrorsHigh
    ///         expr: job:http_errors:ratio_rate5m > 0.05
    /// ```
    ///
    /// ## How to fix
    /// Say how long the condition must hold: `for: 5m` (a burn-rate alert, whose short window
    /// already smooths, takes `for: 2m`).
    pub static RULE = ("PROM005", "alert-without-for", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for rule in doc.rules.iter().filter(|r| r.is_alert()) {
        let held = rule
            .node
            .get("for")
            .and_then(|f| f.as_str())
            .is_some_and(|f| f.trim_start_matches('0').chars().any(|c| c.is_ascii_digit()));
        if !held {
            let message = format!(
                "the alert `{}` has no `for:`: it fires on the first evaluation its condition holds",
                rule.name
            );
            out.push(
                doc.at(&RULE, rule.name_span, message).help("say how long the condition must hold, such as `for: 5m`"),
            );
        }
    }
}
