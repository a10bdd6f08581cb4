//! Dockerfile rules: one file per rule, over a parsed Dockerfile.

pub mod parser;
mod rules;

pub use rules::CHECKS;

use crate::diag::{Diagnostic, Diagnostics, Rule, Span};
use parser::{Dockerfile, Instruction};

/// What a Dockerfile rule sees.
pub struct Context<'a> {
    /// How findings name the file.
    pub file: &'a str,
    pub text: &'a str,
    pub dockerfile: Dockerfile,
    /// The service's port when the spec is known.
    pub port: Option<u16>,
}

impl Context<'_> {
    /// A finding at `needle` inside `inst` (at its keyword when the needle is not found).
    pub fn at(
        &self,
        rule: &'static Rule,
        inst: &Instruction,
        needle: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let raw = self.text.get(inst.span.start..inst.span.end).unwrap_or_default();
        let span = needle
            .and_then(|n| raw.find(n).map(|i| Span::new(inst.span.start + i, inst.span.start + i + n.len())))
            .unwrap_or_else(|| Span::new(inst.span.start, inst.span.start + inst.keyword.len()));
        Diagnostic::new(rule, self.file, Some(span), message)
    }
}

/// Lints a Dockerfile's text. `port` is the spec's port for the service, when known.
pub fn lint(file: &str, text: &str, port: Option<u16>) -> Diagnostics {
    let ctx = Context { file, text, dockerfile: parser::parse(text), port };
    let mut out = Vec::new();
    for (_, check) in CHECKS {
        check(&ctx, &mut out);
    }
    out.sort_by_key(|d| d.span);
    out
}

/// Whether a file name is a Dockerfile's.
pub fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// The simple commands of a shell text, split at `&&`, `||`, `;`, `|` and line breaks.
pub fn commands(shell: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    for piece in
        shell.split(['\n', ';']).flat_map(|p| p.split("&&")).flat_map(|p| p.split("||")).flat_map(|p| p.split('|'))
    {
        let words: Vec<&str> = piece.split_whitespace().collect();
        if !words.is_empty() {
            out.push(words);
        }
    }
    out
}

/// `KEY=value` pairs of an `ENV` or `ARG` (also the legacy `ENV KEY value`), quotes removed.
pub fn assignments(args: &str) -> Vec<(String, String)> {
    let args = args.trim();
    let first = args.split_whitespace().next().unwrap_or_default();
    if !first.contains('=') {
        if let Some((k, v)) = args.split_once(char::is_whitespace) {
            return vec![(k.to_string(), v.trim().trim_matches('"').to_string())];
        }
        return vec![(args.to_string(), String::new())];
    }
    let mut out = Vec::new();
    let mut chars = args.chars().peekable();
    while chars.peek().is_some() {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let mut value = String::new();
        let mut quote = None;
        while let Some(&c) = chars.peek() {
            match (quote, c) {
                (None, c) if c.is_whitespace() => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') => {
                    chars.next();
                    if let Some(n) = chars.peek().copied() {
                        value.push(n);
                    }
                }
                _ => value.push(c),
            }
            chars.next();
        }
        if !key.trim().is_empty() {
            out.push((key.trim().to_string(), value));
        }
    }
    out
}
