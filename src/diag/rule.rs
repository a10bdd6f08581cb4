//! A rule: a stable code, a pattern name, a default severity and its documentation.

use super::Severity;

/// A rule's identity and documentation, declared once with [`declare_rule!`].
#[derive(Debug)]
pub struct Rule {
    /// Stable code such as `SPEC109`.
    pub code: &'static str,
    /// Name of the pattern the rule flags, such as `request-exceeds-limit`.
    pub name: &'static str,
    pub severity: Severity,
    /// The doc comment written on the declaration, in fixed sections.
    pub doc: &'static str,
    /// Whether `lint.ignore` or a `gen:ignore` comment may silence it. Rules that keep output
    /// safe (names that become paths, unsafe targets, unparsable input) may not.
    pub ignorable: bool,
}

impl Rule {
    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn documentation(&self) -> String {
        self.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n").trim().to_string()
    }

    /// The first sentence of the documentation.
    pub fn summary(&self) -> String {
        let doc = self.documentation();
        let body = doc
            .lines()
            .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        body.split_inclusive(". ").next().unwrap_or("").trim().to_string()
    }

    /// True when `query` names this rule by code or by name (case-insensitive code).
    pub fn is_named(&self, query: &str) -> bool {
        self.code.eq_ignore_ascii_case(query) || self.name == query
    }
}

/// Declares a rule whose doc comment is its documentation (for `gen explain`). A trailing
/// `unignorable` marks a rule that no ignore may silence.
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $vis:vis static $id:ident = ($code:literal, $name:literal, $severity:ident);) => {
        $crate::declare_rule!(@ $(#[doc = $doc])* $vis $id $code $name $severity true);
    };
    ($(#[doc = $doc:literal])* $vis:vis static $id:ident = ($code:literal, $name:literal, $severity:ident, unignorable);) => {
        $crate::declare_rule!(@ $(#[doc = $doc])* $vis $id $code $name $severity false);
    };
    (@ $(#[doc = $doc:literal])* $vis:vis $id:ident $code:literal $name:literal $severity:ident $ignorable:literal) => {
        $(#[doc = $doc])*
        $vis static $id: $crate::diag::Rule = $crate::diag::Rule {
            code: $code,
            name: $name,
            severity: $crate::diag::Severity::$severity,
            doc: concat!($($doc, "\n"),*),
            ignorable: $ignorable,
        };
    };
}
