//! The shape of a family's rule list, each rule with the function that checks it, and the
//! driver that runs such a list over files.

use std::collections::HashMap;

use super::Artifact;
use crate::diag::{Diagnostics, Rule};

/// How a rule looks at a family's documents.
pub enum Run<D: 'static> {
    /// One document at a time.
    Each(fn(&D, &mut Diagnostics)),
    /// Every document of the run at once, for rules that relate them to each other.
    All(fn(&[D], &mut Diagnostics)),
}

/// One rule of a family and its check.
pub struct Check<D: 'static> {
    pub rule: &'static Rule,
    pub run: Run<D>,
}

/// Runs every check over the documents.
pub fn run_checks<D>(checks: &[Check<D>], docs: &[D]) -> Diagnostics {
    let mut out = Vec::new();
    for check in checks {
        match check.run {
            Run::Each(f) => docs.iter().for_each(|d| f(d, &mut out)),
            Run::All(f) => f(docs, &mut out),
        }
    }
    out
}

/// What a family's lint hands on: each file with its findings.
pub type Emit<'e> = dyn FnMut(&Artifact, Diagnostics) + 'e;

/// Runs `checks` over `files`, parsed by `parse`. When every check looks at one document at a
/// time, files are parsed, checked and dropped one by one (memory stays that of one file);
/// when a check relates documents, each set of consecutive files with the same
/// [`Artifact::set_key`] (a folder) is parsed and checked together, so memory stays that of
/// one set. Each file's findings go to `emit`.
pub fn drive<D>(
    checks: &[Check<D>],
    files: &mut dyn Iterator<Item = Artifact>,
    parse: impl Fn(&Artifact) -> D,
    emit: &mut Emit<'_>,
) {
    drive_reading(checks, files, parse, &mut |_, _| {}, emit);
}

/// [`drive`], also handing each document, once parsed, to `read` (what the closure check
/// reads of a file, taken from the document the rules see rather than parsed again).
pub fn drive_reading<D>(
    checks: &[Check<D>],
    files: &mut dyn Iterator<Item = Artifact>,
    parse: impl Fn(&Artifact) -> D,
    read: &mut dyn FnMut(&Artifact, &D),
    emit: &mut Emit<'_>,
) {
    if checks.iter().all(|c| matches!(c.run, Run::Each(_))) {
        for file in files {
            let doc = parse(&file);
            read(&file, &doc);
            let found = run_checks(checks, std::slice::from_ref(&doc));
            emit(&file, found);
        }
        return;
    }
    let mut set: Vec<Artifact> = Vec::new();
    for file in files {
        if set.last().is_some_and(|last| last.set_key() != file.set_key()) {
            check_set(checks, std::mem::take(&mut set), &parse, read, emit);
        }
        set.push(file);
    }
    check_set(checks, set, &parse, read, emit);
}

/// Checks one set of files together.
fn check_set<D>(
    checks: &[Check<D>],
    files: Vec<Artifact>,
    parse: &impl Fn(&Artifact) -> D,
    read: &mut dyn FnMut(&Artifact, &D),
    emit: &mut Emit<'_>,
) {
    let docs: Vec<D> = files.iter().map(parse).collect();
    files.iter().zip(&docs).for_each(|(file, doc)| read(file, doc));
    let mut by_file: HashMap<String, Diagnostics> = HashMap::new();
    for d in run_checks(checks, &docs) {
        by_file.entry(d.file.clone()).or_default().push(d);
    }
    for file in &files {
        let found = by_file.remove(file.source.name()).unwrap_or_default();
        emit(file, found);
    }
}
