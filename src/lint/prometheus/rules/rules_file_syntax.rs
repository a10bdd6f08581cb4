use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::prometheus::Document;

declare_rule! {
    /// ## What it does
    /// Reports a rules file Prometheus would not load: text that is not YAML (or a key
    /// written twice in one mapping), no `groups:` list, a group without a `name` or a list of
    /// `rules`, two groups of one name, and a rule with both `record` and `alert` (or
    /// neither) or without an `expr`.
    ///
    /// promtool: `check rules`.
    ///
    /// ## Why it matters
    /// Prometheus refuses the whole file, and keeps evaluating the rules it had: the new
    /// alerts never exist, and nothing says so but the server's log.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: shop
    ///     rules:
    ///       - alert: ShopDown
    /// ```
    ///
    /// ## How to fix
    /// Fix the YAML or the structure at the reported line: here, the alert's `expr:`.
    pub static RULE = ("PROM001", "rules-file-syntax", Error, unignorable);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    out.extend(doc.syntax.iter().cloned());
}
