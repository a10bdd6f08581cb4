//! A Dockerfile parser: continuation lines, comments, parser directives, exec and shell form,
//! flags, and heredocs, with the byte span of every instruction.

use crate::diag::Span;

/// The arguments of an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Form {
    /// `["executable", "arg"]`.
    Exec(Vec<String>),
    /// Anything else, continuation lines joined.
    Shell(String),
}

/// A heredoc attached to an instruction (`RUN <<EOF ... EOF`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    pub body: String,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: `FROM`, `RUN`...
    pub keyword: String,
    /// Leading `--name=value` flags (`--from=builder`, `--chown=app`, `--mount=...`).
    pub flags: Vec<(String, String)>,
    pub form: Form,
    pub heredocs: Vec<Heredoc>,
    /// From the keyword to the end of the instruction (heredoc bodies included).
    pub span: Span,
    /// Index of the build stage (`FROM` count so far, from 0).
    pub stage: usize,
}

impl Instruction {
    /// The arguments as one string (exec-form words joined by spaces), heredoc bodies appended.
    pub fn text(&self) -> String {
        let mut s = match &self.form {
            Form::Exec(words) => words.join(" "),
            Form::Shell(s) => s.clone(),
        };
        for h in &self.heredocs {
            s.push('\n');
            s.push_str(&h.body);
        }
        s
    }
}

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
}

impl Dockerfile {
    /// The instructions of the last stage (the image that ships).
    pub fn final_stage(&self) -> impl Iterator<Item = &Instruction> {
        let last = self.instructions.iter().map(|i| i.stage).max().unwrap_or(0);
        self.instructions.iter().filter(move |i| i.stage == last)
    }
}

struct Line<'a> {
    start: usize,
    text: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        out.push(Line { start, text: piece.trim_end_matches(['\n', '\r']) });
        start += piece.len();
    }
    out
}

/// The escape character from an `# escape=` parser directive at the top (default `\`).
fn escape_char(lines: &[Line<'_>]) -> char {
    for line in lines {
        let t = line.text.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let d = d.trim();
        if let Some((k, v)) = d.split_once('=') {
            if k.trim().eq_ignore_ascii_case("escape") {
                return v.trim().chars().next().unwrap_or('\\');
            }
            continue;
        }
        break;
    }
    '\\'
}

/// Heredoc openers in an instruction's first line: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`.
fn heredoc_openers(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("<<") {
        rest = &rest[i + 2..];
        let strip = rest.starts_with('-');
        let r = rest.trim_start_matches('-');
        let (quoted, r) = match r.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &r[1..]),
            _ => (None, r),
        };
        let name: String = r.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        if let Some(q) = quoted
            && !r[name.len()..].starts_with(q)
        {
            continue;
        }
        out.push((name, strip));
    }
    out
}

fn parse_exec(args: &str) -> Option<Vec<String>> {
    let t = args.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

/// Splits leading `--flag=value` words off the arguments.
fn split_flags(args: &str) -> (Vec<(String, String)>, &str) {
    let mut flags = Vec::new();
    let mut rest = args.trim_start();
    while let Some(after) = rest.strip_prefix("--") {
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let word = &after[..end];
        let (k, v) = word.split_once('=').unwrap_or((word, ""));
        flags.push((k.to_ascii_lowercase(), v.to_string()));
        rest = after[end..].trim_start();
    }
    (flags, rest)
}

/// Parses a Dockerfile. Never fails: text it cannot make sense of is skipped, as Docker would
/// refuse it with its own message.
pub fn parse(text: &str) -> Dockerfile {
    let lines = lines(text);
    let escape = escape_char(&lines);
    let mut out = Dockerfile::default();
    let mut stage = 0usize;
    let mut seen_from = false;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let trimmed = line.text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let start = line.start + (line.text.len() - trimmed.len());
        // Join continuation lines; comment lines inside a continuation are dropped, as Docker does.
        let mut joined = String::new();
        let mut end = line.start + line.text.len();
        let mut current = trimmed.to_string();
        loop {
            let t = current.trim_end();
            if let Some(body) = t.strip_suffix(escape) {
                joined.push_str(body);
                joined.push(' ');
                i += 1;
                while i < lines.len() && lines[i].text.trim_start().starts_with('#') {
                    i += 1;
                }
                match lines.get(i) {
                    Some(next) => {
                        current = next.text.to_string();
                        end = next.start + next.text.len();
                    }
                    None => break,
                }
            } else {
                joined.push_str(&current);
                i += 1;
                break;
            }
        }
        let (keyword, args) = match joined.trim_start().split_once(char::is_whitespace) {
            Some((k, a)) => (k.to_ascii_uppercase(), a.trim().to_string()),
            None => (joined.trim().to_ascii_uppercase(), String::new()),
        };
        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (delimiter, strip_tabs) in heredoc_openers(&args) {
                let mut body = String::new();
                while i < lines.len() {
                    let l = lines[i].text;
                    end = lines[i].start + l.len();
                    i += 1;
                    let cmp = if strip_tabs { l.trim_start_matches('\t') } else { l };
                    if cmp == delimiter {
                        break;
                    }
                    body.push_str(cmp);
                    body.push('\n');
                }
                heredocs.push(Heredoc { delimiter, body });
            }
        }
        if keyword == "FROM" {
            if seen_from {
                stage += 1;
            }
            seen_from = true;
        }
        let (flags, rest) = split_flags(&args);
        let form = match parse_exec(rest) {
            Some(words)
                if matches!(keyword.as_str(), "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "COPY" | "ADD" | "VOLUME") =>
            {
                Form::Exec(words)
            }
            _ if keyword == "HEALTHCHECK" => {
                let (_, cmd) = split_flags(rest);
                let cmd = cmd.trim_start();
                match cmd.strip_prefix("CMD").map(str::trim_start).and_then(parse_exec) {
                    Some(words) => Form::Exec(words),
                    None => Form::Shell(rest.to_string()),
                }
            }
            _ => Form::Shell(rest.to_string()),
        };
        out.instructions.push(Instruction { keyword, flags, form, heredocs, span: Span::new(start, end), stage });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_forms_are_understood() {
        let text = "# syntax=docker/dockerfile:1\nFROM python:3.12 AS b\nRUN apt-get update \\\n  # a comment\n  && apt-get install -y curl\nCMD [\"gunicorn\", \"app:app\"]\n";
        let df = parse(text);
        assert_eq!(df.instructions.len(), 3);
        assert_eq!(df.instructions[1].form, Form::Shell("apt-get update    && apt-get install -y curl".into()));
        assert_eq!(df.instructions[2].form, Form::Exec(vec!["gunicorn".into(), "app:app".into()]));
        let run = &df.instructions[1];
        assert!(
            text[run.span.start..run.span.end].starts_with("RUN")
                && text[run.span.start..run.span.end].ends_with("curl")
        );
    }

    #[test]
    fn heredocs_and_flags_are_understood() {
        let text = "FROM a\nFROM b\nCOPY --from=0 --chown=app /x /y\nRUN <<EOF\npip install x\nEOF\nUSER app\n";
        let df = parse(text);
        assert_eq!(df.instructions[2].flags, vec![("from".into(), "0".into()), ("chown".into(), "app".into())]);
        assert_eq!(df.instructions[3].heredocs[0].body, "pip install x\n");
        assert_eq!(df.instructions[4].keyword, "USER");
        assert_eq!(df.final_stage().count(), 4);
    }

    #[test]
    fn an_escape_directive_changes_the_continuation_character() {
        let df = parse("# escape=`\nFROM a\nRUN echo `\n  done\n");
        assert_eq!(df.instructions[1].form, Form::Shell("echo    done".into()));
    }
}
