//! Edits to YAML text that keep every other byte: a key added to a block mapping at its
//! indentation, with the file's line ending, and a scalar replaced in place.
//!
//! Made on the spans of gen's own YAML loader rather than with zizmor's `yamlpatch`: that
//! crate queries its documents through a second parser (tree-sitter's YAML grammar, a C
//! library) whose reading could differ from the one the rules judged, and the two edits the
//! fixes need (add a key under a mapping, replace a scalar) are a few lines on spans this
//! loader already keeps. Anything these edits cannot place for certain (a flow mapping `{...}`,
//! an empty mapping, a key under a sequence that is not there) gets no fix.

use crate::diag::Segment;
use crate::yaml::{self, Node, Policy, Tags, Value};

crate::declare_rule! {
    /// The YAML a fix reads could not be parsed (never reported: the file's own lint says so).
    static UNREADABLE = ("FIX000", "unreadable", Error);
}

static RULES: yaml::Rules = yaml::Rules {
    syntax: &UNREADABLE,
    encoding: &UNREADABLE,
    empty: &UNREADABLE,
    multiple_documents: &UNREADABLE,
    duplicate_key: &UNREADABLE,
    limits: &UNREADABLE,
};

static POLICY: Policy = Policy {
    what: "a file to fix",
    max_bytes: 16 * 1024 * 1024,
    max_depth: 100,
    max_nodes: 2_000_000,
    max_alias_nodes: 100_000,
    multi_document: true,
    tags: Tags::Core,
    rules: &RULES,
    empty_help: "",
};

/// A file's YAML documents. Spans are in the text without its byte-order mark; `bom` is the
/// length of that mark, added back to every edit.
pub struct Yaml {
    pub bom: usize,
    pub docs: Vec<Node>,
}

impl Yaml {
    /// The documents of `text`, or `None` when it is not YAML the loader reads.
    pub fn parse(text: &str) -> Option<Yaml> {
        let loaded = yaml::load("fix", text.as_bytes(), &POLICY);
        let docs = loaded.documents.ok()?;
        let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        Some(Yaml { bom, docs: docs.into_iter().map(|d| d.root).collect() })
    }

    /// The document that holds the byte `at` of the file's text.
    pub fn doc_at(&self, at: usize) -> Option<&Node> {
        let at = at.checked_sub(self.bom)?;
        self.docs.iter().find(|d| {
            let (start, end) = extent(d);
            start <= at && at <= end
        })
    }
}

/// The bytes a node's text covers, its descendants included (a collection's own span is only
/// where it opens).
pub fn extent(node: &Node) -> (usize, usize) {
    let (mut start, mut end) = (node.span.start, node.span.end);
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                let (s, t) = extent(&e.value);
                start = start.min(e.key_span.start).min(s);
                end = end.max(e.key_span.end).max(t);
            }
        }
        Value::Seq(items) => {
            for i in items {
                let (s, t) = extent(i);
                start = start.min(s);
                end = end.max(t);
            }
        }
        _ => {}
    }
    (start, end)
}

/// The nodes from `root` down to the deepest one whose text holds `at` (bytes of the text
/// without its byte-order mark).
pub fn ancestors(root: &Node, at: usize) -> Vec<&Node> {
    let mut out = vec![root];
    let mut node = root;
    loop {
        let holds = |n: &Node| {
            let (s, e) = extent(n);
            s <= at && at < e.max(s + 1)
        };
        let next = match &node.value {
            Value::Map(entries) => entries.iter().map(|e| &e.value).find(|n| holds(n)),
            Value::Seq(items) => items.iter().find(|n| holds(n)),
            _ => None,
        };
        match next {
            Some(n) => {
                out.push(n);
                node = n;
            }
            None => return out,
        }
    }
}

/// Where the line holding `at` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Where the line after the one holding `at` starts (the text's end on its last line).
fn next_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Whether a mapping is written in block style with at least one key (not `{...}`, not empty).
fn is_block_map(text: &str, node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => !entries.is_empty() && !text[node.span.start..].starts_with('{'),
        _ => false,
    }
}

/// The column of a block mapping's keys, when its first key starts its line (after spaces and
/// the `- ` of a sequence item).
fn key_column(text: &str, map: &Node) -> Option<usize> {
    let Value::Map(entries) = &map.value else { return None };
    let first = entries.first()?;
    let start = line_start(text, first.key_span.start);
    let prefix = &text[start..first.key_span.start];
    prefix.bytes().all(|b| b == b' ' || b == b'-').then_some(prefix.len())
}

/// The indentation step of a document: how much deeper the first mapping nested in a mapping
/// is written (2 when the document does not say).
pub fn indent_unit(text: &str, root: &Node) -> usize {
    fn find(text: &str, node: &Node) -> Option<usize> {
        let Value::Map(entries) = &node.value else {
            if let Value::Seq(items) = &node.value {
                return items.iter().find_map(|i| find(text, i));
            }
            return None;
        };
        let outer = key_column(text, node);
        for e in entries {
            if is_block_map(text, &e.value)
                && let (Some(outer), Some(inner)) = (outer, key_column(text, &e.value))
                && inner > outer
                && line_start(text, e.key_span.start) != line_start(text, e.value.span.start)
            {
                return Some(inner - outer);
            }
            if let Some(found) = find(text, &e.value) {
                return Some(found);
            }
        }
        None
    }
    find(text, root).unwrap_or(2)
}

/// The edit that adds `keys` (nested, the last one set to `leaf`, written as is) to the block
/// mapping `map`, after its last entry and at its keys' column. `text` is the file's text
/// without its byte-order mark.
pub fn add_under(text: &str, map: &Node, keys: &[&str], leaf: &str, unit: usize) -> Option<(usize, String)> {
    if !is_block_map(text, map) || keys.is_empty() {
        return None;
    }
    let column = key_column(text, map)?;
    let (_, end) = extent(map);
    let at = if end > 0 && text.as_bytes()[end - 1] == b'\n' { end } else { next_line(text, end) };
    let eol = super::eol_at(text, line_start(text, end.saturating_sub(1).min(text.len())));
    let mut lines = String::new();
    if at == text.len() && !text.ends_with('\n') {
        lines.push_str(eol);
    }
    for (depth, key) in keys.iter().enumerate() {
        lines.push_str(&" ".repeat(column + depth * unit));
        lines.push_str(key);
        lines.push(':');
        if depth + 1 == keys.len() {
            lines.push(' ');
            lines.push_str(leaf);
        }
        lines.push_str(eol);
    }
    Some((at, lines))
}

/// The edit that sets the value at `route` under `root` to `leaf` when nothing is written
/// there: the keys missing below the deepest mapping that exists are added to it. `None` when
/// a value is already there (set otherwise on purpose, or to this), or a missing step is a
/// sequence item, or the mapping is not one [`add_under`] edits.
pub fn ensure(text: &str, root: &Node, route: &[Segment], leaf: &str, unit: usize) -> Option<(usize, String)> {
    let mut node = root;
    let mut i = 0;
    while i < route.len() {
        let next = match (&node.value, &route[i]) {
            (Value::Map(entries), Segment::Key(k)) => entries.iter().find(|e| e.key == *k).map(|e| &e.value),
            (Value::Seq(items), Segment::Index(n)) => Some(items.get(*n)?),
            _ => return None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
        i += 1;
    }
    if i == route.len() {
        return None;
    }
    let keys: Vec<&str> = route[i..]
        .iter()
        .map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
        .collect::<Option<_>>()?;
    add_under(text, node, &keys, leaf, unit)
}

/// Where to add lines before the entry `key` of the block mapping `map`: the start of its line,
/// above the comments written right over it.
pub fn before_entry(text: &str, map: &Node, key: &str) -> Option<usize> {
    if !is_block_map(text, map) {
        return None;
    }
    let Value::Map(entries) = &map.value else { return None };
    let entry = entries.iter().find(|e| e.key == key)?;
    let mut at = line_start(text, entry.key_span.start);
    if !text[at..entry.key_span.start].bytes().all(|b| b == b' ') {
        return None;
    }
    while at > 0 {
        let above = line_start(text, at - 1);
        if text[above..at].trim_start().starts_with('#') {
            at = above;
        } else {
            break;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(keys: &[&str]) -> Vec<Segment> {
        keys.iter().map(|k| Segment::Key((*k).to_string())).collect()
    }

    #[test]
    fn a_missing_key_is_added_at_the_mapping_s_column_with_its_line_ending() {
        let text = "a:\r\n    b: 1 # note\r\n    c:\r\n      - x\r\nd: 2\r\n";
        let y = Yaml::parse(text).expect("yaml");
        let (at, lines) = ensure(text, &y.docs[0], &route(&["a", "e", "f"]), "true", 4).expect("edit");
        let mut fixed = text.to_string();
        fixed.insert_str(at, &lines);
        assert_eq!(fixed, "a:\r\n    b: 1 # note\r\n    c:\r\n      - x\r\n    e:\r\n        f: true\r\nd: 2\r\n");
        assert!(ensure(text, &y.docs[0], &route(&["a", "b"]), "2", 2).is_none(), "a value already there is kept");
    }

    #[test]
    fn a_quoted_scalar_ends_at_its_closing_quote_not_at_the_comment_after_it() {
        let text = "a: \"x\\\"y\" # keep\nb: 'it''s' # k\nc: z # k\n";
        let y = Yaml::parse(text).expect("yaml");
        let Value::Map(entries) = &y.docs[0].value else { panic!("a mapping") };
        let ends: Vec<&str> = entries.iter().map(|e| &text[e.value.span.start..e.value.span.end]).collect();
        assert_eq!(ends, ["\"x\\\"y\"", "'it''s'", "z"]);
    }

    #[test]
    fn a_flow_mapping_gets_no_edit_and_a_file_without_a_final_newline_gets_one() {
        let text = "a: {b: 1}";
        let y = Yaml::parse(text).expect("yaml");
        assert!(ensure(text, &y.docs[0], &route(&["a", "c"]), "2", 2).is_none());
        let text = "a:\n  b: 1";
        let y = Yaml::parse(text).expect("yaml");
        let (at, lines) = ensure(text, &y.docs[0], &route(&["a", "c"]), "2", 2).expect("edit");
        assert_eq!((at, lines.as_str()), (text.len(), "\n  c: 2\n"));
    }
}
