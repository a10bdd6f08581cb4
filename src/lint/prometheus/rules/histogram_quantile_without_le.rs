use promql_parser::parser::{Expr, LabelModifier};

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::{Document, metric_names, walk};

declare_rule! {
    /// ## What it does
    /// Reports `histogram_quantile()` of a classic histogram's buckets (`*_bucket`) summed
    /// without keeping `le`: `sum(...)`, `sum by (job) (...)`, or `sum without (le) (...)`.
    /// A native histogram (no `_bucket` series) needs no `le` and is not reported.
    ///
    /// ## Why it matters
    /// The quantile is read from the buckets' upper bounds, the `le` label. Summed away,
    /// nothing is left to read: Prometheus returns no data, and an alert on the latency never
    /// fires however slow the service is.
    ///
    /// ## Example
    /// ```yaml
    ///         expr: histogram_quantile(0.99, sum by (job) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5
    /// ```
    ///
    /// ## How to fix
    /// Keep `le` in the aggregation: `sum by (job, le) (...)`.
    pub static RULE = ("PROM004", "histogram-quantile-without-le", Error);
}

/// Whether an aggregation drops `le`.
fn drops_le(modifier: Option<&LabelModifier>) -> bool {
    match modifier {
        None => true,
        Some(LabelModifier::Include(labels)) => !labels.labels.iter().any(|l| l == "le"),
        Some(LabelModifier::Exclude(labels)) => labels.labels.iter().any(|l| l == "le"),
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for rule in &doc.rules {
        let Some(query) = &rule.query else { continue };
        walk(query, &mut |e| {
            let Expr::Call(call) = e else { return };
            if call.func.name != "histogram_quantile" {
                return;
            }
            let Some(mut arg) = call.args.args.get(1).map(|a| a.as_ref()) else { return };
            while let Expr::Paren(p) = arg {
                arg = &p.expr;
            }
            let Expr::Aggregate(agg) = arg else { return };
            let classic = metric_names(&agg.expr).iter().any(|n| n.ends_with("_bucket"));
            if classic && drops_le(agg.modifier.as_ref()) {
                let message = "`histogram_quantile()` of buckets aggregated without `le`: no bound is left to read a quantile from, and the query returns nothing";
                out.push(
                    doc.at(&RULE, rule.expr_span, message)
                        .help("keep `le` in the aggregation: `sum by (job, le) (...)`"),
                );
            }
        });
    }
}
