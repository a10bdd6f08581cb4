use github_actions_expressions::{
    Expr,
    call::{Call, Function},
    literal::Literal,
};

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::expr::{condition, visit};
use crate::lint::workflow::{Document, conditions};

declare_rule! {
    /// ## What it does
    /// Reports an `if:` that calls `contains()` with a string literal first and a context
    /// second, as in `contains('refs/heads/main refs/heads/release', github.ref)`.
    ///
    /// zizmor: `unsound-contains`.
    ///
    /// ## Why it matters
    /// With a string first, `contains` asks whether the context is a substring of it, not
    /// one of its words: `github.ref` `refs/heads/mai` or `refs/heads/main refs` passes the
    /// check above, and a branch anyone can push (or a pull request's head) runs the
    /// protected steps.
    ///
    /// ## Example
    /// ```yaml
    /// if: contains('refs/heads/main refs/heads/release', github.ref)
    /// ```
    ///
    /// ## How to fix
    /// Test against a list: `contains(fromJSON('["refs/heads/main", "refs/heads/release"]'),
    /// github.ref)`, or compare with `==` for each value.
    pub static RULE = ("GHA019", "unsound-contains", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for node in conditions(doc) {
        let Some(text) = node.as_str().and_then(condition) else { continue };
        let Ok(parsed) = Expr::parse(text) else { continue };
        let mut found = None;
        visit(&parsed, &mut |e| {
            if let Expr::Call(Call { func: Function::Contains, args }) = &e.inner
                && let [haystack, needle] = args.as_slice()
                && let (Expr::Literal(Literal::String(list)), Expr::Context(ctx)) = (&haystack.inner, &needle.inner)
            {
                found = found.take().or(Some((list.to_string(), ctx.as_pattern().unwrap_or_default())));
            }
        });
        let Some((list, context)) = found else { continue };
        let message = format!(
            "`contains('{list}', {context})` is true for any part of the string, not only its words: a value such as a prefix of one passes"
        );
        out.push(
            doc.at(&RULE, node.span, message).help("test against a list: `contains(fromJSON('[\"a\", \"b\"]'), ...)`"),
        );
    }
}
