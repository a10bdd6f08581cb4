use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::expr::{condition, expressions};
use crate::lint::workflow::{Document, conditions};

declare_rule! {
    /// ## What it does
    /// Reports an `if:` with text before or after its `${{ }}` (`if: ${{ github.ref ==
    /// 'refs/heads/main' }} && success()`, `if: "${{ inputs.deploy }} == true"`), or with more
    /// than one `${{ }}`.
    ///
    /// actionlint: `if-cond` ("condition is always evaluated to true because extra
    /// characters are around ${{ }}").
    ///
    /// ## Why it matters
    /// GitHub substitutes the `${{ }}` and then reads the whole value as one expression; with
    /// text around it the value is a non-empty string, which is true. The step or job always
    /// runs: a deploy meant for `main` runs on every branch.
    ///
    /// ## Example
    /// ```yaml
    /// if: ${{ github.ref == 'refs/heads/main' }} && success()
    /// ```
    ///
    /// ## How to fix
    /// Write the whole condition as one expression, with or without `${{ }}`:
    /// `if: github.ref == 'refs/heads/main' && success()`.
    pub static RULE = ("GHA020", "if-always-true", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for node in conditions(doc) {
        let Some(value) = node.as_str() else { continue };
        let found = expressions(value);
        // One never closed is GHA001's.
        if found.is_empty() || found.iter().any(|e| !e.closed) || condition(value).is_some() {
            continue;
        }
        let message = format!(
            "`if: {}` has text around its `${{{{ }}}}`: the value is a non-empty string, always true",
            value.trim()
        );
        out.push(
            doc.at(&RULE, node.span, message).help(
                "write the whole condition as one expression: remove `${{` and `}}`, or put everything inside them",
            ),
        );
    }
}
