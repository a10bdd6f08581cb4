//! The Dockerfile family: recognised by name, parsed with positions, one file per rule.

pub mod parser;
mod rules;

pub use rules::CHECKS;

use super::{Artifact, Emit, Family, Recognition, drive};
use crate::diag::{Diagnostic, Rule, Span};
use parser::{Dockerfile, Instruction};

/// The family, as listed in [`super::FAMILIES`].
pub static FAMILY: DockerfileFamily = DockerfileFamily;

/// Dockerfiles and Containerfiles.
pub struct DockerfileFamily;

impl Family for DockerfileFamily {
    fn name(&self) -> &'static str {
        "dockerfile"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).collect()
    }

    fn comment_prefixes(&self) -> &'static [&'static str] {
        &["#"]
    }

    fn recognises(&self, file_name: &str, _text: &str) -> Recognition {
        if is_dockerfile(file_name) { Recognition::Yes } else { Recognition::No }
    }

    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        let parse = |a: &Artifact| Document { artifact: a.clone(), dockerfile: parser::parse(a.source.text()) };
        drive(CHECKS, files, parse, &mut |file, mut found| {
            found.sort_by_key(|d| d.span);
            emit(file, found)
        });
    }
}

/// What a Dockerfile rule sees: the parsed file and where it came from.
pub struct Document {
    pub artifact: Artifact,
    pub dockerfile: Dockerfile,
}

impl Document {
    /// How findings name the file.
    pub fn file(&self) -> &str {
        self.artifact.source.name()
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        self.artifact.source.text()
    }

    /// The port of the service it was rendered for, when known.
    pub fn port(&self) -> Option<u16> {
        self.artifact.service().map(|s| s.port)
    }

    /// A finding at `needle` inside `inst` (at its keyword when the needle is not found).
    pub fn at(
        &self,
        rule: &'static Rule,
        inst: &Instruction,
        needle: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let raw = self.text().get(inst.span.start..inst.span.end).unwrap_or_default();
        let span = needle
            .and_then(|n| raw.find(n).map(|i| Span::new(inst.span.start + i, inst.span.start + i + n.len())))
            .unwrap_or_else(|| Span::new(inst.span.start, inst.span.start + inst.keyword.len()));
        Diagnostic::new(rule, self.file(), Some(span), message)
    }
}

/// Whether a file name is a Dockerfile's (or a Containerfile's).
pub fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// `$NAME` and `${NAME}` in `word` replaced by their values in `vars`, in one pass; unknown
/// names are left as written.
pub fn expand_vars(word: &str, vars: &std::collections::HashMap<String, String>) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail, braced) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(end) => (&inner[..end], &inner[end + 1..], true),
                None => ("", after, false),
            },
            None => {
                let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (&after[..end], &after[end..], false)
            }
        };
        match vars.get(name).filter(|_| !name.is_empty()) {
            Some(value) => out.push_str(value),
            None if braced => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
            None => {
                out.push('$');
                out.push_str(name);
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
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
