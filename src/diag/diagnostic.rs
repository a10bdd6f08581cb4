//! A finding: which rule, how bad, what to do, and where.

use super::{Rule, Span};

/// How serious a finding is. Errors fail the run; warnings fail it only with `--strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding. Build it with [`Diagnostic::new`]; it always has exactly one primary location.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The file the finding is in, as the user named it.
    pub file: String,
    /// Where in the file; `None` when the finding is about the file as a whole.
    pub span: Option<Span>,
}

impl Diagnostic {
    /// A finding of `rule` at `span` in `file`, with the rule's default severity.
    pub fn new(rule: &'static Rule, file: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic { rule, severity: rule.severity, message: message.into(), help: None, file: file.to_string(), span }
    }

    /// Adds what the user should do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// An ordered collection of findings.
pub type Diagnostics = Vec<Diagnostic>;
