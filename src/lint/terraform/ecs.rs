//! What the rules read of an `aws_ecs_task_definition`: its containers, from its
//! `container_definitions` (`jsonencode([...])`, a JSON string, or a variable or local holding
//! one; a `merge` of objects is read as every key either may set).

use super::iam::{Node, entry, json_tree};
use super::{Resource, hcl};
use crate::diag::Span;

/// One container of a task definition: what it writes, and where (the object in HCL, else the
/// argument).
pub(crate) struct Container {
    pub(crate) entries: Vec<(String, Node)>,
    pub(crate) span: Span,
}

impl Container {
    /// The container's `name`, or `?`.
    pub(crate) fn name(&self) -> String {
        match self.get("name") {
            Some(Node::Str(pieces)) => match pieces.as_slice() {
                [hcl::Piece::Text(t)] => t.clone(),
                _ => "?".into(),
            },
            _ => "?".into(),
        }
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        entry(&self.entries, key)
    }
}

/// The containers of a task definition; `None` when gen cannot read them.
pub(crate) fn containers(r: &Resource<'_>) -> Option<Vec<Container>> {
    use hcl_edit::Span as _;
    let expr = hcl::value(r.body(), "container_definitions")?;
    let at = hcl::span(expr.span());
    let Node::List(items) = json_tree(expr, &r.doc.values)? else { return None };
    items
        .into_iter()
        .map(|item| match item {
            Node::Map(entries, span) => Some(Container { entries, span: span.unwrap_or(at) }),
            _ => None,
        })
        .collect()
}
