//! The written spec taken through the pipeline as `gen init` takes its example: each value gen
//! refuses (a Kubernetes version AKS no longer runs, a registry name Azure does not allow, a
//! setting no local cluster serves) becomes a TODO at its place saying why, with gen's default
//! where the spec needs a value, until the spec passes or what is left has no line to mark.

use std::collections::BTreeMap;
use std::path::Path;

use super::write::Doc;
use crate::diag::{Findings, Severity, Source};
use crate::pipeline::{Session, default_out, display, place};
use crate::spec::{self, SpecError};

/// The most rounds: each refuses at least one line, and a spec has few that can fail.
const ROUNDS: usize = 8;

/// The spec's final text, what was refused, and the errors no TODO could take.
pub struct Settled {
    pub text: String,
    /// `line (source): why`, for stderr.
    pub refused: Vec<String>,
    /// Error-level findings left (in the spec or in what it renders).
    pub remaining: Findings,
}

/// Settles `doc` as the spec that will be written at `spec_path`.
pub fn settle(doc: &Doc, session: &Session, spec_path: &Path) -> Settled {
    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    let name = format!("{} (not written)", display(spec_path));
    let mut round = 0;
    loop {
        round += 1;
        let (text, from) = doc.render(&refused);
        let findings = check(&name, &text, session, spec_path);
        if findings.diagnostics.is_empty() || round > ROUNDS {
            return Settled { text, refused: messages(doc, &refused), remaining: findings };
        }
        let source = Source::new(name.clone(), text.clone());
        let mut progress = false;
        for d in &findings.diagnostics {
            let Some(span) = d.span.filter(|_| d.file == name) else { continue };
            let line = source.position(span).line;
            let Some(&at) = from.get(line.saturating_sub(1)) else { continue };
            if let Some(i) = refusable(doc, at, &refused) {
                let why = match &d.help {
                    Some(help) => format!("{} ({}; {help})", d.message, d.rule.code),
                    None => format!("{} ({})", d.message, d.rule.code),
                };
                refused.insert(i, why);
                progress = true;
            }
        }
        if !progress {
            return Settled { text, refused: messages(doc, &refused), remaining: findings };
        }
    }
}

/// What was refused, one line each: `` `key: value` (from FILE:LINE): why ``.
fn messages(doc: &Doc, refused: &BTreeMap<usize, String>) -> Vec<String> {
    refused
        .iter()
        .map(|(i, why)| {
            let line = &doc.lines[*i];
            let source = line.comment.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
            format!("`{}`{source}: {why}", line.body.trim_start_matches("- "))
        })
        .collect()
}

/// The line to refuse for a finding at line `at`: that line, or the nearest block above it
/// that holds it, when it can be refused and is not already.
fn refusable(doc: &Doc, at: usize, refused: &BTreeMap<usize, String>) -> Option<usize> {
    let line = doc.lines.get(at)?;
    if line.fallback.is_some() {
        return (!refused.contains_key(&at)).then_some(at);
    }
    let mut indent = line.indent;
    for i in (0..at).rev() {
        let l = &doc.lines[i];
        if l.body.starts_with('#') || l.body.is_empty() || l.indent >= indent {
            continue;
        }
        if l.fallback.is_some() && !refused.contains_key(&i) {
            return Some(i);
        }
        indent = l.indent;
        if indent == 0 {
            break;
        }
    }
    None
}

/// The error-level findings of the spec `text`, checked as `gen init` checks its example.
fn check(name: &str, text: &str, session: &Session, spec_path: &Path) -> Findings {
    match spec::load(name, text.as_bytes()) {
        Ok(loaded) => {
            let out = default_out(spec_path);
            let mut findings = session.check(&loaded, &place(spec_path, &out), &display(&out)).findings;
            findings.diagnostics.retain(|d| d.severity == Severity::Error);
            findings
        }
        Err(SpecError::Invalid(findings)) => findings,
        Err(e @ SpecError::Read { .. }) => {
            let d = crate::diag::Diagnostic::new(&crate::input::UNREADABLE_INPUT, name, None, e.to_string());
            Findings::new([], vec![d])
        }
    }
}
