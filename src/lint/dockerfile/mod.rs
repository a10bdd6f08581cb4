//! The Dockerfile family: recognised by name, parsed as BuildKit parses it, one file per rule.

pub mod parser;
mod rules;

use std::collections::HashMap;

pub use rules::CHECKS;

use super::{Artifact, Emit, Family, Recognition, drive};
use crate::diag::{Diagnostic, Rule, Span};
use crate::text::shell::{self, Command};
use parser::{Dockerfile, Instruction, unquote};

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

    /// The lines BuildKit skips as comments (a `#` line inside a continued instruction too),
    /// not a heredoc's lines; none when the file does not parse.
    fn comments(&self, text: &str) -> Vec<Span> {
        parser::parse(text).map(|df| df.comments).unwrap_or_default()
    }

    fn recognises(&self, path: &str, _text: &str) -> Recognition {
        if is_dockerfile(super::file_name(path)) { Recognition::Yes } else { Recognition::No }
    }

    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        let parse = |a: &Artifact| Document::new(a.clone());
        drive(CHECKS, files, parse, &mut |file, mut found| {
            found.sort_by_key(|d| d.span);
            emit(file, found)
        });
    }
}

/// What a Dockerfile rule sees: the parsed file, where it came from, and the shell commands
/// of its `RUN` instructions.
pub struct Document {
    pub artifact: Artifact,
    /// The file as BuildKit reads it; empty when it does not parse (DF010 says why).
    pub dockerfile: Dockerfile,
    /// The simple commands of each instruction's shell text, by instruction index.
    commands: Vec<Vec<Command>>,
    /// The file's syntax error, reported as DF010.
    pub syntax_error: Option<parser::SyntaxError>,
}

impl Document {
    /// Parses an artifact.
    pub fn new(artifact: Artifact) -> Document {
        let (dockerfile, syntax_error) = match parser::parse(artifact.source.text()).and_then(has_a_stage) {
            Ok(df) => (df, None),
            Err(e) => (Dockerfile::default(), Some(e)),
        };
        let commands = dockerfile.instructions.iter().map(shell_commands).collect();
        Document { artifact, dockerfile, commands, syntax_error }
    }

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

    /// Every instruction with the simple commands its shell text runs (`RUN`, shell-form `CMD`
    /// and `ENTRYPOINT`, heredoc scripts included; none for other instructions).
    pub fn with_commands(&self) -> impl Iterator<Item = (&Instruction, &[Command])> {
        self.dockerfile.instructions.iter().zip(self.commands.iter().map(Vec::as_slice))
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
        // The keyword may come after line continuations; ASCII upper-casing keeps offsets.
        let keyword = raw.to_ascii_uppercase().find(&inst.keyword).unwrap_or(0);
        let span = needle
            .and_then(|n| raw.find(n).map(|i| Span::new(inst.span.start + i, inst.span.start + i + n.len())))
            .unwrap_or_else(|| {
                let start = inst.span.start + keyword;
                Span::new(start, (start + inst.keyword.len()).min(inst.span.end))
            });
        Diagnostic::new(rule, self.file(), Some(span), message)
    }

    /// A finding at the last place `needle` is written inside `inst` (an instruction's last
    /// word, which may also be written earlier in it).
    pub fn at_last(
        &self,
        rule: &'static Rule,
        inst: &Instruction,
        needle: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let raw = self.text().get(inst.span.start..inst.span.end).unwrap_or_default();
        match raw.rfind(needle) {
            Some(i) => Diagnostic::new(
                rule,
                self.file(),
                Some(Span::new(inst.span.start + i, inst.span.start + i + needle.len())),
                message,
            ),
            None => self.at(rule, inst, None, message),
        }
    }

    /// The variables in scope at each instruction of a stage, as Docker expands them in
    /// `FROM`, `USER`, `EXPOSE`...: global `ARG`s (before the first `FROM`) for `FROM`; in a
    /// stage, its `ARG`s (a bare `ARG NAME` takes the global default) and `ENV`s so far.
    pub fn scope(&self) -> Scope<'_> {
        Scope { doc: self, globals: HashMap::new(), vars: HashMap::new(), next: 0, stage: None }
    }
}

/// Variables in scope, walked forward through the file.
pub struct Scope<'a> {
    doc: &'a Document,
    globals: HashMap<String, String>,
    vars: HashMap<String, String>,
    next: usize,
    stage: Option<usize>,
}

impl Scope<'_> {
    /// Moves the scope to just before `inst` (instructions must be visited in order).
    pub fn before(&mut self, inst: &Instruction) -> &HashMap<String, String> {
        let escape = self.doc.dockerfile.escape;
        while let Some(i) = self.doc.dockerfile.instructions.get(self.next) {
            if std::ptr::eq(i, inst) {
                break;
            }
            self.next += 1;
            match i.keyword.as_str() {
                "FROM" => {
                    self.stage = Some(i.stage);
                    self.vars.clear();
                }
                "ARG" => {
                    for word in &i.args {
                        let (name, value) = match word.split_once('=') {
                            Some((n, v)) => (n.to_string(), Some(unquote(v, escape))),
                            None => (word.clone(), None),
                        };
                        if self.stage.is_none() {
                            self.globals.insert(name, value.unwrap_or_default());
                        } else if let Some(v) = value.or_else(|| self.globals.get(&name).cloned()) {
                            let v = expand_vars(&v, &self.vars);
                            self.vars.insert(name, v);
                        }
                    }
                }
                "ENV" => {
                    for (name, value) in i.pairs() {
                        let v = expand_vars(&unquote(value, escape), &self.vars);
                        self.vars.insert(name.to_string(), v);
                    }
                }
                _ => {}
            }
        }
        if self.stage.is_none() || inst.keyword == "FROM" { &self.globals } else { &self.vars }
    }
}

/// The file, when it builds a stage: BuildKit refuses an instruction before the first `FROM`
/// (only `ARG` may come first) and a file of `ARG`s alone. Its parser reads such a file (its
/// own test corpus has many); building it is what fails.
fn has_a_stage(df: Dockerfile) -> Result<Dockerfile, parser::SyntaxError> {
    match df.instructions.iter().find(|i| i.keyword != "ARG") {
        Some(first) if first.keyword == "FROM" => Ok(df),
        Some(first) => Err(parser::SyntaxError {
            message: format!(
                "`{}` comes before any `FROM`: no build stage in current context (only `ARG` may come before the first `FROM`)",
                first.keyword
            ),
            span: first.span,
        }),
        None => {
            let at = df.instructions.last().map_or(0, |i| i.span.end);
            Err(parser::SyntaxError {
                message: "the Dockerfile has no `FROM`: it contains no stage to build".into(),
                span: crate::diag::Span::new(at, at),
            })
        }
    }
}

/// The simple commands of an instruction's shell text. A `RUN` whose line is only heredoc
/// openers runs the heredocs as its script; otherwise heredocs are input to its commands.
fn shell_commands(inst: &Instruction) -> Vec<Command> {
    if !matches!(inst.keyword.as_str(), "RUN" | "CMD" | "ENTRYPOINT") {
        return Vec::new();
    }
    let Some(line) = inst.shell() else { return Vec::new() };
    let only_heredocs = !inst.heredocs.is_empty()
        && line.split_whitespace().all(|w| w.trim_start_matches(|c: char| c.is_ascii_digit()).starts_with("<<"));
    if only_heredocs {
        return inst.heredocs.iter().flat_map(|h| shell::commands(&h.content)).collect();
    }
    let mut script = line.to_string();
    for h in &inst.heredocs {
        script.push('\n');
        script.push_str(&h.content);
        script.push_str(&h.name);
    }
    shell::commands(&script)
}

/// Endings of files named like Dockerfiles that are not one: templates for another tool
/// (`Dockerfile.j2`, `Dockerfile.tmpl`), which render a Dockerfile and do not parse as one,
/// and BuildKit's per-Dockerfile ignore file (`Dockerfile.dockerignore`).
const NOT_DOCKERFILES: [&str; 10] =
    [".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".erb", ".mustache", ".hbs", ".dockerignore"];

/// Whether a file name is a Dockerfile's (or a Containerfile's).
pub fn is_dockerfile(name: &str) -> bool {
    let named = name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile");
    named && !NOT_DOCKERFILES.iter().any(|end| name.ends_with(end))
}

/// `word` without the one pair of quotes (`"..."` or `'...'`) that encloses it, if any: a
/// destination or source as BuildKit's word processing reads it.
pub fn unquoted(word: &str) -> &str {
    let bytes = word.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&q @ (b'"' | b'\'')), Some(&end)) if word.len() > 1 && q == end => &word[1..word.len() - 1],
        _ => word,
    }
}

/// `$NAME`, `${NAME}`, `${NAME:-word}` and `${NAME:+word}` in `word` replaced from `vars`, in
/// one pass; unknown names are left as written.
pub fn expand_vars(word: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let body = &inner[..end];
            let (name, op, alt) = match body.find(":-").or_else(|| body.find(":+")) {
                Some(k) => (&body[..k], &body[k..k + 2], &body[k + 2..]),
                None => (body, "", ""),
            };
            match (vars.get(name), op) {
                (Some(v), ":+") if !v.is_empty() => out.push_str(alt),
                (_, ":+") => {}
                (Some(v), _) if !v.is_empty() || op.is_empty() => out.push_str(v),
                (_, ":-") => out.push_str(alt),
                _ => {
                    out.push_str("${");
                    out.push_str(body);
                    out.push('}');
                }
            }
            rest = &inner[end + 1..];
        } else {
            let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            match vars.get(&after[..end]).filter(|_| end > 0) {
                Some(v) => out.push_str(v),
                None => {
                    out.push('$');
                    out.push_str(&after[..end]);
                }
            }
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_expand_in_every_written_form() {
        let vars = HashMap::from([("A".to_string(), "x".to_string()), ("E".to_string(), String::new())]);
        assert_eq!(expand_vars("$A-${A}-${B:-d}-${A:+set}-${B:+no}-$B-${E:-e}", &vars), "x-x-d-set--$B-e");
    }
}
