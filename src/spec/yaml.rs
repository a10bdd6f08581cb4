//! Stage 1: text to a YAML tree that remembers where every node came from.
//!
//! Built on saphyr-parser's event stream so that this module decides what a spec may contain:
//! duplicate keys are errors, aliases expand within a budget, nesting is bounded, one document.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan};

use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Source, Span};

/// Largest spec file read, in bytes. A real spec is a few kilobytes.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Deepest nesting accepted. A spec nests about six levels.
pub const MAX_DEPTH: usize = 64;
/// Most nodes a document may expand to, aliases included.
pub const MAX_NODES: usize = 100_000;

declare_rule! {
    /// ## What it does
    /// Reports text that is not valid YAML, or YAML features a spec does not use (custom tags,
    /// complex mapping keys).
    ///
    /// ## Why it matters
    /// Nothing can be checked or rendered from a file that does not parse.
    ///
    /// ## How to fix
    /// Fix the syntax at the reported line and column: indentation, an unclosed quote or
    /// bracket, a tab used for indentation, a missing `: ` after a key.
    pub static YAML_SYNTAX = ("SPEC001", "yaml-syntax", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a spec file that is not UTF-8 text.
    ///
    /// ## Why it matters
    /// YAML is defined over Unicode; a file in another encoding would be read as garbage.
    ///
    /// ## How to fix
    /// Save the file as UTF-8 (the byte at the reported position is the first invalid one).
    pub static INVALID_ENCODING = ("SPEC002", "invalid-encoding", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a spec file with no content (empty, only comments, or an empty document).
    ///
    /// ## Why it matters
    /// An empty spec describes nothing; rendering it would delete nothing and create nothing,
    /// which is never what was meant.
    ///
    /// ## How to fix
    /// Run `gen init` for a commented starter spec.
    pub static EMPTY_SPEC = ("SPEC003", "empty-spec", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a second YAML document (after `---`) in a spec file.
    ///
    /// ## Why it matters
    /// A spec is one document; a second one would be silently ignored by most tools, so its
    /// settings would never take effect.
    ///
    /// ## How to fix
    /// Merge the documents into one, or split them into separate spec files.
    pub static MULTIPLE_DOCUMENTS = ("SPEC004", "multiple-documents", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a key that appears twice in the same mapping.
    ///
    /// ## Why it matters
    /// YAML forbids it, and parsers that accept it keep one of the values silently: the other
    /// setting is lost without a word.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     port: 8080
    ///     port: 5000
    /// ```
    ///
    /// ## How to fix
    /// Keep one of the keys.
    pub static DUPLICATE_KEY = ("SPEC005", "duplicate-key", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a spec over the loader's limits: larger than 1 MiB, nested deeper than 64
    /// levels, or expanding through aliases to more than 100,000 nodes.
    ///
    /// ## Why it matters
    /// These limits keep `gen` fast and its memory bounded on hostile input (a "billion
    /// laughs" alias bomb expands a few hundred bytes into gigabytes). No real spec comes near.
    ///
    /// ## How to fix
    /// Remove the repetition or nesting; a spec is a few kilobytes.
    pub static YAML_LIMITS = ("SPEC006", "yaml-limits", Error);
}

/// A YAML value with the span of the text it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

/// The value of a node, resolved with the YAML 1.2 core schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry; keys are strings in a spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// The child at one path segment: a key in a mapping, an index in a sequence.
    pub fn child(&self, segment: &str) -> Option<(&Node, Option<Span>)> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == segment).map(|e| (&e.value, Some(e.key_span))),
            Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)).map(|n| (n, None)),
            _ => None,
        }
    }

    /// The span of the node at `path`, or of its deepest existing ancestor. With `key`, the
    /// span of the mapping key that holds the last segment, when there is one.
    pub fn locate<S: AsRef<str>>(&self, path: &[S], key: bool) -> Span {
        let mut node = self;
        let mut key_span = None;
        for seg in path {
            match node.child(seg.as_ref()) {
                Some((child, k)) => {
                    node = child;
                    key_span = k;
                }
                None => return node.span,
            }
        }
        if key { key_span.unwrap_or(node.span) } else { node.span }
    }

    /// A short description of the node's type for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The JSON value of the tree, for schema validation and the typed model.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or_else(|| J::String(f.to_string()), J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.clone(), e.value.to_json())).collect()),
        }
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// Decodes and parses a spec file. `name` is how diagnostics name the file.
pub fn load(name: &str, bytes: &[u8]) -> (Arc<Source>, Result<Node, Diagnostics>) {
    if bytes.len() > MAX_BYTES {
        let d = Diagnostic::new(
            &YAML_LIMITS,
            name,
            None,
            format!("the file is larger than {MAX_BYTES} bytes, the most a spec may be"),
        )
        .help("a spec is a few kilobytes: check that this is the right file");
        return (Source::new(name, ""), Err(vec![d]));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let source = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
            let at = e.valid_up_to();
            let d = Diagnostic::new(
                &INVALID_ENCODING,
                name,
                Some(Span::new(at, at + 1)),
                format!("the file is not UTF-8: invalid byte 0x{:02x}", bytes[at]),
            )
            .help("save the spec as UTF-8");
            return (source, Err(vec![d]));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = Source::new(name, text);
    let result = Builder::new(&source).run();
    (source, result)
}

struct Frame {
    start: Span,
    anchor: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map { entries: Vec<Entry>, keys: HashSet<String>, pending: Option<(String, Span)> },
}

struct Builder<'s> {
    source: &'s Source,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
    documents: usize,
    errors: Diagnostics,
}

impl<'s> Builder<'s> {
    fn new(source: &'s Source) -> Self {
        Builder {
            source,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            root: None,
            documents: 0,
            errors: Vec::new(),
        }
    }

    /// Byte offset of a parser marker (its own index counts characters in places).
    fn offset(&self, m: &Marker) -> usize {
        self.source.offset(m.line(), m.col())
    }

    fn span(&self, s: &YSpan) -> Span {
        Span::new(self.offset(&s.start), self.offset(&s.end))
    }

    fn error(&mut self, rule: &'static crate::diag::Rule, span: Span, msg: impl Into<String>, help: &str) {
        let d = Diagnostic::new(rule, self.source.name(), Some(span), msg).help(help);
        self.errors.push(d);
    }

    fn run(mut self) -> Result<Node, Diagnostics> {
        let mut parser = Parser::new_from_str(self.source.text());
        while let Some(event) = parser.next_event() {
            let (event, yspan) = match event {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.offset(e.marker());
                    let info = e.info().to_string();
                    if info.contains("recursion limit") {
                        // The scanner's own guard against deep flow nesting trips before ours.
                        let help = "a spec nests a few levels: check for runaway brackets";
                        self.error(&YAML_LIMITS, Span::new(at, at + 1), "nesting too deep", help);
                    } else {
                        let help = "fix the YAML syntax at this position";
                        self.error(&YAML_SYNTAX, Span::new(at, at + 1), format!("invalid YAML: {info}"), help);
                    }
                    return Err(self.errors);
                }
            };
            let span = self.span(&yspan);
            if let Err(()) = self.event(event, span) {
                return Err(self.errors);
            }
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        match self.root {
            Some(root) if root.value != Value::Null => Ok(root),
            _ => {
                let name = self.source.name().to_string();
                Err(vec![
                    Diagnostic::new(&EMPTY_SPEC, &name, None, "the spec is empty")
                        .help("run `gen init` to write a commented starter spec"),
                ])
            }
        }
    }

    /// Handles one event; `Err` stops parsing (the reason is in `self.errors`).
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ()> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.error(
                        &MULTIPLE_DOCUMENTS,
                        span,
                        "a second YAML document starts here; a spec is one document",
                        "merge the documents or split them into separate spec files",
                    );
                    return Err(());
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = if let Some(tag) = tag {
                    if tag.suffix == "str" && (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!") {
                        Value::Str(text.into_owned())
                    } else {
                        self.error(
                            &YAML_SYNTAX,
                            span,
                            format!("the tag {}{} is not supported in a spec", tag.handle, tag.suffix),
                            "remove the tag; quote the value if it must be a string",
                        );
                        return Err(());
                    }
                } else if style == ScalarStyle::Plain {
                    resolve_plain(&text)
                } else {
                    Value::Str(text.into_owned())
                };
                self.value(Node { span, value }, anchor)?;
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) if tag.is_some() => {
                let _ = anchor;
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix)).unwrap_or_default();
                self.error(&YAML_SYNTAX, span, format!("the tag {tag} is not supported in a spec"), "remove the tag");
                return Err(());
            }
            Event::SequenceStart(anchor, _) => self.open(span, anchor, FrameKind::Seq(Vec::new()))?,
            Event::MappingStart(anchor, _) => {
                self.open(span, anchor, FrameKind::Map { entries: Vec::new(), keys: HashSet::new(), pending: None })?
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Ok(()) };
                let value = match frame.kind {
                    FrameKind::Seq(items) => Value::Seq(items),
                    FrameKind::Map { entries, .. } => Value::Map(entries),
                };
                self.nodes -= 1; // counted when opened
                self.value(Node { span: frame.start, value }, frame.anchor)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    self.error(
                        &YAML_SYNTAX,
                        span,
                        "this alias names no anchor defined before it",
                        "define the anchor (&name) before using it (*name)",
                    );
                    return Err(());
                };
                if self.nodes + size > MAX_NODES {
                    self.error(
                        &YAML_LIMITS,
                        span,
                        format!("aliases expand the document beyond {MAX_NODES} nodes"),
                        "write the values out instead of nesting aliases (this is how an alias bomb looks)",
                    );
                    return Err(());
                }
                self.nodes += size - 1;
                self.value(Node { span, value: node.value }, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, span: Span, anchor: usize, kind: FrameKind) -> Result<(), ()> {
        if self.stack.len() >= MAX_DEPTH {
            self.error(
                &YAML_LIMITS,
                span,
                format!("nesting deeper than {MAX_DEPTH} levels"),
                "a spec nests a few levels: check for runaway brackets",
            );
            return Err(());
        }
        self.nodes += 1;
        self.stack.push(Frame { start: span, anchor, kind });
        Ok(())
    }

    /// Places a finished node into its parent (or as the root).
    fn value(&mut self, node: Node, anchor: usize) -> Result<(), ()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.error(
                &YAML_LIMITS,
                node.span,
                format!("the document has more than {MAX_NODES} nodes"),
                "a spec is a few kilobytes: check that this is the right file",
            );
            return Err(());
        }
        if anchor != 0 {
            let size = node.count();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map { entries, keys, pending } => match pending.take() {
                Some((key, key_span)) => entries.push(Entry { key, key_span, value: node }),
                None => {
                    let key = match node.value {
                        Value::Str(s) => s,
                        Value::Null => String::new(),
                        Value::Bool(b) => b.to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(_) => self.source.text()[node.span.start..node.span.end].to_string(),
                        Value::Seq(_) | Value::Map(_) => {
                            let span = node.span;
                            self.error(
                                &YAML_SYNTAX,
                                span,
                                "a mapping key must be a plain value, not a list or mapping",
                                "use a string key",
                            );
                            return Err(());
                        }
                    };
                    if !keys.insert(key.clone()) {
                        let span = node.span;
                        // A placeholder keeps the parser in step; the first value wins.
                        *pending = Some((String::from("\u{0}duplicate"), span));
                        let msg = format!("the key `{key}` appears twice in this mapping");
                        self.error(
                            &DUPLICATE_KEY,
                            span,
                            msg,
                            "remove one of them: YAML parsers would keep only one, silently",
                        );
                    } else {
                        *pending = Some((key, node.span));
                    }
                }
            },
        }
        Ok(())
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema (so `yes`, `on` and `no` are strings).
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits(unsigned, 10) {
        return s.parse::<i64>().map_or_else(|_| Value::Float(s.parse().unwrap_or(f64::NAN)), Value::Int);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(rest) = s.strip_prefix(prefix).filter(|r| digits(r, radix)) {
            if let Ok(i) = i64::from_str_radix(rest, radix) {
                return Value::Int(i);
            }
        }
    }
    if is_float(unsigned) {
        if let Ok(f) = s.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(s.to_string())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's float.
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok =
        all_digits(int) && frac.is_none_or(all_digits) && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Node, Diagnostics> {
        load("t.yaml", text.as_bytes()).1
    }

    #[test]
    fn scalars_resolve_with_the_yaml_1_2_core_schema() {
        let n = parse("a: yes\nb: 1.30\nc: '5'\nd: 0x10\ne: ~\nf: 1e3\ng: True\n").unwrap();
        let j = n.to_json();
        assert_eq!(j["a"], "yes");
        assert_eq!(j["b"], 1.3);
        assert_eq!(j["c"], "5");
        assert_eq!(j["d"], 16);
        assert!(j["e"].is_null());
        assert_eq!(j["f"], 1000.0);
        assert_eq!(j["g"], true);
    }

    #[test]
    fn spans_point_at_keys_and_values_in_bytes() {
        let text = "métadata:\n  name: shop\n";
        let n = parse(text).unwrap();
        let v = n.locate(&["métadata", "name"], false);
        assert_eq!(&text[v.start..v.end], "shop");
        let k = n.locate(&["métadata", "name"], true);
        assert_eq!(&text[k.start..k.end], "name");
    }

    #[test]
    fn aliases_expand_to_copies() {
        let n = parse("a: &x {b: 1}\nc: *x\n").unwrap();
        assert_eq!(n.to_json()["c"]["b"], 1);
    }
}
