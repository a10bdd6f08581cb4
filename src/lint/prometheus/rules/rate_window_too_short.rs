use promql_parser::parser::Expr;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::{Document, walk};

/// The scrape interval the windows are measured against: gen's monitors' and
/// kube-prometheus-stack's default.
const SCRAPE_SECONDS: u64 = 30;

declare_rule! {
    /// ## What it does
    /// Reports `rate()` or `increase()` over a window shorter than four scrape intervals
    /// (2m at the 30s interval of gen's monitors and kube-prometheus-stack's default).
    ///
    /// ## Why it matters
    /// A rate needs two samples in its window. At 30s, `[1m]` holds two when every scrape
    /// succeeds and one when one fails: the series then vanishes, and an alert on it resolves
    /// and fires again with each missed scrape. Four intervals survive a missed scrape or two.
    ///
    /// ## Example
    /// ```yaml
    ///         expr: sum(rate(http_requests_total{status=~"5.."}[1m])) > 1
    /// ```
    ///
    /// ## How to fix
    /// Use a window of at least `2m` (`5m` is the usual one).
    pub static RULE = ("PROM003", "rate-window-too-short", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for rule in &doc.rules {
        let Some(query) = &rule.query else { continue };
        walk(query, &mut |e| {
            let Expr::Call(call) = e else { return };
            if !matches!(call.func.name, "rate" | "increase") {
                return;
            }
            let Some(Expr::MatrixSelector(m)) = call.args.args.first().map(|a| a.as_ref()) else { return };
            let seconds = m.range.as_secs();
            if seconds < 4 * SCRAPE_SECONDS {
                let message = format!(
                    "`{}()` over {seconds}s holds fewer than four scrapes at {SCRAPE_SECONDS}s: one missed scrape leaves it one sample, and the series vanishes",
                    call.func.name
                );
                out.push(doc.at(&RULE, rule.expr_span, message).help("use a window of at least 2m, such as 5m"));
            }
        });
    }
}
