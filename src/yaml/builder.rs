//! Builds the node tree from saphyr-parser's events under a policy's limits.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan, Tag};

use super::scalar::{resolve_plain, resolve_plain_yaml11, resolve_tagged};
use super::{Entry, Node, Policy, Tags, Value};
use crate::diag::{Diagnostic, Diagnostics, Rule, Source, Span};

/// Up to how many keys a mapping's keys are compared one by one for duplicates.
const SMALL_MAP: usize = 16;

/// The key a merge key (`<<`, plain) is held under until its mapping ends: no YAML key can be
/// it, a NUL being no printable character.
const MERGE_KEY: &str = "\u{0}<<";

struct Frame {
    start: Span,
    anchor: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map { entries: Vec<Entry>, keys: HashSet<String>, pending: Option<(String, Span)> },
}

/// Byte offsets of parser markers. The parser counts columns in characters; walking a long
/// line from its start for every marker would be quadratic, so the last answer is kept and
/// later markers on the same line continue from it.
struct Offsets<'s> {
    source: &'s Source,
    ascii: bool,
    last: (usize, usize, usize),
}

impl Offsets<'_> {
    fn of(&mut self, m: &Marker) -> usize {
        let (line, col) = (m.line(), m.col());
        let start = self.source.offset(line, 0);
        if self.ascii {
            return (start + col).min(self.source.text().len());
        }
        let (from_col, from) = match self.last {
            (l, c, b) if l == line && c <= col => (c, b),
            _ => (0, start),
        };
        let rest = &self.source.text()[from..];
        let at = from + rest.char_indices().nth(col - from_col).map_or(rest.len(), |(i, _)| i);
        self.last = (line, col, at);
        at
    }
}

pub(super) struct Builder<'s> {
    source: &'s Source,
    policy: &'s Policy,
    offsets: Offsets<'s>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_nodes: usize,
    root: Option<Node>,
    roots: Vec<Node>,
    documents: usize,
    errors: Diagnostics,
    /// The next key placed is a merge key (`<<`, plain, under [`Tags::Kubectl`] or
    /// [`Tags::Kustomize`]).
    merge_key_next: bool,
}

impl<'s> Builder<'s> {
    pub(super) fn new(source: &'s Source, policy: &'s Policy) -> Self {
        Builder {
            source,
            policy,
            offsets: Offsets { source, ascii: source.text().is_ascii(), last: (0, 0, 0) },
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            alias_nodes: 0,
            root: None,
            roots: Vec::new(),
            documents: 0,
            errors: Vec::new(),
            merge_key_next: false,
        }
    }

    fn span(&mut self, s: &YSpan) -> Span {
        Span::new(self.offsets.of(&s.start), self.offsets.of(&s.end))
    }

    /// A quoted scalar's span, ended at its closing quote: the parser's end runs on over
    /// the spaces and a comment after it on the same line (`"x" # note`).
    fn quoted(&self, span: Span) -> Span {
        let text = &self.source.text()[span.start..span.end];
        let mut chars = text.char_indices();
        let Some((_, quote @ ('"' | '\''))) = chars.next() else { return span };
        while let Some((i, c)) = chars.next() {
            if quote == '"' && c == '\\' {
                chars.next();
            } else if c == quote {
                // In single quotes, a doubled quote is one quote, not the end.
                if quote == '\'' && text[i + 1..].starts_with('\'') {
                    chars.next();
                    continue;
                }
                return Span::new(span.start, span.start + i + 1);
            }
        }
        span
    }

    fn error(&mut self, rule: &'static Rule, span: Span, msg: impl Into<String>, help: impl Into<String>) {
        let d = Diagnostic::new(rule, self.source.name(), Some(span), msg).help(help);
        self.errors.push(d);
    }

    /// Every non-empty document, or the findings of the first problem.
    pub(super) fn run(mut self) -> Result<Vec<Node>, Diagnostics> {
        let rules = self.policy.rules;
        let mut parser = Parser::new_from_str(self.source.text());
        while let Some(event) = parser.next_event() {
            let (event, yspan) = match event {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.offsets.of(e.marker());
                    let info = e.info().to_string();
                    if info.contains("recursion limit") {
                        // The scanner's own guard against deep flow nesting trips before ours.
                        let help = format!("{} nests a few levels: check for runaway brackets", self.policy.what);
                        self.error(rules.limits, Span::new(at, at + 1), "nesting too deep", help);
                    } else {
                        let help = "fix the YAML syntax at this position";
                        self.error(rules.syntax, Span::new(at, at + 1), format!("invalid YAML: {info}"), help);
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
        if self.roots.is_empty() {
            let what = self.policy.what;
            return Err(vec![
                Diagnostic::new(rules.empty, self.source.name(), None, format!("{what} is empty"))
                    .help(self.policy.empty_help),
            ]);
        }
        Ok(self.roots)
    }

    fn end_document(&mut self) {
        if let Some(root) = self.root.take()
            && root.value != Value::Null
        {
            self.roots.push(root);
        }
        // Anchors belong to one document.
        self.anchors.clear();
    }

    /// The value of a tagged scalar, or an error.
    fn tagged(&mut self, tag: &Tag, text: &str, span: Span) -> Result<Value, ()> {
        let core = tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!";
        let value = match self.policy.tags {
            Tags::StrOnly if core && tag.suffix == "str" => Some(Value::Str(text.to_string())),
            Tags::Core | Tags::Kubectl | Tags::Kustomize if core => resolve_tagged(&tag.suffix, text),
            _ => None,
        };
        value.ok_or_else(|| {
            let what = self.policy.what;
            self.error(
                self.policy.rules.syntax,
                span,
                format!("the tag {}{} is not supported in {what} here", tag.handle, tag.suffix),
                "remove the tag; quote the value if it must be a string",
            );
        })
    }

    fn collection_tag_ok(&self, tag: &Tag, suffix: &str) -> bool {
        matches!(self.policy.tags, Tags::Core | Tags::Kubectl | Tags::Kustomize)
            && (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!")
            && tag.suffix == suffix
    }

    /// Handles one event; `Err` stops parsing (the reason is in `self.errors`).
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ()> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 && !self.policy.multi_document {
                    let what = self.policy.what;
                    self.error(
                        self.policy.rules.multiple_documents,
                        span,
                        format!("a second YAML document starts here; {what} is one document"),
                        "merge the documents or split them into separate files",
                    );
                    return Err(());
                }
            }
            Event::DocumentEnd => self.end_document(),
            Event::Scalar(text, style, anchor, tag) => {
                let span = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => self.quoted(span),
                    _ => span,
                };
                let kubectl = self.policy.tags == Tags::Kubectl;
                let merges = matches!(self.policy.tags, Tags::Kubectl | Tags::Kustomize);
                let plain = tag.is_none() && style == ScalarStyle::Plain;
                self.merge_key_next = merges && plain && text == "<<" && self.expects_key();
                let value = match tag {
                    Some(tag) => self.tagged(&tag, &text, span)?,
                    None if plain && kubectl => resolve_plain_yaml11(&text),
                    None if plain => resolve_plain(&text),
                    None => Value::Str(text.into_owned()),
                };
                self.value(Node { span, value }, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                if let Some(tag) = tag.filter(|t| !self.collection_tag_ok(t, "seq")) {
                    return self.refuse_tag(&tag, span);
                }
                self.open(span, anchor, FrameKind::Seq(Vec::new()))?;
            }
            Event::MappingStart(anchor, tag) => {
                if let Some(tag) = tag.filter(|t| !self.collection_tag_ok(t, "map")) {
                    return self.refuse_tag(&tag, span);
                }
                self.open(span, anchor, FrameKind::Map { entries: Vec::new(), keys: HashSet::new(), pending: None })?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else { return Ok(()) };
                // Trimmed to size: a spec of thousands of services is held for the whole run,
                // and a vector grown one push at a time is up to half empty.
                let value = match frame.kind {
                    FrameKind::Seq(mut items) => {
                        items.shrink_to_fit();
                        Value::Seq(items)
                    }
                    FrameKind::Map { mut entries, .. } => {
                        if entries.iter().any(|e| e.key == MERGE_KEY) {
                            entries = self.merge(entries)?;
                        }
                        entries.shrink_to_fit();
                        Value::Map(entries)
                    }
                };
                self.nodes -= 1; // counted when opened
                self.value(Node { span: frame.start, value }, frame.anchor)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    self.error(
                        self.policy.rules.syntax,
                        span,
                        "this alias names no anchor defined before it",
                        "define the anchor (&name) before using it (*name)",
                    );
                    return Err(());
                };
                let max = self.policy.max_nodes.min(self.policy.max_alias_nodes);
                if self.nodes + size > self.policy.max_nodes || self.alias_nodes + size > self.policy.max_alias_nodes {
                    self.error(
                        self.policy.rules.limits,
                        span,
                        format!("aliases expand the document beyond {max} nodes"),
                        "write the values out instead of nesting aliases (this is how an alias bomb looks)",
                    );
                    return Err(());
                }
                self.nodes += size - 1;
                self.alias_nodes += size;
                self.value(Node { span, value: node.value }, 0)?;
            }
            Event::StreamEnd => self.end_document(),
            Event::StreamStart | Event::Nothing => {}
        }
        Ok(())
    }

    /// Whether the node now read is a mapping's key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { kind: FrameKind::Map { pending: None, .. }, .. }))
    }

    /// A mapping's entries with its merge keys resolved as go-yaml resolves them: each `<<`
    /// brings the entries of the mapping it holds, or of each mapping of the list it holds
    /// (the first one's first), that the mapping does not write itself, where the `<<` is.
    fn merge(&mut self, entries: Vec<Entry>) -> Result<Vec<Entry>, ()> {
        let mut keys: HashSet<String> = entries.iter().filter(|e| e.key != MERGE_KEY).map(|e| e.key.clone()).collect();
        let mut merged = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.key != MERGE_KEY {
                merged.push(entry);
                continue;
            }
            let sources = match entry.value.value {
                Value::Map(inner) => vec![inner],
                Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => items
                    .into_iter()
                    .filter_map(|i| match i.value {
                        Value::Map(inner) => Some(inner),
                        _ => None,
                    })
                    .collect(),
                _ => {
                    self.error(
                        self.policy.rules.syntax,
                        entry.value.span,
                        "a merge key `<<` takes a mapping (`<<: *base`) or a list of mappings (`<<: [*a, *b]`)",
                        "merge a mapping defined with an anchor (`&base`), or quote the key if `<<` is meant as a key",
                    );
                    return Err(());
                }
            };
            for source in sources {
                for inner in source {
                    if keys.insert(inner.key.clone()) {
                        merged.push(inner);
                    }
                }
            }
        }
        Ok(merged)
    }

    fn refuse_tag(&mut self, tag: &Tag, span: Span) -> Result<(), ()> {
        let what = self.policy.what;
        let msg = format!("the tag {}{} is not supported in {what}", tag.handle, tag.suffix);
        self.error(self.policy.rules.syntax, span, msg, "remove the tag");
        Err(())
    }

    fn open(&mut self, span: Span, anchor: usize, kind: FrameKind) -> Result<(), ()> {
        let max = self.policy.max_depth;
        if self.stack.len() >= max {
            let what = self.policy.what;
            self.error(
                self.policy.rules.limits,
                span,
                format!("nesting deeper than {max} levels"),
                format!("{what} nests a few levels: check for runaway brackets"),
            );
            return Err(());
        }
        self.nodes += 1;
        self.stack.push(Frame { start: span, anchor, kind });
        Ok(())
    }

    /// Places a finished node into its parent (or as the document's root).
    fn value(&mut self, node: Node, anchor: usize) -> Result<(), ()> {
        self.nodes += 1;
        let max = self.policy.max_nodes;
        if self.nodes > max {
            self.error(
                self.policy.rules.limits,
                node.span,
                format!("the file has more than {max} nodes"),
                "check that this is the right file",
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
                None if std::mem::take(&mut self.merge_key_next) => {
                    *pending = Some((MERGE_KEY.to_string(), node.span));
                }
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
                                self.policy.rules.syntax,
                                span,
                                "a mapping key must be a plain value, not a list or mapping",
                                "use a string key",
                            );
                            return Err(());
                        }
                    };
                    // Most mappings hold a few keys: they are compared with each, and a set is
                    // kept only for a large one (a spec's thousands of services).
                    let repeated = if entries.len() < SMALL_MAP {
                        entries.iter().any(|e| e.key == key)
                    } else {
                        if keys.is_empty() {
                            keys.extend(entries.iter().map(|e| e.key.clone()));
                        }
                        !keys.insert(key.clone())
                    };
                    if repeated {
                        let span = node.span;
                        // A placeholder keeps the parser in step; the first value wins.
                        *pending = Some((String::from("\u{0}duplicate"), span));
                        let msg = format!("the key `{key}` appears twice in this mapping");
                        self.error(
                            self.policy.rules.duplicate_key,
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
