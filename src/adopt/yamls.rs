//! YAML files read with the project's loader (positions kept): the small accessors the readers
//! share.

use std::sync::Arc;

use super::model::Origin;
use super::walk::RepoFile;
use crate::diag::Source;
use crate::yaml::{self, Node, Policy, Value};

/// A YAML file's documents and the text their spans point into.
pub struct Yaml {
    pub source: Arc<Source>,
    pub docs: Vec<Node>,
}

impl Yaml {
    /// Where a node is, as `file:line`.
    pub fn at(&self, node: &Node) -> Origin {
        Origin::new(self.source.name(), self.source.position(node.span).line)
    }
}

/// Loads a file as a manifest (`kubectl`'s reading: several documents, YAML 1.1 scalars) or,
/// with `manifest` false, as one document of YAML 1.2 (a workflow, a compose file, chart values).
pub fn load(file: &RepoFile, manifest: bool) -> Result<Yaml, String> {
    let policy: &Policy = if manifest { &crate::lint::kubernetes::POLICY } else { &crate::lint::workflow::POLICY };
    let loaded = yaml::load(&file.rel, file.text.as_bytes(), policy);
    match loaded.documents {
        Ok(docs) => Ok(Yaml { source: loaded.source, docs: docs.into_iter().map(|d| d.root).collect() }),
        Err(diags) => {
            let why = diags.first().map_or_else(
                || "not YAML".to_string(),
                |d| {
                    let line = d.span.map(|s| loaded.source.position(s).line).unwrap_or(0);
                    format!("not YAML gen reads (line {line}: {})", d.message)
                },
            );
            Err(why)
        }
    }
}

/// A scalar as text: a string, or a number or boolean as written.
pub fn text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A whole number, written as one or as a string of digits.
pub fn int(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The node at a path of mapping keys.
pub fn path<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(node, |n, k| n.get(k))
}

/// The items of a sequence (none for anything else).
pub fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

/// The entries of a mapping (none for anything else).
pub fn entries(node: Option<&Node>) -> &[yaml::Entry] {
    match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => entries,
        _ => &[],
    }
}
