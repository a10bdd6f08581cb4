//! `gen lint --fix`: minimal edits for the findings that have one right answer, on the files
//! a user wrote (a Dockerfile, a workflow, manifests).
//!
//! A fix is a list of byte-range edits on the file's text, made from the finding (its span,
//! or its route for a manifest) and a parse of the text: every byte outside the edits is kept,
//! comments, order, quoting and line endings included. Fixes are keyed by rule code, one file
//! per family ([`dockerfile`], [`workflow`], [`kubernetes`]) and one line per rule in
//! [`FIXERS`], so that a new fix is a function and a line, and the rule files stay as they are.
//!
//! Each fix says whether it is *safe* (the file does what it did, minus the problem) or
//! *unsafe* (it may change what the image, the job or the pod does: applied only with
//! `--unsafe-fixes`), as ruff does. [`fix_text`] applies the fixes of a file's findings, lints
//! the result again and repeats until nothing is left to fix, so that fixes that touch the same
//! place (three `securityContext` fields of one container) are made one after the other.
//! Writing the result (atomically, never through a link out of the repository, never over a
//! file gen renders and owns) is [`write`]'s.

mod dockerfile;
mod kubernetes;
mod workflow;
pub mod write;
mod yaml_edit;

use std::cell::OnceCell;

use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::lint::{self, Artifact};

/// Whether a fix keeps what the file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Safety {
    /// It keeps what the file does, minus the problem: applied by `--fix`.
    Safe,
    /// It may change what the image, the job or the pod does: applied with `--unsafe-fixes`.
    Unsafe,
}

/// One edit: the bytes `start..end` of the text replaced by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Edit {
    /// Text inserted at `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit { start: at, end: at, text: text.into() }
    }
}

/// A fix for one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub safety: Safety,
    pub edits: Vec<Edit>,
}

impl Fix {
    fn new(safety: Safety, edits: Vec<Edit>) -> Fix {
        Fix { safety, edits }
    }
}

/// A file's text with its parses, made once for all the findings of one round.
pub struct FileText<'a> {
    pub text: &'a str,
    yaml: OnceCell<Option<yaml_edit::Yaml>>,
    dockerfile: OnceCell<Option<crate::lint::dockerfile::parser::Dockerfile>>,
}

impl<'a> FileText<'a> {
    fn new(text: &'a str) -> FileText<'a> {
        FileText { text, yaml: OnceCell::new(), dockerfile: OnceCell::new() }
    }

    /// The YAML documents of the text (none when it does not parse).
    fn yaml(&self) -> Option<&yaml_edit::Yaml> {
        self.yaml.get_or_init(|| yaml_edit::Yaml::parse(self.text)).as_ref()
    }

    /// The Dockerfile (none when it does not parse).
    fn dockerfile(&self) -> Option<&crate::lint::dockerfile::parser::Dockerfile> {
        self.dockerfile.get_or_init(|| crate::lint::dockerfile::parser::parse(self.text).ok()).as_ref()
    }
}

/// How a rule is fixed: the function, and what its documentation says about it.
pub struct Fixer {
    /// The rule's code.
    pub code: &'static str,
    /// The family whose files it fixes (the one that lints them again after a fix).
    pub family: &'static str,
    /// Whether the fix is safe, unsafe, or safe in some cases only.
    pub safety: &'static str,
    /// What the fix writes and when it is safe, for `gen explain` and the rule docs.
    pub doc: &'static str,
    /// The fix for one finding of the rule, or `None` when the finding has no single right
    /// fix (the value is set otherwise, the place is written in a form the fix does not edit).
    pub fix: fn(&FileText<'_>, &Diagnostic) -> Option<Fix>,
}

/// Every fix, by rule code.
pub static FIXERS: &[&Fixer] = &[
    &dockerfile::ADD_INSTEAD_OF_COPY,
    &dockerfile::APT_INSTALL_RECOMMENDS,
    &dockerfile::PIP_CACHE_KEPT,
    &dockerfile::COPY_DESTINATION_NOT_FOLDER,
    &dockerfile::SHELL_FORM_COMMAND,
    &kubernetes::SECCOMP_UNCONFINED,
    &kubernetes::PRIVILEGE_ESCALATION_ALLOWED,
    &kubernetes::RUN_AS_NON_ROOT_MISSING,
    &kubernetes::CAPABILITIES_NOT_DROPPED,
    &kubernetes::WRITABLE_ROOT_FILESYSTEM,
    &kubernetes::SERVICE_ACCOUNT_TOKEN_MOUNTED,
    &workflow::UNPINNED_ACTION,
    &workflow::PERMISSIONS_MISSING_OR_BROAD,
    &workflow::CHECKOUT_PERSISTS_CREDENTIALS,
];

/// The fix of a rule, if it has one.
pub fn fixer(code: &str) -> Option<&'static Fixer> {
    FIXERS.iter().copied().find(|f| f.code == code)
}

/// What fixing one file gave.
#[derive(Debug, Default)]
pub struct Fixed {
    /// The text after the fixes.
    pub text: String,
    /// The findings fixed, each as `CODE` and the line it was on in the text as read.
    pub applied: Vec<(&'static str, usize)>,
    /// How many findings have a fix that only `--unsafe-fixes` applies.
    pub unsafe_skipped: usize,
    /// The findings left that have a fix gen could not apply here (a value written otherwise,
    /// a form it does not edit such as flow-style YAML), each as `CODE` and its line.
    pub not_applied: Vec<(&'static str, usize)>,
}

/// The most rounds of fix-and-lint-again for one file; each round fixes at least one finding
/// of the file's first lint, so a file needs as many rounds as fixes meet at one place.
const MAX_ROUNDS: usize = 16;

/// Fixes the findings `found` in a file of `family` whose text is `text` (`name` is how
/// findings name it). Each round applies the fixes whose edits do not overlap, lints the new
/// text alone, and fixes again what is left of the first lint's findings: a finding the first
/// lint did not make (one a file read beside this one kept quiet) is never fixed.
pub fn fix_text(family: &dyn lint::Family, name: &str, text: &str, found: &[Diagnostic], unsafe_fixes: bool) -> Fixed {
    let key = |d: &Diagnostic| (d.rule.code, d.message.clone());
    let wanted: Vec<(&'static str, String)> = found.iter().filter(|d| fixer(d.rule.code).is_some()).map(key).collect();
    let mut out = Fixed { text: text.to_string(), ..Fixed::default() };
    let mut current: Diagnostics = found.iter().filter(|d| wanted.contains(&key(d))).cloned().collect();
    let original = Source::new(name, text);
    let mut told: Vec<usize> = Vec::new();
    // The line of a finding in the file as it was read: the first finding of the first lint
    // with the same rule and message not told yet (fixes insert lines, and move the rest).
    let mut line_read = |d: &Diagnostic, now: &Source| {
        let first = found
            .iter()
            .enumerate()
            .filter(|(i, f)| key(f) == key(d) && !told.contains(i))
            .map(|(i, f)| (i, f.span.map_or(1, |s| original.position(s).line)))
            .next();
        match first {
            Some((i, line)) => {
                told.push(i);
                line
            }
            None => d.span.map_or(1, |s| now.position(s).line),
        }
    };
    for _ in 0..MAX_ROUNDS {
        let file = FileText::new(&out.text);
        let source = Source::new(name, out.text.clone());
        let mut chosen: Vec<(&Diagnostic, Fix)> = Vec::new();
        for d in &current {
            let Some(fix) = fixer(d.rule.code).and_then(|f| (f.fix)(&file, d)) else { continue };
            if fix.safety == Safety::Unsafe && !unsafe_fixes {
                continue;
            }
            chosen.push((d, fix));
        }
        let edits = non_overlapping(&mut chosen);
        if edits.is_empty() {
            break;
        }
        for (d, _) in &chosen {
            let line = line_read(d, &source);
            out.applied.push((d.rule.code, line));
        }
        out.text = apply(&out.text, &edits);
        let relinted =
            lint::lint_files(family, &mut std::iter::once(Artifact::hand_written(Source::new(name, out.text.clone()))));
        current = relinted.diagnostics.into_iter().filter(|d| wanted.contains(&key(d))).collect();
    }
    // What is left of the fixable findings, each counted once: waiting for `--unsafe-fixes`,
    // or with no fix gen can make here.
    let file = FileText::new(&out.text);
    let source = Source::new(name, out.text.clone());
    for d in &current {
        match fixer(d.rule.code).and_then(|f| (f.fix)(&file, d)) {
            Some(fix) if fix.safety == Safety::Unsafe && !unsafe_fixes => out.unsafe_skipped += 1,
            // Left by the rounds' limit: still a fix to make, as a second run would.
            Some(_) => {}
            None => {
                let line = line_read(d, &source);
                out.not_applied.push((d.rule.code, line));
            }
        }
    }
    out
}

/// Keeps the fixes whose edits overlap no edit of a fix kept before, and returns their edits in
/// text order. An edit equal to one already kept (two jobs asking for the same `permissions`
/// block) is made once. Two insertions at one place overlap: the second waits for a round.
fn non_overlapping(chosen: &mut Vec<(&Diagnostic, Fix)>) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    chosen.retain(|(_, fix)| {
        let fresh: Vec<&Edit> = fix.edits.iter().filter(|e| !edits.contains(e)).collect();
        let clash = fresh.iter().any(|e| {
            edits.iter().any(|k| {
                (e.start < k.end && k.start < e.end)
                    || e.start == k.start
                    || (e.start == e.end && k.start < e.start && e.start < k.end)
            })
        });
        if clash {
            return false;
        }
        let mut fresh: Vec<Edit> = fresh.into_iter().cloned().collect();
        edits.append(&mut fresh);
        true
    });
    edits.sort_by_key(|e| (e.start, e.end));
    edits
}

/// The text with non-overlapping edits (in text order) made.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The line ending used at `at`: the ending of the line `at` is on, else the file's first.
fn eol_at(text: &str, at: usize) -> &'static str {
    let line_end = text[at..].find('\n').map(|i| at + i).or_else(|| text.find('\n'));
    match line_end {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// What `--fix` did, or would do, to one file.
#[derive(Debug)]
pub struct FileReport {
    /// The file, as findings name it.
    pub name: String,
    /// The findings fixed, each as `CODE` and its line.
    pub applied: Vec<(&'static str, usize)>,
    /// How many findings have a fix only `--unsafe-fixes` applies.
    pub unsafe_skipped: usize,
    /// The findings with a fix gen could not apply here, each as `CODE` and its line.
    pub not_applied: Vec<(&'static str, usize)>,
    /// The unified diff of the fixes (empty when none applies).
    pub diff: String,
    /// Why the file was not fixed.
    pub refused: Option<write::Refused>,
}

/// Fixes the files of `findings` that have fixable findings, and writes them unless `dry`
/// (`--diff`). Files whose text on disk is not the text linted (a rendered chart, a spec's
/// plan) are passed over.
pub fn fix_findings(findings: &crate::diag::Findings, unsafe_fixes: bool, dry: bool) -> Vec<FileReport> {
    let mut names: Vec<&str> = Vec::new();
    for d in &findings.diagnostics {
        if fixer(d.rule.code).is_some() && !names.contains(&d.file.as_str()) {
            names.push(&d.file);
        }
    }
    let mut reports = Vec::new();
    for name in names {
        let Some(source) = findings.sources.get(name) else { continue };
        let found: Vec<Diagnostic> = findings.diagnostics.iter().filter(|d| d.file == name).cloned().collect();
        let Some(family) = found.iter().find_map(|d| fixer(d.rule.code)).and_then(|f| lint::family(f.family)) else {
            continue;
        };
        let report = |refused| FileReport {
            name: name.to_string(),
            applied: Vec::new(),
            unsafe_skipped: 0,
            not_applied: Vec::new(),
            diff: String::new(),
            refused: Some(refused),
        };
        let real = match write::target(name, source.text()) {
            Ok(Some(real)) => real,
            Ok(None) => continue,
            Err(refused) => {
                reports.push(report(refused));
                continue;
            }
        };
        let fixed = fix_text(family, name, source.text(), &found, unsafe_fixes);
        let diff = if fixed.text == source.text() {
            String::new()
        } else {
            similar::TextDiff::from_lines(source.text(), &fixed.text)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string()
        };
        if !dry
            && !diff.is_empty()
            && let Err(refused) = write::replace(&real, &fixed.text)
        {
            reports.push(report(refused));
            continue;
        }
        reports.push(FileReport {
            name: name.to_string(),
            applied: fixed.applied,
            unsafe_skipped: fixed.unsafe_skipped,
            not_applied: fixed.not_applied,
            diff,
            refused: None,
        });
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_edits_are_made_once_and_overlapping_ones_wait() {
        crate::declare_rule! {
            /// A rule for the test.
            static TEST = ("TEST001", "test", Warning);
        }
        let d = Diagnostic::new(&TEST, "f", None, "m");
        let a = Fix::new(Safety::Safe, vec![Edit::insert(3, "x")]);
        let b = Fix::new(Safety::Safe, vec![Edit::insert(3, "x")]);
        let c = Fix::new(Safety::Safe, vec![Edit::insert(3, "y")]);
        let mut chosen = vec![(&d, a), (&d, b), (&d, c)];
        let edits = non_overlapping(&mut chosen);
        assert_eq!(edits, vec![Edit::insert(3, "x")]);
        assert_eq!(chosen.len(), 2);
        assert_eq!(apply("abcdef", &edits), "abcxdef");
    }
}
