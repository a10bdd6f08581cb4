//! Go's text/template syntax: a lexer for actions and a parser to a syntax tree, with the
//! checks Go makes at parse time (unknown functions, undefined variables, `break` outside
//! `range`), each located at its byte offset.

use std::collections::HashMap;
use std::sync::Arc;

use super::funcs;

/// A template's text and name, for locating errors.
#[derive(Debug)]
pub struct Source {
    /// The template's name as Helm gives it: `<chart>/templates/deployment.yaml`.
    pub name: String,
    pub text: String,
}

impl Source {
    /// Line (from 1) and column (bytes from the line's start, from 0, as Go counts it).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        (line, offset - start)
    }
}

/// A parse failure: the message and the byte offset it is at.
#[derive(Debug)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

type Result<T> = std::result::Result<T, ParseError>;

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T> {
    Err(ParseError { offset, message: message.into() })
}

/// Deepest nesting of control structures and parentheses a template may have.
pub const MAX_NESTING: usize = 100;

/// A node of a template's body.
#[derive(Debug)]
pub enum Node {
    Text(String),
    /// `{{ pipeline }}`: printed unless it declares or assigns a variable.
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    /// `{{ template "name" pipeline }}` (and a `block`'s use of its body).
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break(usize),
    Continue(usize),
}

/// The parts of `if`, `range` and `with`.
#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Vec<Node>,
}

/// A pipeline: optional variable declarations, then commands joined by `|`.
#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub decl: Vec<String>,
    /// `$x = ...` rather than `$x := ...`.
    pub assign: bool,
    pub cmds: Vec<Cmd>,
}

/// A command: a function or a value, with its arguments.
#[derive(Debug)]
pub struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// An operand of a command.
#[derive(Debug)]
pub enum Arg {
    Dot,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// `.a.b`: fields of dot.
    Field(Vec<String>),
    /// `$x.a.b`.
    Var(String, Vec<String>),
    /// A function, by name.
    Func(String),
    /// `(pipeline).a.b`.
    Sub(Box<Pipe>, Vec<String>),
}

/// A named template: `define`, `block`, or a file's own body.
#[derive(Debug)]
pub struct Define {
    pub source: Arc<Source>,
    pub body: Vec<Node>,
}

/// One parsed file: its body and the templates it defines.
pub struct Parsed {
    pub body: Vec<Node>,
    pub defines: Vec<(String, Vec<Node>)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Space,
    Ident(String),
    Keyword(&'static str),
    Field(String),
    Var(String),
    Dot,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Pipe,
    LParen,
    RParen,
    Comma,
    Declare,
    Assign,
}

/// An action's tokens, each with its byte offset.
type Tokens = Vec<(usize, Tok)>;

enum Item {
    Text(String),
    Action { pos: usize, end: usize, toks: Tokens },
}

const KEYWORDS: [&str; 10] = ["block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"];

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Splits a template into text and the tokens of each action, trim markers applied.
fn lex(text: &str) -> Result<Vec<Item>> {
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut i = 0;
    let mut trim_next = false;
    loop {
        let open = memchr::memmem::find(&bytes[i..], b"{{").map(|j| i + j);
        let mut chunk = &text[i..open.unwrap_or(text.len())];
        if trim_next {
            chunk = chunk.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
        }
        let Some(open) = open else {
            if !chunk.is_empty() {
                items.push(Item::Text(chunk.to_string()));
            }
            return Ok(items);
        };
        let mut k = open + 2;
        if bytes.get(k) == Some(&b'-') && bytes.get(k + 1).is_some_and(|&b| is_space(b)) {
            chunk = chunk.trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8));
            k += 2;
        }
        if !chunk.is_empty() {
            items.push(Item::Text(chunk.to_string()));
        }
        if text[k..].starts_with("/*") {
            let Some(close) = memchr::memmem::find(&bytes[k + 2..], b"*/").map(|j| k + 2 + j) else {
                return err(open, "unclosed comment");
            };
            let after = &text[close + 2..];
            if let Some(rest) = after
                .strip_prefix(" -}}")
                .or_else(|| after.strip_prefix("\t-}}").or(after.strip_prefix("\n-}}")).or(after.strip_prefix("\r-}}")))
            {
                trim_next = true;
                i = text.len() - rest.len();
            } else if after.starts_with("}}") {
                trim_next = false;
                i = close + 4;
            } else {
                return err(close, "comment ends before closing delimiter");
            }
            continue;
        }
        let (toks, end, trim) = lex_action(text, k, open)?;
        items.push(Item::Action { pos: open, end, toks });
        trim_next = trim;
        i = end;
    }
}

/// The tokens of one action from `start`; returns them, the offset past `}}`, and whether
/// the action ends with a trim marker.
fn lex_action(text: &str, start: usize, open: usize) -> Result<(Tokens, usize, bool)> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = start;
    loop {
        let Some(&b) = bytes.get(i) else { return err(open, "unclosed action") };
        if is_space(b) {
            if bytes.get(i + 1) == Some(&b'-') && text[i + 2..].starts_with("}}") {
                return Ok((toks, i + 4, true));
            }
            let s = i;
            while bytes.get(i).is_some_and(|&b| is_space(b)) {
                i += 1;
            }
            toks.push((s, Tok::Space));
            continue;
        }
        if text[i..].starts_with("}}") {
            return Ok((toks, i + 2, false));
        }
        let s = i;
        let tok = match b {
            b'|' => {
                i += 1;
                Tok::Pipe
            }
            b'(' => {
                i += 1;
                Tok::LParen
            }
            b')' => {
                i += 1;
                Tok::RParen
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b':' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Declare
            }
            b'=' => {
                i += 1;
                Tok::Assign
            }
            b'"' => {
                let (value, end) = quoted(text, i)?;
                i = end;
                Tok::Str(value)
            }
            b'`' => {
                let Some(close) = text[i + 1..].find('`') else { return err(i, "unterminated raw quoted string") };
                let value = text[i + 1..i + 1 + close].to_string();
                i += close + 2;
                Tok::Str(value)
            }
            b'\'' => {
                let rest = &text[i + 1..];
                let (c, len) = if let Some(r) = rest.strip_prefix('\\') {
                    let (v, l) = escape(r, i)?;
                    (v, l + 1)
                } else {
                    let c = rest
                        .chars()
                        .next()
                        .ok_or(ParseError { offset: i, message: "unterminated character constant".into() })?;
                    (c, c.len_utf8())
                };
                if rest.as_bytes().get(len) != Some(&b'\'') {
                    return err(i, "unterminated character constant");
                }
                i += len + 2;
                Tok::Int(c as i64)
            }
            b'$' => {
                i += 1;
                while bytes.get(i).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80) {
                    i += 1;
                }
                Tok::Var(text[s..i].to_string())
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let (t, end) = number(text, i)?;
                i = end;
                t
            }
            b'.' => {
                i += 1;
                while bytes.get(i).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80) {
                    i += 1;
                }
                if i == s + 1 { Tok::Dot } else { Tok::Field(text[s + 1..i].to_string()) }
            }
            b'0'..=b'9' | b'+' | b'-' => {
                let (t, end) = number(text, i)?;
                i = end;
                t
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                while bytes.get(i).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80) {
                    i += 1;
                }
                let word = &text[s..i];
                match word {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    "nil" => Tok::Nil,
                    w => match KEYWORDS.iter().find(|k| **k == w) {
                        Some(k) => Tok::Keyword(k),
                        None => Tok::Ident(w.to_string()),
                    },
                }
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or('?');
                return err(i, format!("unexpected {c:?} in command"));
            }
        };
        toks.push((s, tok));
    }
}

/// A `"..."` string from `start`, Go's escapes decoded; returns it and the offset past it.
fn quoted(text: &str, start: usize) -> Result<(String, usize)> {
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((j, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + 1 + j + 1)),
            '\n' => break,
            '\\' => {
                let rest = &text[start + 1 + j + 1..];
                let (v, len) = escape(rest, start)?;
                out.push(v);
                for _ in 0..rest[..len].chars().count() {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    err(start, "unterminated quoted string")
}

/// One escape after a backslash: the character and the bytes it took.
fn escape(rest: &str, at: usize) -> Result<(char, usize)> {
    let c = rest.chars().next().ok_or(ParseError { offset: at, message: "unterminated quoted string".into() })?;
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '"' => Some('"'),
        '\'' => Some('\''),
        _ => None,
    };
    if let Some(s) = simple {
        return Ok((s, 1));
    }
    let hex = |n: usize| -> Result<(char, usize)> {
        let digits = rest.get(1..1 + n).ok_or(ParseError { offset: at, message: "invalid escape".into() })?;
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
            .map(|c| (c, 1 + n))
            .ok_or(ParseError { offset: at, message: format!("invalid escape \\{c}{digits}") })
    };
    match c {
        'x' => hex(2),
        'u' => hex(4),
        'U' => hex(8),
        '0'..='7' => {
            let digits = rest.get(..3).ok_or(ParseError { offset: at, message: "invalid escape".into() })?;
            u32::from_str_radix(digits, 8)
                .ok()
                .and_then(char::from_u32)
                .map(|c| (c, 3))
                .ok_or(ParseError { offset: at, message: "invalid octal escape".into() })
        }
        _ => err(at, format!("unknown escape sequence \\{c}")),
    }
}

/// A number literal from `start`: an int when it has no `.`, `e` or `p` (Go's rule for
/// printing a constant), else a float64.
fn number(text: &str, start: usize) -> Result<(Tok, usize)> {
    let bytes = text.as_bytes();
    let mut i = start;
    if matches!(bytes.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let hex = text[i..].starts_with("0x") || text[i..].starts_with("0X");
    while bytes.get(i).is_some_and(|&b| {
        b.is_ascii_alphanumeric()
            || b == b'.'
            || b == b'_'
            || ((b == b'+' || b == b'-') && !hex && matches!(bytes[i - 1], b'e' | b'E'))
    }) {
        i += 1;
    }
    let lit = &text[start..i];
    let clean = lit.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, clean.trim_start_matches('+').to_string()),
    };
    let int = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(b) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        i64::from_str_radix(b, 2).ok()
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()
    } else if body.bytes().all(|b| b.is_ascii_digit()) && !body.is_empty() {
        body.parse().ok()
    } else {
        None
    };
    if let Some(n) = int {
        return Ok((Tok::Int(if neg { -n } else { n }), i));
    }
    match clean.parse::<f64>() {
        Ok(f) if !body.is_empty() && !body.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') => {
            Ok((Tok::Float(f), i))
        }
        _ => err(start, format!("bad number syntax: {lit:?}")),
    }
}

/// Parses one file's text.
pub fn parse(text: &str) -> Result<Parsed> {
    let items = lex(text)?;
    let mut p =
        Parser { items, eof: text.len(), at: 0, vars: vec!["$".into()], depth: 0, ranges: 0, defines: Vec::new() };
    let (body, end) = p.list(true)?;
    if let Some((pos, _)) = end {
        return err(pos, "unexpected {{end}} or {{else}}");
    }
    Ok(Parsed { body, defines: p.defines })
}

struct Parser {
    items: Vec<Item>,
    /// The text's length: where Go reports an unexpected end.
    eof: usize,
    at: usize,
    vars: Vec<String>,
    depth: usize,
    ranges: usize,
    defines: Vec<(String, Vec<Node>)>,
}

/// A list of nodes and how it ended (none: the end of the text).
type Listed = (Vec<Node>, Option<(usize, End)>);

/// How a list ended: `{{end}}`, or `{{else ...}}` with the tokens after `else`.
enum End {
    End,
    Else(Vec<(usize, Tok)>),
}

/// A cursor over one action's tokens.
struct Toks {
    toks: Vec<(usize, Tok)>,
    i: usize,
    end: usize,
}

impl Toks {
    fn skip_space(&mut self) {
        while matches!(self.toks.get(self.i), Some((_, Tok::Space))) {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(_, t)| t)
    }
    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |(p, _)| *p)
    }
    fn next(&mut self) -> Option<(usize, Tok)> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn done(&mut self) -> bool {
        self.skip_space();
        self.i >= self.toks.len()
    }
}

impl Parser {
    /// Nodes until `{{end}}`, `{{else}}` or the end of the text (only at the top level).
    fn list(&mut self, top: bool) -> Result<Listed> {
        let mut nodes = Vec::new();
        while self.at < self.items.len() {
            let item = std::mem::replace(&mut self.items[self.at], Item::Text(String::new()));
            self.at += 1;
            match item {
                Item::Text(t) => nodes.push(Node::Text(t)),
                Item::Action { pos, end, toks } => {
                    let mut t = Toks { toks, i: 0, end };
                    t.skip_space();
                    match t.peek() {
                        Some(Tok::Keyword("end")) => {
                            t.next();
                            if !t.done() {
                                return err(t.pos(), "unexpected token in end");
                            }
                            return Ok((nodes, Some((pos, End::End))));
                        }
                        Some(Tok::Keyword("else")) => {
                            t.next();
                            t.skip_space();
                            let rest = t.toks.split_off(t.i);
                            return Ok((nodes, Some((pos, End::Else(rest)))));
                        }
                        Some(Tok::Keyword("define")) => {
                            if !top {
                                return err(pos, "unexpected <define> in command");
                            }
                            self.define(t, pos)?;
                        }
                        _ => nodes.push(self.action(t, pos, top)?),
                    }
                }
            }
        }
        if top { Ok((nodes, None)) } else { err(self.eof, "unexpected EOF") }
    }

    fn define(&mut self, mut t: Toks, pos: usize) -> Result<()> {
        t.next();
        t.skip_space();
        let Some((_, Tok::Str(name))) = t.next() else { return err(pos, "define: expected a template name in quotes") };
        if !t.done() {
            return err(t.pos(), "unexpected token in define clause");
        }
        let vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let ranges = std::mem::replace(&mut self.ranges, 0);
        let (body, end) = self.list(false)?;
        self.vars = vars;
        self.ranges = ranges;
        match end {
            Some((_, End::End)) => {
                self.defines.push((name, body));
                Ok(())
            }
            Some((p, End::Else(_))) => err(p, "unexpected {{else}} in define"),
            None => err(self.eof, "unexpected EOF"),
        }
    }

    fn action(&mut self, mut t: Toks, pos: usize, top: bool) -> Result<Node> {
        match t.peek().cloned() {
            Some(Tok::Keyword(k @ ("if" | "range" | "with"))) => {
                t.next();
                self.control(k, t, pos)
            }
            Some(Tok::Keyword("template")) | Some(Tok::Keyword("block")) => {
                let block = t.peek() == Some(&Tok::Keyword("block"));
                t.next();
                t.skip_space();
                let Some((_, Tok::Str(name))) = t.next() else {
                    return err(pos, "template: expected a template name in quotes");
                };
                let pipe = if t.done() { None } else { Some(self.pipe(&mut t, "template clause", 0)?) };
                if block {
                    if !top {
                        return err(pos, "unexpected <block> in command");
                    }
                    let vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
                    let (body, end) = self.list(false)?;
                    self.vars = vars;
                    if !matches!(end, Some((_, End::End))) {
                        return err(pos, "block: expected {{end}}");
                    }
                    self.defines.push((name.clone(), body));
                }
                Ok(Node::Template { pos, name, pipe })
            }
            Some(Tok::Keyword(k @ ("break" | "continue"))) => {
                t.next();
                if !t.done() {
                    return err(t.pos(), format!("unexpected token in {{{{{k}}}}}"));
                }
                if self.ranges == 0 {
                    return err(pos, format!("{{{{{k}}}}} outside {{{{range}}}}"));
                }
                Ok(if k == "break" { Node::Break(pos) } else { Node::Continue(pos) })
            }
            Some(Tok::Keyword(k)) => err(pos, format!("unexpected <{k}> in command")),
            None => err(pos, "missing value for command"),
            _ => {
                let pipe = self.pipe(&mut t, "command", 1)?;
                Ok(Node::Action(pipe))
            }
        }
    }

    /// `if`, `range` or `with` after its keyword, through its `{{end}}`.
    fn control(&mut self, kind: &'static str, mut t: Toks, pos: usize) -> Result<Node> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return err(pos, format!("{kind} nested deeper than {MAX_NESTING} levels"));
        }
        let mark = self.vars.len();
        let pipe = self.pipe(&mut t, kind, if kind == "range" { 2 } else { 1 })?;
        if kind == "range" {
            self.ranges += 1;
        }
        let (list, end) = self.list(false)?;
        if kind == "range" {
            self.ranges -= 1;
        }
        let else_list = match end {
            Some((_, End::End)) => Vec::new(),
            Some((p, End::Else(rest))) => {
                let mut r = Toks { toks: rest, i: 0, end: p };
                if r.done() {
                    let (list, end) = self.list(false)?;
                    match end {
                        Some((_, End::End)) => list,
                        Some((p, _)) => return err(p, "expected end; found {{else}}"),
                        None => return err(self.eof, "unexpected EOF"),
                    }
                } else {
                    match r.next() {
                        Some((_, Tok::Keyword(k @ ("if" | "with")))) if kind != "range" => {
                            vec![self.control(k, r, p)?]
                        }
                        _ => return err(p, "unexpected token in else"),
                    }
                }
            }
            None => return err(self.eof, "unexpected EOF"),
        };
        self.vars.truncate(mark);
        self.depth -= 1;
        let branch = Branch { pipe, list, else_list };
        Ok(match kind {
            "if" => Node::If(branch),
            "range" => Node::Range(branch),
            _ => Node::With(branch),
        })
    }

    /// A pipeline; `decls` is how many variables it may declare (0, 1, or 2 for `range`).
    fn pipe(&mut self, t: &mut Toks, ctx: &str, decls: usize) -> Result<Pipe> {
        t.skip_space();
        let pos = t.pos();
        let mut decl = Vec::new();
        let mut assign = false;
        if decls > 0
            && let Some(Tok::Var(first)) = t.peek().cloned()
        {
            let save = t.i;
            t.next();
            t.skip_space();
            match t.peek() {
                Some(Tok::Declare) | Some(Tok::Assign) => {
                    assign = t.peek() == Some(&Tok::Assign);
                    t.next();
                    decl.push(first);
                }
                Some(Tok::Comma) if decls == 2 => {
                    t.next();
                    t.skip_space();
                    match (t.next(), {
                        t.skip_space();
                        t.next()
                    }) {
                        (Some((_, Tok::Var(second))), Some((_, Tok::Declare | Tok::Assign))) => {
                            decl.push(first);
                            decl.push(second);
                        }
                        _ => return err(pos, "range can only initialize variables"),
                    }
                }
                _ => t.i = save,
            }
        }
        for v in &decl {
            if assign {
                if !self.vars.contains(v) {
                    return err(pos, format!("undefined variable {v:?}"));
                }
            } else {
                self.vars.push(v.clone());
            }
        }
        let mut cmds = Vec::new();
        loop {
            t.skip_space();
            let cmd = self.command(t)?;
            cmds.push(cmd);
            t.skip_space();
            match t.peek() {
                Some(Tok::Pipe) => {
                    t.next();
                }
                None | Some(Tok::RParen) => break,
                Some(_) => return err(t.pos(), format!("unexpected token in {ctx}")),
            }
        }
        Ok(Pipe { pos, decl, assign, cmds })
    }

    fn command(&mut self, t: &mut Toks) -> Result<Cmd> {
        let pos = t.pos();
        let mut args = Vec::new();
        loop {
            t.skip_space();
            match t.peek() {
                None | Some(Tok::Pipe) | Some(Tok::RParen) => break,
                _ => args.push(self.operand(t)?),
            }
        }
        if args.is_empty() {
            return err(pos, "missing value for command");
        }
        if matches!(args[0], Arg::Nil) {
            return err(pos, "nil is not a command");
        }
        Ok(Cmd { pos, args })
    }

    fn operand(&mut self, t: &mut Toks) -> Result<Arg> {
        let (pos, tok) = t.next().ok_or(ParseError { offset: t.end, message: "missing value".into() })?;
        let mut arg = match tok {
            Tok::Dot => Arg::Dot,
            Tok::Nil => Arg::Nil,
            Tok::Bool(b) => Arg::Bool(b),
            Tok::Int(i) => Arg::Int(i),
            Tok::Float(f) => Arg::Float(f),
            Tok::Str(s) => Arg::Str(s),
            Tok::Field(f) => Arg::Field(vec![f]),
            Tok::Var(v) => {
                if !self.vars.contains(&v) {
                    return err(pos, format!("undefined variable {v:?}"));
                }
                Arg::Var(v, Vec::new())
            }
            Tok::Ident(name) => {
                if !funcs::exists(&name) {
                    return err(pos, format!("function {name:?} not defined"));
                }
                Arg::Func(name)
            }
            Tok::LParen => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return err(pos, format!("parentheses nested deeper than {MAX_NESTING} levels"));
                }
                let pipe = self.pipe(t, "parenthesized pipeline", 1)?;
                self.depth -= 1;
                match t.next() {
                    Some((_, Tok::RParen)) => Arg::Sub(Box::new(pipe), Vec::new()),
                    _ => return err(pos, "unclosed left paren"),
                }
            }
            Tok::RParen => return err(pos, "unexpected right paren"),
            Tok::Keyword(k) => return err(pos, format!("unexpected <{k}> in operand")),
            _ => return err(pos, "unexpected token in operand"),
        };
        while let Some(Tok::Field(f)) = t.peek().cloned() {
            let fpos = t.pos();
            t.next();
            match &mut arg {
                Arg::Field(chain) | Arg::Var(_, chain) | Arg::Sub(_, chain) => chain.push(f),
                Arg::Dot => arg = Arg::Field(vec![f]),
                _ => return err(fpos, format!("unexpected . after term {:?}", f)),
            }
        }
        Ok(arg)
    }
}

/// Registers a file's defines into `into` as Go does: a later definition replaces an earlier
/// one, unless its body is only whitespace.
pub fn register(into: &mut HashMap<String, Arc<Define>>, source: &Arc<Source>, defines: Vec<(String, Vec<Node>)>) {
    for (name, body) in defines {
        let empty = body.iter().all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()));
        if empty && into.contains_key(&name) {
            continue;
        }
        into.insert(name, Arc::new(Define { source: source.clone(), body }));
    }
}
