use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::Document;

declare_rule! {
    /// ## What it does
    /// Reports a rule's `expr` (in a rules file or a PrometheusRule object), or a Grafana
    /// dashboard panel's query, that is not a PromQL query Prometheus would run: a syntax
    /// error (an unclosed parenthesis, an operator without an operand), an unknown function
    /// (`holt_winters`, renamed `double_exponential_smoothing` in Prometheus 3), or operands
    /// of the wrong type (`rate()` of an instant vector, vector matching with a scalar). The
    /// query is read by the `promql-parser` crate, which follows Prometheus 3.
    ///
    /// promtool: `check rules`.
    ///
    /// ## Why it matters
    /// Prometheus refuses the whole rules file, so none of its alerts exist.
    ///
    /// ## Example
    /// ```yaml
    ///       - alert: ErrorsHigh
    ///         expr: sum(rate(http_requests_total{status=~"5.."}[5m]) > 1
    /// ```
    ///
    /// ## How to fix
    /// Fix the query (here, close `sum(`); Prometheus' expression browser or `promtool
    /// query instant` shows what it returns.
    pub static RULE = ("PROM002", "invalid-promql", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for rule in &doc.rules {
        if let Some(why) = &rule.query_error {
            let message = format!("the query of {} is not PromQL Prometheus runs: {why}", rule.what());
            let help = if doc.dashboard {
                "fix the query; Grafana's query inspector shows Prometheus' own error"
            } else {
                "fix the query; `promtool check rules` says the same"
            };
            out.push(doc.at(&RULE, rule.expr_span, message).help(help));
        }
    }
}
