//! A finding: which rule, how bad, what to do, and where.

use std::sync::Arc;

use super::{Route, Rule, Source, SourceMap, Span};

/// How serious a finding is. Errors fail the run; warnings fail it only with `--strict`;
/// notes (news a user should hear, such as a component reaching its end of life) never do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// What a finding is about, beyond its place in a file: what precise ignores match on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Subject {
    /// The service the finding concerns (a spec entry under it, or a file rendered for it).
    pub service: Option<String>,
    /// The spec node the finding is at.
    pub route: Option<Route>,
    /// The rendered file it is in, relative to the output directory.
    pub artifact: Option<String>,
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
    pub subject: Subject,
}

impl Diagnostic {
    /// A finding of `rule` at `span` in `file`, with the rule's default severity.
    pub fn new(rule: &'static Rule, file: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            file: file.to_string(),
            span,
            subject: Subject::default(),
        }
    }

    /// Adds what the user should do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Records the service the finding concerns.
    pub fn service(mut self, service: Option<&str>) -> Self {
        self.subject.service = service.map(str::to_string);
        self
    }
}

/// An ordered collection of findings.
pub type Diagnostics = Vec<Diagnostic>;

/// Findings with the texts they point into: what a stage hands on, or fails with.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

impl Findings {
    /// Findings that quote `sources`.
    pub fn new(sources: impl IntoIterator<Item = Arc<Source>>, diagnostics: Diagnostics) -> Self {
        let mut map = SourceMap::default();
        sources.into_iter().for_each(|s| map.add(s));
        Findings { sources: map, diagnostics }
    }

    /// Adds the findings and sources of another stage.
    pub fn extend(&mut self, other: Findings) {
        self.sources.merge(other.sources);
        self.diagnostics.extend(other.diagnostics);
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many findings of each severity.
    pub fn counts(&self) -> Counts {
        let count = |s: Severity| self.diagnostics.iter().filter(|d| d.severity == s).count();
        Counts { errors: count(Severity::Error), warnings: count(Severity::Warning), notes: count(Severity::Info) }
    }

    /// Whether the findings fail a run: any error, or any warning when `strict`.
    pub fn fail(&self, strict: bool) -> bool {
        let floor = if strict { Severity::Warning } else { Severity::Error };
        self.diagnostics.iter().any(|d| d.severity >= floor)
    }
}

/// Findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        write!(f, "{}, {}", plural(self.errors, "error"), plural(self.warnings, "warning"))?;
        if self.notes > 0 {
            write!(f, ", {}", plural(self.notes, "note"))?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.counts().fmt(f)
    }
}
