use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::Document;
use crate::yaml::Value;

declare_rule! {
    /// ## What it does
    /// Reports an `actions/checkout` step without `persist-credentials: false`.
    ///
    /// zizmor: `artipacked`.
    ///
    /// ## Why it matters
    /// By default the checkout writes the job's token into `.git/config`, where every later
    /// step can read it, and where an `actions/upload-artifact` of the workspace publishes it
    /// (the "ArtiPACKED" leak). Most jobs never push with git.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
    /// ```
    ///
    /// ## How to fix
    /// Add `with: {persist-credentials: false}`. A job that must push passes the token to
    /// that one git command (or uses an action that takes it as an input).
    pub static RULE = ("GHA012", "checkout-persists-credentials", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for step in doc.steps() {
        let Some(uses) = step.uses().filter(|u| u.is("actions/checkout")) else { continue };
        let setting = step.with("persist-credentials");
        let off = setting.is_some_and(|e| {
            matches!(e.value.value, Value::Bool(false))
                || e.value.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
        });
        if off {
            continue;
        }
        let at = setting.map_or(uses.node.span, |e| e.value.span);
        out.push(
            doc.at(&RULE, at, "the checkout leaves the job's token in .git/config for every later step")
                .help("add `persist-credentials: false` under `with:`"),
        );
    }
}
