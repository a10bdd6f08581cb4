//! A Dockerfile parser that reads files as BuildKit (Docker's own builder) does: parser
//! directives, the escape character, continuation lines (comments and empty lines inside them
//! skipped), flags, each instruction's argument rules (JSON or shell form, `KEY=value` and the
//! legacy `KEY value`, `HEALTHCHECK`, `ONBUILD`), and heredocs. `tests/it/buildkit.rs` holds it to
//! BuildKit's own test corpus: the same instructions, flags and arguments for every file
//! BuildKit reads, an error for every file it refuses.
//!
//! There is no maintained Rust crate for this: `dockerfile-parser` (a pest grammar, last
//! released 2021) reads continuations, heredocs and the legacy forms otherwise than BuildKit.

use crate::diag::Span;
/// Shared with the shell reader of `RUN` and workflow scripts.
pub use crate::text::shell::unquote;

/// The longest line BuildKit reads (Go's `bufio.MaxScanTokenSize`, less the newline).
pub const MAX_LINE: usize = 64 * 1024 - 1;

/// A heredoc attached to an instruction (`RUN <<EOF ... EOF`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// The lines between the opener and the terminator, each with its newline.
    pub content: String,
    /// `<<-`: leading tabs are stripped (from the terminator when matching, and from content).
    pub chomp: bool,
    /// Whether variables in the content are expanded (the delimiter was not quoted).
    pub expand: bool,
}

/// One instruction, as BuildKit's parser makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: `FROM`, `RUN`...
    pub keyword: String,
    /// Leading flags as written (`--from=builder`, `--mount=type=cache,target=/root/.cache`).
    pub flags: Vec<String>,
    /// The arguments after BuildKit's rules for this instruction: the words of a JSON form,
    /// the one string of a shell form, `key`, `value`, `=` (or `""` in the legacy form) for each
    /// pair of `ENV` and `LABEL`, the whitespace-separated words of `FROM` or `EXPOSE`...
    pub args: Vec<String>,
    /// Whether the arguments were a JSON array (exec form).
    pub json: bool,
    /// The instruction's text with continuation lines joined, as BuildKit dispatches it.
    pub original: String,
    pub heredocs: Vec<Heredoc>,
    /// The instruction an `ONBUILD` wraps.
    pub sub: Option<Box<Instruction>>,
    /// From the keyword to the end of the instruction (heredoc bodies included).
    pub span: Span,
    /// Index of the build stage (`FROM` count so far, from 0; 0 also before the first `FROM`).
    pub stage: usize,
}

impl Instruction {
    /// The values of every `--name` flag (`--name=value`, or `""` for a bare `--name`).
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags.iter().filter_map(move |f| {
            let body = f.strip_prefix("--")?;
            let (key, value) = body.split_once('=').unwrap_or((body, ""));
            key.eq_ignore_ascii_case(name).then_some(value)
        })
    }

    /// The value of the first `--name` flag.
    pub fn flag<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.flag_values(name).next()
    }

    /// The shell text of a shell-form `RUN`, `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD`.
    pub fn shell(&self) -> Option<&str> {
        match self.keyword.as_str() {
            _ if self.json => None,
            "RUN" | "CMD" | "ENTRYPOINT" => self.args.first().map(String::as_str),
            "HEALTHCHECK" if self.args.first().is_some_and(|t| t.eq_ignore_ascii_case("CMD")) => {
                self.args.get(1).map(String::as_str)
            }
            _ => None,
        }
    }

    /// The words of an exec-form (JSON) instruction.
    pub fn exec(&self) -> Option<&[String]> {
        match self.keyword.as_str() {
            "HEALTHCHECK" if self.json => self.args.get(1..),
            _ if self.json => Some(&self.args),
            _ => None,
        }
    }

    /// The `(key, value)` pairs of an `ENV` or `LABEL`, values as written (quotes kept).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        let pairs = matches!(self.keyword.as_str(), "ENV" | "LABEL");
        self.args.chunks(3).filter(move |_| pairs).map(|c| (c[0].as_str(), c.get(1).map_or("", String::as_str)))
    }

    /// Every argument joined, with heredoc contents appended: the text rules search.
    pub fn text(&self) -> String {
        let mut s = self.args.join(" ");
        for h in &self.heredocs {
            s.push('\n');
            s.push_str(&h.content);
        }
        s
    }
}

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    /// The escape character (`\`, or `` ` `` with `# escape=`).
    pub escape: char,
    /// Continuation lines that were empty: BuildKit warns that they will become errors.
    pub empty_continuation_lines: Vec<Span>,
    /// The comments, each from its `#` to the end of its line: lines that start with `#`
    /// (after blanks), between instructions or inside a continued one. A `#` line of a heredoc
    /// is the heredoc's content, and a `#` after an instruction's first word is its argument.
    pub comments: Vec<Span>,
}

impl Dockerfile {
    /// The instructions of the last stage (the image that ships).
    pub fn final_stage(&self) -> impl Iterator<Item = &Instruction> {
        let last = self.instructions.iter().map(|i| i.stage).max().unwrap_or(0);
        self.instructions.iter().filter(move |i| i.stage == last)
    }
}

/// Why BuildKit would refuse a Dockerfile, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// One line of the file: its start offset and its text without the line break.
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

/// Go's `unicode.IsSpace` (the Unicode White_Space property, as Rust's `is_whitespace`).
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.IsSpace(rune(b))` on one byte, as BuildKit's flag scanner reads bytes.
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// BuildKit's `[\t\v\f\r ]` whitespace between words.
fn is_token_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Splits at runs of `[\t\v\f\r ]`, at most `limit` pieces (0: no limit), like Go's
/// `regexp.Split`.
fn split_token_space(s: &str, limit: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        if limit != 0 && out.len() + 1 == limit {
            out.push(rest);
            return out;
        }
        match rest.find(is_token_space) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = rest[i..].trim_start_matches(is_token_space);
            }
            None => {
                out.push(rest);
                return out;
            }
        }
    }
}

/// Parser directives at the top (`# escape=`, `# syntax=`, `# check=`).
struct Directives {
    escape: char,
    done: bool,
    seen: Vec<String>,
}

impl Directives {
    fn line(&mut self, line: &str) -> Result<(), String> {
        if self.done {
            return Ok(());
        }
        // `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
        let parsed = line.strip_prefix('#').and_then(|rest| {
            let rest = rest.trim_start_matches(is_space);
            let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
            let name = &rest[..name_len];
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return None;
            }
            let value = rest[name_len..].trim_start_matches(is_space).strip_prefix('=')?;
            let value = value.trim_matches(is_space);
            (!value.is_empty()).then(|| (name.to_ascii_lowercase(), value.to_string()))
        });
        let Some((name, value)) = parsed.filter(|(n, _)| matches!(n.as_str(), "escape" | "syntax" | "check")) else {
            self.done = true;
            return Ok(());
        };
        if self.seen.contains(&name) {
            return Err(format!("only one {name} parser directive can be used"));
        }
        self.seen.push(name.clone());
        if name == "escape" {
            self.escape = match value.as_str() {
                "`" => '`',
                "\\" => '\\',
                _ => return Err(format!("invalid escape token '{value}' does not match ` or \\")),
            };
        }
        Ok(())
    }
}

/// Whether a line, trimmed at the left, is a comment.
fn is_comment(line: &str) -> bool {
    line.trim_start_matches(is_space).starts_with('#')
}

/// The line without its continuation character, and whether the instruction ends here:
/// BuildKit's `([^\\])\\[ \t]*$|^\\[ \t]*$` (with the escape character).
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    let Some(body) = t.strip_suffix(escape) else { return (line, true) };
    match body.chars().next_back() {
        None => ("", false),
        Some(c) if c == escape => (line, true),
        Some(_) => (body, false),
    }
}

/// `--flag` words before the arguments (BuildKit's `extractBuilderFlags`): the rest of the
/// line, and the flags. Quotes and backslashes inside a flag are read as BuildKit does.
fn extract_flags(line: &str) -> (&str, Vec<String>) {
    let bytes = line.as_bytes();
    let mut flags = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut blank_ok = false;
    let mut in_word = false;
    let mut quote: Option<u8> = None;
    let mut pos = 0;
    let push = |flags: &mut Vec<String>, word: &mut Vec<u8>| {
        flags.push(String::from_utf8_lossy(word).into_owned());
        word.clear();
    };
    while pos <= bytes.len() {
        let ch = bytes.get(pos).copied();
        if !in_word && quote.is_none() {
            let Some(c) = ch else { break };
            if is_space_byte(c) {
                pos += 1;
                continue;
            }
            if c != b'-' || bytes.get(pos + 1) != Some(&b'-') {
                return (&line[pos..], flags);
            }
            in_word = true;
        }
        let Some(c) = ch else {
            if word != b"--" && (blank_ok || !word.is_empty()) {
                push(&mut flags, &mut word);
            }
            break;
        };
        match quote {
            None => {
                if is_space_byte(c) {
                    in_word = false;
                    if word == b"--" {
                        return (&line[pos..], flags);
                    }
                    if blank_ok || !word.is_empty() {
                        push(&mut flags, &mut word);
                    }
                    blank_ok = false;
                } else if c == b'\'' || c == b'"' {
                    quote = Some(c);
                    blank_ok = true;
                } else if c == b'\\' {
                    if pos + 1 < bytes.len() {
                        pos += 1;
                        word.push(bytes[pos]);
                    }
                } else {
                    word.push(c);
                }
            }
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == b'\\' {
                    if pos + 1 == bytes.len() {
                        quote = None;
                    } else {
                        pos += 1;
                        word.push(bytes[pos]);
                    }
                } else {
                    word.push(c);
                }
            }
        }
        pos += 1;
    }
    ("", flags)
}

/// The keyword, flags and arguments of a line (BuildKit's `splitCommand`).
fn split_command(line: &str) -> (String, Vec<String>, String) {
    let trimmed = line.trim_matches(is_space);
    let parts = split_token_space(trimmed, 2);
    let keyword = parts[0].to_ascii_uppercase();
    match parts.get(1) {
        Some(rest) => {
            let (args, flags) = extract_flags(rest);
            (keyword, flags, args.trim_matches(is_space).to_string())
        }
        None => (keyword, Vec::new(), String::new()),
    }
}

const NOT_STRING_ARRAY: &str = "when using JSON array syntax, arrays must be comprised of strings only";

/// A JSON array of strings at the start of `rest` (trailing text ignored, as Go's decoder
/// does). `Err(true)` for an array of something else, which BuildKit refuses.
fn parse_json(rest: &str) -> Result<Vec<String>, bool> {
    let rest = rest.trim_start_matches(is_space);
    if !rest.starts_with('[') {
        return Err(false);
    }
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    let Some(Ok(serde_json::Value::Array(items))) = stream.next() else { return Err(false) };
    items.into_iter().map(|v| if let serde_json::Value::String(s) = v { Ok(s) } else { Err(true) }).collect()
}

/// Words of `KEY=value` lists, quotes and escapes kept (BuildKit's `parseWords`).
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut in_word, mut quote, mut blank_ok) = (false, None::<char>, false);
    let mut i = 0;
    while i <= chars.len() {
        let at_end = i == chars.len();
        let ch = chars.get(i).copied().unwrap_or('\0');
        if !in_word && quote.is_none() {
            if at_end {
                break;
            }
            if is_space(ch) {
                i += 1;
                continue;
            }
            in_word = true;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            break;
        }
        match quote {
            None => {
                if is_space(ch) {
                    in_word = false;
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    blank_ok = false;
                    i += 1;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    if i + 1 == chars.len() {
                        i += 1;
                        continue;
                    }
                    word.push(ch);
                    i += 1;
                }
                word.push(chars[i]);
            }
            Some(q) => {
                let mut c = ch;
                if c == q {
                    quote = None;
                }
                if c == escape && q != '\'' {
                    if i + 1 == chars.len() {
                        quote = None;
                        i += 1;
                        continue;
                    }
                    word.push(c);
                    i += 1;
                    c = chars[i];
                }
                word.push(c);
            }
        }
        i += 1;
    }
    words
}

/// `ENV` and `LABEL`: `key value` (legacy) or `key=value ...`, each pair as key, value, sep.
fn parse_name_val(rest: &str, keyword: &str, escape: char) -> Result<Vec<String>, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else { return Ok(Vec::new()) };
    if !first.contains('=') {
        let parts = split_token_space(rest, 2);
        if parts.len() < 2 {
            return Err(format!("{keyword} must have two arguments"));
        }
        return Ok(vec![parts[0].to_string(), parts[1].to_string(), String::new()]);
    }
    let mut out = Vec::new();
    for word in words {
        let Some((k, v)) = word.split_once('=') else {
            return Err(format!("Syntax error - can't find = in {word:?}. Must be of the form: name=value"));
        };
        out.extend([k.to_string(), v.to_string(), "=".to_string()]);
    }
    Ok(out)
}

/// The arguments of one instruction after BuildKit's rules for it: (args, json, sub).
type Parsed = (Vec<String>, bool, Option<Box<Instruction>>);

fn dispatch(keyword: &str, rest: &str, escape: char) -> Result<Parsed, String> {
    let maybe_json = |rest: &str| -> Result<Parsed, String> {
        if rest.is_empty() {
            return Ok((Vec::new(), false, None));
        }
        match parse_json(rest) {
            Ok(words) => Ok((words, true, None)),
            Err(true) => Err(NOT_STRING_ARRAY.to_string()),
            Err(false) => Ok((vec![rest.to_string()], false, None)),
        }
    };
    let words = |rest: &str| -> Vec<String> {
        if rest.is_empty() { Vec::new() } else { split_token_space(rest, 0).into_iter().map(str::to_string).collect() }
    };
    match keyword {
        "ADD" | "COPY" | "VOLUME" => match parse_json(rest) {
            Ok(list) => Ok((list, true, None)),
            Err(true) => Err(NOT_STRING_ARRAY.to_string()),
            Err(false) => Ok((words(rest), false, None)),
        },
        "ARG" => Ok((parse_words(rest, escape), false, None)),
        "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" => maybe_json(rest),
        "ENV" | "LABEL" => Ok((parse_name_val(rest, keyword, escape)?, false, None)),
        "EXPOSE" | "FROM" => Ok((words(rest), false, None)),
        "HEALTHCHECK" => {
            let sep = rest.find(is_space).unwrap_or(rest.len());
            if sep == 0 {
                return Ok((Vec::new(), false, None));
            }
            let kind = rest[..sep].to_string();
            let (mut cmd, json, _) = maybe_json(rest[sep..].trim_start_matches(is_space))?;
            cmd.insert(0, kind);
            Ok((cmd, json, None))
        }
        "MAINTAINER" | "STOPSIGNAL" | "USER" | "WORKDIR" => {
            Ok((if rest.is_empty() { Vec::new() } else { vec![rest.to_string()] }, false, None))
        }
        "ONBUILD" => {
            if rest.is_empty() {
                return Ok((Vec::new(), false, None));
            }
            let sub = instruction(rest, escape, Span::default(), 0)?;
            Ok((Vec::new(), false, Some(Box::new(sub))))
        }
        // BuildKit keeps unknown instructions with one empty argument, for its checks to report.
        _ => Ok((vec![String::new()], false, None)),
    }
}

fn instruction(line: &str, escape: char, span: Span, stage: usize) -> Result<Instruction, String> {
    let (keyword, flags, rest) = split_command(line);
    let (args, json, sub) = dispatch(&keyword, &rest, escape)?;
    Ok(Instruction { keyword, flags, args, json, original: line.to_string(), heredocs: Vec::new(), sub, span, stage })
}

/// Words of a line as BuildKit's shell lexer gives them with quotes and escapes kept: split at
/// unquoted whitespace, `${...}` whole. `None` for an unterminated quote (BuildKit then finds
/// no heredoc).
fn raw_words(line: &str) -> Option<Vec<&str>> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                if let Some(s) = start.take() {
                    words.push(&line[s..i]);
                }
                i += 1;
                continue;
            }
            _ => {
                start.get_or_insert(i);
            }
        }
        match c {
            b'\\' => i += 2,
            b'\'' => i += 1 + line[i + 1..].find('\'')? + 1,
            b'"' => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j)? {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                i = j + 1;
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => i += 2 + line[i + 2..].find('}')? + 1,
            _ => i += 1,
        }
    }
    if let Some(s) = start {
        words.push(&line[s..line.len().min(bytes.len())]);
    }
    Some(words)
}

/// The heredocs a line opens (BuildKit's `heredocsFromLine`): words `[N]<<[-]NAME`, NAME one
/// word, unexpanded when any part of it is quoted.
fn heredoc_openers(line: &str) -> Vec<Heredoc> {
    let Some(words) = raw_words(line) else { return Vec::new() };
    let mut out = Vec::new();
    for word in words {
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        let Some(rest) = word[digits..].strip_prefix("<<") else { continue };
        let (chomp, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let Some(inner) = raw_words(rest).filter(|w| w.len() == 1) else { continue };
        let name = unquote(inner[0], '\\');
        let expand = !rest.contains(['\'', '"']);
        out.push(Heredoc { name, content: String::new(), chomp, expand });
    }
    out
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        out.push(Line { start, text: piece.trim_end_matches(['\r', '\n']) });
        start += piece.len();
    }
    out
}

/// Parses a Dockerfile the way BuildKit does, or says why BuildKit would refuse it.
pub fn parse(text: &str) -> Result<Dockerfile, SyntaxError> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_no_bom.len();
    let all = lines(text_no_bom);
    let shift = |s: usize| s + bom;
    let mut directives = Directives { escape: '\\', done: false, seen: Vec::new() };
    let mut out = Dockerfile { escape: '\\', ..Dockerfile::default() };
    let mut stage = 0usize;
    let mut seen_from = false;
    let error = |line: &Line<'_>, message: String| SyntaxError {
        message,
        span: Span::new(shift(line.start), shift(line.start + line.text.len())),
    };
    let mut i = 0;
    while i < all.len() {
        let first = all[i];
        if first.text.len() > MAX_LINE {
            return Err(error(&first, format!("a line longer than {MAX_LINE} bytes, the most Docker reads")));
        }
        let trimmed = first.text.trim_start_matches(is_space);
        directives.line(trimmed).map_err(|m| error(&first, m))?;
        out.escape = directives.escape;
        let escape = directives.escape;
        i += 1;
        let content = if trimmed.starts_with('#') {
            let at = first.start + (first.text.len() - trimmed.len());
            out.comments.push(Span::new(shift(at), shift(first.start + first.text.len())));
            ""
        } else {
            trimmed
        };
        let (head, mut ended) = trim_continuation(content, escape);
        if ended && head.is_empty() {
            continue;
        }
        let start = shift(first.start + (first.text.len() - trimmed.len()));
        let mut end = shift(first.start + first.text.len());
        let mut joined = head.to_string();
        while !ended && i < all.len() {
            let next = all[i];
            if next.text.len() > MAX_LINE {
                return Err(error(&next, format!("a line longer than {MAX_LINE} bytes, the most Docker reads")));
            }
            directives.line(next.text).map_err(|m| error(&next, m))?;
            i += 1;
            if is_comment(next.text) {
                let at = next.start + (next.text.len() - next.text.trim_start_matches(is_space).len());
                out.comments.push(Span::new(shift(at), shift(next.start + next.text.len())));
                continue;
            }
            let body = if next.text.starts_with('#') { "" } else { next.text };
            if body.trim_start_matches(is_space).is_empty() {
                out.empty_continuation_lines.push(Span::new(shift(next.start), shift(next.start)));
                continue;
            }
            let (part, done) = trim_continuation(body, escape);
            joined.push_str(part);
            ended = done;
            end = shift(next.start + next.text.len());
        }
        let here = Span::new(start, end);
        let fail = |message: String| SyntaxError { message, span: here };
        let mut inst = instruction(&joined, escape, here, stage).map_err(fail)?;
        if inst.keyword == "FROM" {
            if seen_from {
                stage += 1;
            }
            seen_from = true;
            inst.stage = stage;
        }
        let heredoc_host = match &inst.sub {
            Some(sub) if inst.keyword == "ONBUILD" => sub.as_ref(),
            _ => &inst,
        };
        if matches!(heredoc_host.keyword.as_str(), "RUN" | "COPY" | "ADD") && !heredoc_host.json {
            for mut doc in heredoc_openers(&joined) {
                let mut terminated = false;
                while i < all.len() {
                    let line = all[i];
                    i += 1;
                    end = shift(line.start + line.text.len());
                    let candidate = if doc.chomp { line.text.trim_start_matches('\t') } else { line.text };
                    if candidate == doc.name {
                        terminated = true;
                        break;
                    }
                    let full_end = all.get(i).map_or(text_no_bom.len(), |n| n.start);
                    doc.content.push_str(&text_no_bom[line.start..full_end]);
                }
                if !terminated {
                    return Err(SyntaxError { message: "unterminated heredoc".into(), span: Span::new(start, end) });
                }
                inst.heredocs.push(doc);
            }
            inst.span = Span::new(start, end);
        }
        out.instructions.push(inst);
    }
    if out.instructions.is_empty() {
        let at = text.len();
        return Err(SyntaxError { message: "the Dockerfile has no instructions".into(), span: Span::new(at, at) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_forms_are_understood() {
        let text = "# syntax=docker/dockerfile:1\nFROM python:3.12 AS b\nRUN apt-get update \\\n  # a comment\n\n  && apt-get install -y curl\nCMD [\"gunicorn\", \"app:app\"]\n";
        let df = parse(text).unwrap();
        assert_eq!(df.instructions.len(), 3);
        assert_eq!(df.instructions[1].args, ["apt-get update   && apt-get install -y curl"]);
        assert_eq!(df.empty_continuation_lines.len(), 1);
        assert!(df.instructions[2].json);
        assert_eq!(df.instructions[2].args, ["gunicorn", "app:app"]);
        let run = &df.instructions[1];
        assert!(
            text[run.span.start..run.span.end].starts_with("RUN")
                && text[run.span.start..run.span.end].ends_with("curl")
        );
    }

    #[test]
    fn heredocs_and_flags_are_understood() {
        let text = "FROM a\nFROM b\nCOPY --from=0 --chown=app /x /y\nRUN <<EOF\npip install x\nEOF\nUSER app\n";
        let df = parse(text).unwrap();
        assert_eq!(df.instructions[2].flags, ["--from=0", "--chown=app"]);
        assert_eq!(df.instructions[2].flag("chown"), Some("app"));
        assert_eq!(df.instructions[3].heredocs[0].content, "pip install x\n");
        assert_eq!(df.instructions[4].keyword, "USER");
        assert_eq!(df.final_stage().count(), 4);
    }

    #[test]
    fn a_shift_inside_quotes_is_not_a_heredoc() {
        let df = parse("FROM a\nRUN python -c \"print(1<<20)\"\nUSER root\n").unwrap();
        assert!(df.instructions[1].heredocs.is_empty());
        assert_eq!(df.instructions[2].args, ["root"]);
    }

    #[test]
    fn an_escape_directive_changes_the_continuation_character() {
        let df = parse("# escape=`\nFROM a\nRUN echo `\n  done\n").unwrap();
        assert_eq!(df.instructions[1].args, ["echo   done"]);
    }

    #[test]
    fn files_buildkit_refuses_are_errors() {
        assert!(parse("").is_err());
        assert!(parse("# only a comment\n").is_err());
        assert!(parse("FROM a\nENV PATH\n").is_err());
        assert!(parse("CMD [\"a\", [\"b\"]]\n").is_err());
        assert!(parse("FROM a\nRUN <<EOF\nno end\n").is_err());
    }
}
