//! What the rules read from HCL expressions without evaluating them: literal values, the
//! literal pieces of a string template, the resources an expression refers to, and an
//! expression's text for comparing two of them.
//!
//! Terraform knows most values only at plan time; a rule concludes only from what is written
//! literally and stays quiet about the rest.

use std::ops::Range;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::template::Element;
use hcl_edit::visit::{self, Visit};

use crate::diag::Span;

/// A span from hcl-edit's byte range (every parsed node has one; an empty span otherwise).
pub fn span(range: Option<Range<usize>>) -> Span {
    range.map_or_else(Span::default, |r| Span::new(r.start, r.end))
}

/// The attribute `key` of a body.
pub fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Attribute> {
    body.get_attribute(key)
}

/// The value of the attribute `key` of a body.
pub fn value<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.get_attribute(key).map(|a| &a.value)
}

/// The blocks `ident` of a body.
pub fn blocks<'a>(body: &'a Body, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    body.get_blocks(ident)
}

/// The first block `ident` of a body.
pub fn block<'a>(body: &'a Body, ident: &'a str) -> Option<&'a Block> {
    body.get_blocks(ident).next()
}

/// Whether a body writes its blocks `name` with a `dynamic "name"` block: what they hold
/// is known only at plan time.
pub fn has_dynamic(body: &Body, name: &str) -> bool {
    blocks(body, "dynamic").any(|d| labels(d).first() == Some(&name))
}

/// The value of a string literal, or of a quoted template without interpolations.
pub fn string(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for element in t.iter() {
                match element {
                    Element::Literal(l) => out.push_str(l.value()),
                    _ => return None,
                }
            }
            Some(out)
        }
        Expression::Parenthesis(p) => string(p.inner()),
        _ => None,
    }
}

/// The value of a `true` or `false` literal.
pub fn boolean(expr: &Expression) -> Option<bool> {
    match expr {
        Expression::Bool(b) => Some(*b.value()),
        Expression::Parenthesis(p) => boolean(p.inner()),
        _ => None,
    }
}

/// The value of a whole-number literal.
pub fn whole_number(expr: &Expression) -> Option<u64> {
    match expr {
        Expression::Number(n) => n.value().as_u64(),
        Expression::Parenthesis(p) => whole_number(p.inner()),
        _ => None,
    }
}

/// Whether the value is written literally (a string, number, bool or null with nothing to
/// evaluate).
pub fn is_literal(expr: &Expression) -> bool {
    matches!(expr, Expression::Number(_) | Expression::Bool(_) | Expression::Null(_)) || string(expr).is_some()
}

/// One piece of a quoted string: literal text, or something known only at plan time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Unknown,
}

/// The pieces of a quoted string (`"repo:${var.repo}:ref:refs/heads/main"`), adjacent texts
/// joined; `None` for an expression that is not a quoted string (a variable, a function call).
pub fn pieces(expr: &Expression) -> Option<Vec<Piece>> {
    let mut out: Vec<Piece> = Vec::new();
    match expr {
        Expression::String(s) => out.push(Piece::Text(s.value().clone())),
        Expression::StringTemplate(t) => {
            for element in t.iter() {
                match element {
                    Element::Literal(l) => match out.last_mut() {
                        Some(Piece::Text(text)) => text.push_str(l.value()),
                        _ => out.push(Piece::Text(l.value().clone())),
                    },
                    _ => {
                        if out.last() != Some(&Piece::Unknown) {
                            out.push(Piece::Unknown);
                        }
                    }
                }
            }
        }
        Expression::Parenthesis(p) => return pieces(p.inner()),
        _ => return None,
    }
    Some(out)
}

/// The references in an expression, as dotted paths of their leading attribute accesses:
/// `azurerm_user_assigned_identity.ci.principal_id`, `var.acr_id`, `each.value`.
pub fn references(expr: &Expression) -> Vec<String> {
    struct Refs(Vec<String>);
    impl Visit for Refs {
        fn visit_traversal(&mut self, node: &hcl_edit::expr::Traversal) {
            if let Expression::Variable(root) = &node.expr {
                let mut path = root.as_str().to_string();
                for op in &node.operators {
                    match op.value() {
                        TraversalOperator::GetAttr(name) => {
                            path.push('.');
                            path.push_str(name.as_str());
                        }
                        _ => break,
                    }
                }
                self.0.push(path);
            }
            visit::visit_traversal(self, node);
        }
        fn visit_expr(&mut self, node: &Expression) {
            if let Expression::Variable(v) = node {
                self.0.push(v.as_str().to_string());
            }
            visit::visit_expr(self, node);
        }
    }
    let mut refs = Refs(Vec::new());
    refs.visit_expr(expr);
    refs.0
}

/// Whether an expression refers to anything under `prefix` (`each.`, `count.index`).
pub fn refers_to(expr: &Expression, prefixes: &[&str]) -> bool {
    references(expr).iter().any(|r| prefixes.iter().any(|p| r == p.trim_end_matches('.') || r.starts_with(p)))
}

/// An expression's source text without whitespace, for telling whether two expressions are
/// written the same (`azurerm_user_assigned_identity.ci.principal_id`).
pub fn text(source: &str, expr: &Expression) -> String {
    use hcl_edit::Span as _;
    expr.span()
        .and_then(|r| source.get(r))
        .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default()
}

/// The span of a block's header: its identifier and labels (`resource "a" "b"`).
pub fn header(block: &Block) -> Span {
    use hcl_edit::Span as _;
    let start = span(block.ident.span());
    let end = block.labels.last().map_or(start, |l| span(l.span()));
    Span::new(start.start, end.end)
}

/// The labels of a block, as strings.
pub fn labels(block: &Block) -> Vec<&str> {
    block.labels.iter().map(|l| l.as_str()).collect()
}

/// The line comments of a Terraform file (`#` and `//`, each to the end of its line), as HCL
/// reads them: strings, quoted templates and heredocs are expressions, so a `#` inside one is
/// data, and a `/* */` comment is skipped whole. None when the file does not parse (what is
/// data is then unknown). `text` is what hcl-edit parses (a byte-order mark made spaces).
pub fn comments(text: &str) -> Vec<Span> {
    struct Data(Vec<Span>);
    impl Visit for Data {
        fn visit_expr(&mut self, node: &Expression) {
            use hcl_edit::Span as _;
            match node {
                Expression::String(_) | Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
                    self.0.push(span(node.span()))
                }
                _ => visit::visit_expr(self, node),
            }
        }
        // Block labels (`resource "type" "name"`).
        fn visit_string(&mut self, node: &hcl_edit::Decorated<String>) {
            use hcl_edit::Span as _;
            self.0.push(span(node.span()))
        }
    }
    let Ok(body) = hcl_edit::parser::parse_body(text) else { return Vec::new() };
    let mut data = Data(Vec::new());
    data.visit_body(&body);
    data.0.sort();
    let mut data = data.0.into_iter().peekable();
    let bytes = text.as_bytes();
    let line_end = |from: usize| text[from..].find(['\n', '\r']).map_or(text.len(), |i| from + i);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while data.next_if(|s| s.end <= i).is_some() {}
        if let Some(s) = data.peek().filter(|s| s.start <= i) {
            i = s.end;
            continue;
        }
        match (bytes[i], bytes.get(i + 1)) {
            (b'#', _) | (b'/', Some(b'/')) => {
                let end = line_end(i);
                out.push(Span::new(i, end));
                i = end;
            }
            (b'/', Some(b'*')) => i = text[i + 2..].find("*/").map_or(text.len(), |e| i + 2 + e + 2),
            _ => i += 1,
        }
    }
    out
}
