//! YAML documents that remember where every node came from, shared by everything gen reads
//! as YAML: the spec, blueprint manifests, chart values, Kubernetes manifests, workflows.
//!
//! Built on saphyr-parser's event stream so that this module decides what a document may hold:
//! duplicate keys are errors, aliases expand within a budget, nesting is bounded, and each use
//! sets its own limits and rule codes through a [`Policy`].

mod builder;
mod scalar;
mod scan;

use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Route, Rule, Segment, Source, Span};

pub use scalar::{resolve_plain, resolve_plain_yaml11};
pub use scan::{comments, only_in_strings_or_comments};

/// The rules a use of the loader reports its failures under.
#[derive(Debug)]
pub struct Rules {
    /// Text that is not YAML, or YAML features the use refuses (tags, complex keys).
    pub syntax: &'static Rule,
    /// Bytes that are not UTF-8 text, or characters YAML does not allow.
    pub encoding: &'static Rule,
    /// No content.
    pub empty: &'static Rule,
    /// A second document where one is expected.
    pub multiple_documents: &'static Rule,
    /// A key twice in one mapping.
    pub duplicate_key: &'static Rule,
    /// Over a size, depth or node limit.
    pub limits: &'static Rule,
}

/// Which explicit tags a use accepts, and how it reads plain scalars and merge keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tags {
    /// Only `!!str` (the spec: a value is what it looks like, or a quoted string).
    StrOnly,
    /// The YAML 1.2 core schema's tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`,
    /// `!!seq`, `!!map`); any other is refused.
    Core,
    /// The tags of `Core`, with plain scalars and merge keys read as kubectl reads a manifest
    /// (`sigs.k8s.io/yaml`, go-yaml's YAML 1.1): `yes`, `on`, `y` are booleans, `0644` is
    /// octal, `1_000` is a thousand, and `<<: *base` merges a mapping into the one it is in.
    Kubectl,
    /// The tags and plain scalars of `Core`, with merge keys: as kustomize (go-yaml v3) reads
    /// the files of a build, and writes `yes` back quoted for kubectl.
    Kustomize,
}

/// How one use of the loader reads its files: limits, documents, tags and rule codes.
#[derive(Debug)]
pub struct Policy {
    /// What the file is, for messages ("a spec", "a manifest").
    pub what: &'static str,
    /// Largest file read, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting accepted.
    pub max_depth: usize,
    /// Most nodes the stream may hold, aliases expanded.
    pub max_nodes: usize,
    /// Most nodes aliases may add by expansion (an alias bomb's budget).
    pub max_alias_nodes: usize,
    /// Whether a stream of several documents is expected (`---` between them).
    pub multi_document: bool,
    pub tags: Tags,
    pub rules: &'static Rules,
    /// What to do about an empty file.
    pub empty_help: &'static str,
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

/// A mapping entry; keys are read as strings.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// The child at one route segment: a key in a mapping, an index in a sequence.
    pub fn child(&self, segment: &Segment) -> Option<(&Node, Option<Span>)> {
        match (&self.value, segment) {
            (Value::Map(entries), Segment::Key(key)) => {
                entries.iter().find(|e| e.key == *key).map(|e| (&e.value, Some(e.key_span)))
            }
            (Value::Map(entries), Segment::Index(i)) => {
                let key = i.to_string();
                entries.iter().find(|e| e.key == key).map(|e| (&e.value, Some(e.key_span)))
            }
            (Value::Seq(items), Segment::Index(i)) => items.get(*i).map(|n| (n, None)),
            _ => None,
        }
    }

    /// The child at a mapping key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The node at `route`, when it exists.
    pub fn lookup(&self, route: &Route) -> Option<&Node> {
        route.segments().iter().try_fold(self, |n, seg| n.child(seg).map(|(c, _)| c))
    }

    /// The one function from a route to a span: the node at `route`, or its deepest existing
    /// ancestor. With `key`, the span of the mapping key that holds the last segment.
    pub fn locate(&self, route: &Route, key: bool) -> Span {
        let mut node = self;
        let mut key_span = None;
        for seg in route.segments() {
            match node.child(seg) {
                Some((child, k)) => {
                    node = child;
                    key_span = k;
                }
                None => return node.span,
            }
        }
        if key { key_span.unwrap_or(node.span) } else { node.span }
    }

    /// The string value, when the node is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
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

    /// The JSON value of the tree, for schema validation and typed models.
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

/// One document of a file, with the text it came from.
#[derive(Clone, Debug)]
pub struct Document {
    pub source: Arc<Source>,
    pub root: Node,
}

impl Document {
    /// A finding of `rule` at the node at `route` (the key itself when `key`).
    pub fn at(&self, rule: &'static Rule, route: &Route, key: bool, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::new(rule, self.source.name(), Some(self.root.locate(route, key)), message);
        d.subject.route = Some(route.clone());
        d
    }
}

/// What loading a file gave: its text (for messages) and its documents, or every finding of
/// the first problem met.
pub struct Loaded {
    pub source: Arc<Source>,
    pub documents: Result<Vec<Document>, Diagnostics>,
}

/// Decodes and parses a file under `policy`. `name` is how diagnostics name the file. Empty
/// documents of a stream are dropped; a file with no content at all is an error.
pub fn load(name: &str, bytes: &[u8], policy: &Policy) -> Loaded {
    let rules = policy.rules;
    if bytes.len() > policy.max_bytes {
        let d = Diagnostic::new(
            rules.limits,
            name,
            None,
            format!("the file is larger than {} bytes, the most {} may be", policy.max_bytes, policy.what),
        )
        .help("check that this is the right file");
        return Loaded { source: Source::new(name, ""), documents: Err(vec![d]) };
    }
    if let Some(encoding) = utf16_or_32(bytes) {
        let d =
            Diagnostic::new(rules.encoding, name, Some(Span::new(0, 0)), format!("the file is {encoding}, not UTF-8"))
                .help("save the file as UTF-8 (most editors: \"Save with encoding\")");
        return Loaded { source: Source::new(name, ""), documents: Err(vec![d]) };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let source = Source::new(name, String::from_utf8_lossy(bytes).into_owned());
            let at = e.valid_up_to();
            let d = Diagnostic::new(
                rules.encoding,
                name,
                Some(Span::new(at, at + 1)),
                format!("the file is not UTF-8: invalid byte 0x{:02x}", bytes[at]),
            )
            .help("save the file as UTF-8");
            return Loaded { source, documents: Err(vec![d]) };
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    parse(Source::new(name, text), policy)
}

/// [`load`] of a text already kept as a [`Source`] (a rendered file the lint checks), with
/// that source, so its lines are not indexed again.
pub fn load_source(source: &Arc<Source>, policy: &Policy) -> Loaded {
    let bytes = source.text().as_bytes();
    // A byte-order mark is dropped from the text spans count in: that text is a new source.
    if bytes.len() > policy.max_bytes || utf16_or_32(bytes).is_some() || source.text().starts_with('\u{feff}') {
        return load(source.name(), bytes, policy);
    }
    parse(Arc::clone(source), policy)
}

/// The checks of [`load`] past decoding, then the documents.
fn parse(source: Arc<Source>, policy: &Policy) -> Loaded {
    let (name, text, rules) = (source.name(), source.text(), policy.rules);
    // Most files are printable ASCII through and through: a byte scan says so at once.
    let ascii = text.bytes().all(|b| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r'));
    if let Some((at, c)) = (!ascii).then(|| text.char_indices().find(|(_, c)| !is_printable(*c))).flatten() {
        let what = match c {
            '\0' => "a NUL byte (U+0000)".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        let more = text[at..].chars().skip(1).filter(|c| !is_printable(*c)).count();
        let also = if more > 0 { format!(", and {more} more after it") } else { String::new() };
        let d = Diagnostic::new(
            rules.encoding,
            name,
            Some(Span::new(at, at + c.len_utf8())),
            format!("the file holds {what}, which YAML does not allow{also}"),
        )
        .help("remove it: a parser that stopped there would silently drop the rest of the file");
        return Loaded { source, documents: Err(vec![d]) };
    }
    let documents = builder::Builder::new(&source, policy)
        .run()
        .map(|roots| roots.into_iter().map(|root| Document { source: source.clone(), root }).collect::<Vec<_>>());
    Loaded { source, documents }
}

/// YAML's printable characters (`c-printable`): tab, line breaks, and everything but the C0
/// and C1 controls, DEL, and U+FFFE/U+FFFF (NEL, U+0085, is allowed).
fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{85}')
        || (' '..='~').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c)
        || c >= '\u{10000}'
}

/// The name of a UTF-16 or UTF-32 encoding `bytes` are in, told by a byte-order mark or, as
/// the YAML specification does, by the NUL bytes around the first ASCII character.
pub fn utf16_or_32(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0, 0, 0xfe, 0xff, ..] => Some("UTF-32 (big-endian)"),
        [0, 0, 0, x, ..] if *x != 0 => Some("UTF-32 (big-endian)"),
        [0xff, 0xfe, 0, 0, ..] => Some("UTF-32 (little-endian)"),
        [x, 0, 0, 0, ..] if *x != 0 => Some("UTF-32 (little-endian)"),
        [0xfe, 0xff, ..] => Some("UTF-16 (big-endian)"),
        [0, x, ..] if *x != 0 => Some("UTF-16 (big-endian)"),
        [0xff, 0xfe, ..] => Some("UTF-16 (little-endian)"),
        [x, 0, ..] if *x != 0 => Some("UTF-16 (little-endian)"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
