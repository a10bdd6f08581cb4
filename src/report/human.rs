//! Compiler-style output through annotate-snippets (the renderer rustc uses): the message,
//! `file:line:col`, the source line with carets, the help. Each quoted line is printed once
//! however many findings it carries, long lines are cut around the finding, and text from
//! the input is cleaned of terminal control characters.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::shorten::shorten;
use super::terminal::{clean, clean_with_offsets};
use crate::diag::{Diagnostic, Findings, Position, Severity, Source};

/// Most findings of one rule in one file the report shows; the rest are counted, so that the
/// report of any input stays a few times the input's size. `--format json` lists them all.
const MAX_PER_RULE_AND_FILE: usize = 20;
/// Most lines of a finding's span quoted.
const MAX_QUOTED_LINES: usize = 4;
/// Most findings marked in one quoted snippet; further ones on the line are listed below it.
const MAX_MARKS: usize = 8;
/// Longest line quoted: a longer one (a value of megabytes on one line) is named by its line
/// and column only, since a terminal shows a hundred characters of it at most and cutting it
/// there costs as much as reading it.
const MAX_QUOTED_LINE: usize = 64 * 1024;

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::NOTE,
    }
}

fn rule_note(d: &Diagnostic) -> String {
    format!("rule: {} (gen explain {})", d.rule.name, d.rule.code)
}

/// One finding, located.
struct Located<'a> {
    diag: &'a Diagnostic,
    at: Option<(&'a Source, Position)>,
    /// How many identical findings (same rule, place, message and help) it stands for.
    times: usize,
}

/// A message or help as the report shows it: cut to size, control characters made visible.
fn shown(text: &str) -> String {
    clean(&shorten(text)).into_owned()
}

/// The note on a finding reported more than once, identically.
fn times_note(times: usize) -> Option<String> {
    (times > 1).then(|| format!("reported {times} times, identically"))
}

/// The lines a group quotes, with the span of each finding inside them.
fn snippet(source: &Source, line: usize, group: &[Located<'_>]) -> (String, usize, Vec<std::ops::Range<usize>>) {
    let last = group
        .iter()
        .filter_map(|l| l.at.map(|(_, p)| p.end_line))
        .max()
        .unwrap_or(line)
        .clamp(line, line + MAX_QUOTED_LINES - 1);
    let start = source.offset(line, 0);
    let text: String = (line..=last).map(|l| source.line_text(l)).collect::<Vec<_>>().join("\n");
    let (cleaned, map) = clean_with_offsets(&text);
    let spans = group
        .iter()
        .take(MAX_MARKS)
        .map(|l| {
            let span = l.diag.span.unwrap_or_default();
            // A span inside a character is widened to the whole character.
            let mut from = span.start.saturating_sub(start).min(text.len());
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = span.end.saturating_sub(start).clamp(from, text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            if to == from {
                // An empty span still gets one caret, on the character it points at.
                to = text[from..].chars().next().map_or(from, |c| from + c.len_utf8());
            }
            map(from)..map(to)
        })
        .collect();
    (cleaned.into_owned(), last, spans)
}

/// The report of one group: findings on one line of one file (or one finding without a line).
fn render_group(renderer: &Renderer, group: &[Located<'_>]) -> String {
    let first = &group[0];
    let d = first.diag;
    let file = clean(&d.file).into_owned();
    let title = shown(&d.message);
    let mut report = Vec::new();
    let mut head = Group::with_title(level(d.severity).primary_title(title).id(d.rule.code));
    match first.at {
        Some((source, pos)) if source.line_text(pos.line).len() > MAX_QUOTED_LINE => {
            head = head.element(Origin::path(file.clone()).line(pos.line).char_column(pos.column));
        }
        Some((source, pos)) => {
            let (text, _, spans) = snippet(source, pos.line, group);
            let many = group.len() > 1;
            let mut snip = Snippet::source(text).line_start(pos.line).path(file.clone());
            for (l, span) in group.iter().zip(spans) {
                let mark = AnnotationKind::Primary.span(span);
                snip = snip.annotation(if many { mark.label(l.diag.rule.code) } else { mark });
            }
            head = head.element(snip);
        }
        None => head = head.element(Origin::path(file.clone())),
    }
    if let Some(help) = &d.help {
        head = head.element(Level::HELP.message(shown(help)));
    }
    if let Some(note) = times_note(first.times) {
        head = head.element(Level::NOTE.message(note));
    }
    report.push(head.element(Level::NOTE.message(rule_note(d))));
    for l in &group[1..] {
        let d = l.diag;
        let title = shown(&d.message);
        let mut origin = Origin::path(file.clone());
        if let Some((_, pos)) = l.at {
            origin = origin.line(pos.line).char_column(pos.column);
        }
        let mut g = Group::with_title(level(d.severity).secondary_title(title).id(d.rule.code)).element(origin);
        if let Some(help) = &d.help {
            g = g.element(Level::HELP.message(shown(help)));
        }
        if let Some(note) = times_note(l.times) {
            g = g.element(Level::NOTE.message(note));
        }
        report.push(g.element(Level::NOTE.message(rule_note(d))));
    }
    renderer.render(&report)
}

/// Renders findings as a person reads them in a terminal; `color` styles them.
pub fn human(findings: &Findings, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let diags = &findings.diagnostics;
    let mut file_rank: HashMap<&str, usize> = HashMap::new();
    for d in diags {
        let next = file_rank.len();
        file_rank.entry(d.file.as_str()).or_insert(next);
    }
    let mut located: Vec<Located<'_>> = diags
        .iter()
        .map(|d| {
            let at = d.span.zip(findings.sources.get(&d.file)).map(|(span, s)| (s.as_ref(), s.position(span)));
            Located { diag: d, at, times: 1 }
        })
        .collect();
    located.sort_by_key(|l| (file_rank[l.diag.file.as_str()], l.at.map(|(_, p)| (p.line, p.column))));

    // A finding reported again and again, identically, is shown once with its count.
    let mut located: Vec<Located<'_>> =
        super::collapse(located, |l| l.diag).into_iter().map(|(l, times)| Located { times, ..l }).collect();

    let mut shown: HashMap<(&str, &str), usize> = HashMap::new();
    let mut hidden: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    located.retain(|l| {
        let key = (l.diag.file.as_str(), l.diag.rule.code);
        let n = shown.entry(key).or_insert(0);
        *n += 1;
        if *n > MAX_PER_RULE_AND_FILE {
            *hidden.entry(key).or_insert(0) += 1;
        }
        *n <= MAX_PER_RULE_AND_FILE
    });

    let mut out = String::new();
    let mut i = 0;
    while i < located.len() {
        fn key<'a>(l: &Located<'a>) -> (&'a str, Option<usize>) {
            (l.diag.file.as_str(), l.at.map(|(_, p)| p.line))
        }
        let k = key(&located[i]);
        let mut j = i + 1;
        while j < located.len() && k.1.is_some() && key(&located[j]) == k {
            j += 1;
        }
        out.push_str(&render_group(&renderer, &located[i..j]));
        out.push_str("\n\n");
        i = j;
    }
    for ((file, code), n) in &hidden {
        let _ = writeln!(
            out,
            "note: {n} more {code} finding(s) in {} are not shown; `--format json` lists them all",
            clean(file)
        );
    }
    if !hidden.is_empty() {
        out.push('\n');
    }
    if diags.is_empty() {
        out.push_str("no findings\n");
    } else {
        let _ = writeln!(out, "{}", findings.counts());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Rule;

    static RULE: Rule = Rule {
        code: "TST001",
        name: "test-rule",
        severity: Severity::Error,
        ignorable: true,
        doc: "## What it does\nTests.",
    };

    #[test]
    fn a_finding_reported_again_and_again_identically_is_shown_once_with_its_count() {
        let d = Diagnostic::new(&RULE, "spec.yaml", None, "the same thing").help("do this");
        let other = Diagnostic::new(&RULE, "spec.yaml", None, "another thing");
        let mut diags = vec![d.clone(); 18];
        diags.push(other);
        let out = human(&Findings::new([], diags), false);
        assert_eq!(out.matches("the same thing").count(), 1, "{out}");
        assert!(out.contains("reported 18 times, identically"), "{out}");
        assert_eq!(out.matches("another thing").count(), 1, "{out}");
        assert!(out.ends_with("19 errors, 0 warnings\n"), "{out}");
        let annotations = crate::report::github(&Findings::new([], vec![d; 18]));
        assert_eq!(annotations.matches("::error ").count(), 1, "{annotations}");
        assert!(annotations.contains("(reported 18 times, identically)"), "{annotations}");
    }
}
