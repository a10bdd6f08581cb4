//! A new artifact family is a folder of rules and one line in `lint::FAMILIES` (the files it
//! touches are listed in `src/lint/mod.rs`). This test builds a toy family here, outside the
//! crate, and runs it through the engine: its rules, `gen:ignore` comments, unused ignores, and
//! the reports, with no change to the command line.

use std::sync::Arc;

use gen_core::declare_rule;
use gen_core::diag::{Diagnostic, Diagnostics, Rule, Source, Span};
use gen_core::lint::{Artifact, Check, Emit, Family, Recognition, Run, drive, lint_files};

declare_rule! {
    /// ## What it does
    /// Reports a key with an empty value in an INI file.
    ///
    /// ## Why it matters
    /// A test of the engine.
    ///
    /// ## How to fix
    /// Give the key a value.
    static EMPTY_VALUE = ("INI001", "empty-value", Error);
}

/// An INI file: each `key=value` line with the span of its key.
struct IniDoc {
    source: Arc<Source>,
    pairs: Vec<(String, String, Span)>,
}

fn empty_value(doc: &IniDoc, out: &mut Diagnostics) {
    for (key, value, span) in &doc.pairs {
        if value.is_empty() {
            out.push(Diagnostic::new(&EMPTY_VALUE, doc.source.name(), Some(*span), format!("`{key}` has no value")));
        }
    }
}

static CHECKS: &[Check<IniDoc>] = &[Check { rule: &EMPTY_VALUE, run: Run::Each(empty_value) }];

struct Ini;

impl Family for Ini {
    fn name(&self) -> &'static str {
        "ini"
    }
    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).collect()
    }
    /// Lines that start with `;`.
    fn comments(&self, text: &str) -> Vec<Span> {
        let mut at = 0;
        let mut out = Vec::new();
        for line in text.split_inclusive('\n') {
            let body = line.trim_end();
            if let Some(i) = body.find(|c: char| !c.is_whitespace()).filter(|i| body[*i..].starts_with(';')) {
                out.push(Span::new(at + i, at + body.len()));
            }
            at += line.len();
        }
        out
    }
    fn recognises(&self, file_name: &str, _text: &str) -> Recognition {
        if file_name.ends_with(".ini") { Recognition::Yes } else { Recognition::No }
    }
    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        let parse = |a: &Artifact| {
            let mut at = 0;
            let mut pairs = Vec::new();
            for line in a.source.text().split_inclusive('\n') {
                if let Some((k, v)) = line.trim_end().split_once('=') {
                    pairs.push((k.trim().to_string(), v.trim().to_string(), Span::new(at, at + k.len())));
                }
                at += line.len();
            }
            IniDoc { source: a.source.clone(), pairs }
        };
        drive(CHECKS, files, parse, emit);
    }
}

fn lint(text: &str) -> gen_core::diag::Findings {
    lint_files(&Ini, &mut std::iter::once(Artifact::hand_written(Source::new("app.ini", text))))
}

#[test]
fn a_family_defined_outside_the_engine_runs_its_rules_with_locations() {
    let findings = lint("[app]\nname=shop\nport=\n");
    let codes: Vec<&str> = findings.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["INI001"]);
    let source = findings.sources.get("app.ini").expect("the source is kept for the report");
    let p = source.position(findings.diagnostics[0].span.expect("a span"));
    assert_eq!((p.line, p.column), (3, 1));
    let report = gen_core::report::human(&findings, false);
    assert!(report.contains("error[INI001]: `port` has no value") && report.contains("--> app.ini:3:1"), "{report}");
}

#[test]
fn its_files_take_gen_ignore_comments_in_its_own_comment_syntax() {
    assert!(lint("; gen:ignore INI001 filled in at deploy time\nport=\n").diagnostics.is_empty());
    let unused = lint("; gen:ignore INI001 nothing to silence\nport=8080\n");
    assert_eq!(unused.diagnostics.iter().map(|d| d.rule.code).collect::<Vec<_>>(), ["GEN002"]);
    let foreign = lint("; gen:ignore DF001 not a rule of this family\nport=\n");
    let codes: Vec<&str> = foreign.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["GEN003", "INI001"]);
}
