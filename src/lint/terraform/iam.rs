//! AWS IAM policy documents as the rules read them, wherever a module writes one: a
//! `jsonencode({...})` object, a JSON string or heredoc (`<<EOF ... EOF`, with `${...}`
//! interpolations), an `aws_iam_policy_document` data source's `statement` blocks, or a
//! variable or local holding one of these. Each becomes a list of [`Statement`]s whose strings
//! are [`Piece`]s: what is written literally, and what only the plan knows.
//!
//! A policy gen cannot read (a function's result, another data source's `json`) gives no
//! statements: the rules judge only what is written.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Body;
use hcl_edit::template::{Element, Template};

use super::hcl::{self, Piece};
use super::values::Values;
use super::{Document, Resource};
use crate::diag::Span;

/// The resources whose `policy` argument is an identity policy (what its holder may do).
pub const IDENTITY_POLICIES: &[&str] =
    &["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

/// A value of a JSON document written in HCL (a policy, an ECS task's container definitions).
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Str(Vec<Piece>),
    List(Vec<Node>),
    /// An object, with where it is written when it is HCL.
    Map(Vec<(String, Node)>, Option<Span>),
    /// A reference (`aws_iam_openid_connect_provider.github.arn`), by its text.
    Ref(String),
    /// A `true` or `false` written literally.
    Bool(bool),
    /// A number, or what gen cannot read.
    Other,
}

/// The JSON document `expr` writes: `jsonencode(...)`, a JSON string, or a variable or local
/// holding one; `None` for what gen cannot read. (A policy is read by [`document`].)
pub(crate) fn json_tree(expr: &Expression, values: &Values) -> Option<Node> {
    BUDGET.with(|b| b.set(MAX_NODES));
    let (expr, origin) = values.resolve(expr)?;
    let own = origin.is_none();
    match expr {
        Expression::FuncCall(f) if f.name.namespace.is_empty() && f.name.name.as_str() == "jsonencode" => {
            Some(node(f.args.iter().next()?, values, 0, own))
        }
        _ => match node(expr, values, 0, own) {
            Node::Str(pieces) => json(&pieces),
            _ => None,
        },
    }
}

/// The value of `key` in an object's entries.
pub(crate) fn entry<'a>(map: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    get(map, key)
}

/// One statement of a policy.
#[derive(Clone, Debug, Default)]
pub struct Statement {
    /// `Effect` is `Allow` (or not written): `None` when it is computed.
    pub allows: Option<bool>,
    /// `Action` (or `actions`): each value, `None` when the list is computed.
    pub actions: Option<Vec<Vec<Piece>>>,
    /// `Resource` (or `resources`).
    pub resources: Option<Vec<Vec<Piece>>>,
    /// `Principal`: each type (`Federated`, `Service`, `AWS`, `*`) with its identifiers, a
    /// reference by its text.
    pub principals: Vec<(String, Vec<Principal>)>,
    /// `Condition`: each test, variable and values; `None` when computed.
    pub conditions: Option<Vec<Condition>>,
    /// Where the statement is written (the policy's argument, for a JSON string).
    pub span: Span,
}

/// A principal's identifier.
#[derive(Clone, Debug)]
pub enum Principal {
    Written(Vec<Piece>),
    /// A reference to another resource's attribute, by its text.
    Ref(String),
    Unknown,
}

/// One condition of a statement.
#[derive(Clone, Debug)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    /// Each value; `None` when the list is computed.
    pub values: Option<Vec<Vec<Piece>>>,
}

/// A policy document written in a resource or data source.
pub struct Policy<'a> {
    pub owner: Resource<'a>,
    /// The argument it is written in (`policy`, `assume_role_policy`), none for a data source.
    pub argument: Option<&'static str>,
    pub statements: Vec<Statement>,
}

impl Policy<'_> {
    /// Where to report on the policy as a whole.
    pub fn span(&self) -> Span {
        self.argument.map_or_else(|| self.owner.header(), |a| self.owner.attr_span(a))
    }
}

/// The identity policies of a module's files (the policies of [`IDENTITY_POLICIES`], a role's
/// `inline_policy` blocks) and its `aws_iam_policy_document` data sources.
pub fn permission_policies<'a>(docs: &'a [Document]) -> Vec<Policy<'a>> {
    let mut out = Vec::new();
    for doc in docs {
        for r in IDENTITY_POLICIES.iter().flat_map(|t| doc.resources(t)) {
            if let Some(statements) = hcl::value(r.body(), "policy").and_then(|e| document(e, &doc.values)) {
                out.push(Policy { owner: r, argument: Some("policy"), statements });
            }
        }
        for r in doc.resources("aws_iam_role") {
            for block in hcl::blocks(r.body(), "inline_policy") {
                if let Some(statements) = hcl::value(&block.body, "policy").and_then(|e| document(e, &doc.values)) {
                    out.push(Policy { owner: r, argument: None, statements });
                }
            }
        }
        out.extend(policy_documents(doc));
    }
    out
}

/// The trust policies of a module's roles (`aws_iam_role.assume_role_policy`) and its
/// `aws_iam_policy_document` data sources (a trust policy is often written as one).
pub fn trust_policies<'a>(docs: &'a [Document]) -> Vec<Policy<'a>> {
    let mut out = Vec::new();
    for doc in docs {
        for r in doc.resources("aws_iam_role") {
            let Some(expr) = hcl::value(r.body(), "assume_role_policy") else { continue };
            if let Some(statements) = document(expr, &doc.values) {
                out.push(Policy { owner: r, argument: Some("assume_role_policy"), statements });
            }
        }
        out.extend(policy_documents(doc));
    }
    out
}

/// The `aws_iam_policy_document` data sources of a file.
fn policy_documents(doc: &Document) -> impl Iterator<Item = Policy<'_>> {
    doc.data_sources("aws_iam_policy_document").map(|r| {
        let statements =
            hcl::blocks(r.body(), "statement").map(|b| block_statement(&b.body, &doc.values, hcl::header(b))).collect();
        Policy { owner: r, argument: None, statements }
    })
}

/// A `statement` block of an `aws_iam_policy_document`.
fn block_statement(body: &Body, values: &Values, span: Span) -> Statement {
    BUDGET.with(|b| b.set(MAX_NODES));
    let string = |key: &str| hcl::value(body, key).and_then(|e| values.resolve(e)).and_then(|(e, _)| hcl::string(e));
    let list = |key: &str| match hcl::value(body, key) {
        None => Some(Vec::new()),
        Some(e) => strings(&node(e, values, 0, true)),
    };
    let allows = match hcl::value(body, "effect") {
        None => Some(true),
        Some(_) => string("effect").map(|e| e == "Allow"),
    };
    let principals = hcl::blocks(body, "principals")
        .map(|p| {
            let kind = hcl::value(&p.body, "type")
                .and_then(|e| values.resolve(e))
                .and_then(|(e, _)| hcl::string(e))
                .unwrap_or_default();
            let ids =
                hcl::value(&p.body, "identifiers").map_or_else(Vec::new, |e| principals(&node(e, values, 0, true)));
            (kind, ids)
        })
        .collect();
    let mut conditions = if hcl::has_dynamic(body, "condition") { None } else { Some(Vec::new()) };
    for c in hcl::blocks(body, "condition") {
        let read =
            |key: &str| hcl::value(&c.body, key).and_then(|e| values.resolve(e)).and_then(|(e, _)| hcl::string(e));
        let (Some(test), Some(variable)) = (read("test"), read("variable")) else {
            conditions = None;
            break;
        };
        let values = hcl::value(&c.body, "values").and_then(|e| strings(&node(e, values, 0, true)));
        if let Some(list) = conditions.as_mut() {
            list.push(Condition { test, variable, values });
        }
    }
    Statement { allows, actions: list("actions"), resources: list("resources"), principals, conditions, span }
}

/// Most levels of variables, locals and nesting followed into a policy.
const MAX_DEPTH: usize = 16;

/// Most values read into one policy: a local that holds itself ten times over would
/// otherwise be read ten to the sixteenth times.
const MAX_NODES: usize = 100_000;

thread_local! {
    /// The values [`node`] may still read into the policy being read.
    static BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(MAX_NODES) };
}

/// The statements of a policy written as `expr`: `jsonencode({...})`, a JSON string, or a
/// variable or local holding one. `None` for what gen cannot read.
pub fn document(expr: &Expression, values: &Values) -> Option<Vec<Statement>> {
    // Where a finding goes: the argument as written, in the resource's own file; a statement
    // of a variable's or local's value (maybe another file) is reported there.
    let span = hcl::span(expr.span());
    BUDGET.with(|b| b.set(MAX_NODES));
    let (expr, origin) = values.resolve(expr)?;
    let own = origin.is_none();
    let tree = match expr {
        Expression::FuncCall(f) if f.name.namespace.is_empty() && f.name.name.as_str() == "jsonencode" => {
            let arg = f.args.iter().next()?;
            node(arg, values, 0, own)
        }
        _ => match node(expr, values, 0, own) {
            Node::Str(pieces) => json(&pieces)?,
            _ => return None,
        },
    };
    statements(&tree, span)
}

/// The statements of a policy's tree.
fn statements(tree: &Node, span: Span) -> Option<Vec<Statement>> {
    let Node::Map(policy, _) = tree else { return None };
    let list = match get(policy, "Statement")? {
        Node::List(items) => items.iter().collect::<Vec<_>>(),
        one @ Node::Map(..) => vec![one],
        _ => return None,
    };
    let mut out = Vec::new();
    for item in list {
        let Node::Map(s, at) = item else { continue };
        let span = at.unwrap_or(span);
        let allows = match get(s, "Effect") {
            None => Some(true),
            Some(Node::Str(p)) => text(p).map(|e| e == "Allow"),
            Some(_) => None,
        };
        let list = |key: &str| get(s, key).map_or(Some(Vec::new()), strings);
        let principals = match get(s, "Principal") {
            None => Vec::new(),
            Some(Node::Str(p)) => vec![("*".to_string(), vec![Principal::Written(p.clone())])],
            Some(Node::Map(kinds, _)) => kinds.iter().map(|(k, v)| (k.clone(), principals(v))).collect(),
            Some(_) => vec![(String::new(), vec![Principal::Unknown])],
        };
        let conditions = match get(s, "Condition") {
            None => Some(Vec::new()),
            Some(Node::Map(tests, _)) => {
                let mut found = Some(Vec::new());
                for (test, vars) in tests {
                    let Node::Map(vars, _) = vars else {
                        found = None;
                        break;
                    };
                    for (variable, v) in vars {
                        if let Some(list) = found.as_mut() {
                            list.push(Condition { test: test.clone(), variable: variable.clone(), values: strings(v) });
                        }
                    }
                }
                found
            }
            Some(_) => None,
        };
        out.push(Statement {
            allows,
            actions: list("Action"),
            resources: list("Resource"),
            principals,
            conditions,
            span,
        });
    }
    Some(out)
}

fn get<'a>(map: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The whole text of pieces that are all literal.
fn text(pieces: &[Piece]) -> Option<String> {
    match pieces {
        [] => Some(String::new()),
        [Piece::Text(t)] => Some(t.clone()),
        _ => None,
    }
}

/// A string or a list of strings, as a list; `None` when any of it is not a string.
fn strings(node: &Node) -> Option<Vec<Vec<Piece>>> {
    match node {
        Node::Str(p) => Some(vec![p.clone()]),
        Node::List(items) => items.iter().map(|i| if let Node::Str(p) = i { Some(p.clone()) } else { None }).collect(),
        _ => None,
    }
}

/// The identifiers of a principal: a string, a reference, or a list of them.
fn principals(node: &Node) -> Vec<Principal> {
    let one = |n: &Node| match n {
        Node::Str(p) => Principal::Written(p.clone()),
        Node::Ref(r) => Principal::Ref(r.clone()),
        _ => Principal::Unknown,
    };
    match node {
        Node::List(items) => items.iter().map(one).collect(),
        other => vec![one(other)],
    }
}

/// An HCL expression as a policy value, variables and locals followed. `own`: the
/// expression is in the file being reported on (its objects keep their spans). An object
/// with a key gen cannot read (`"${local.issuer}:sub"`) is not read at all: what it holds
/// is unknown.
fn node(expr: &Expression, values: &Values, depth: usize, own: bool) -> Node {
    if depth > MAX_DEPTH || BUDGET.with(|b| b.replace(b.get().saturating_sub(1))) == 0 {
        return Node::Other;
    }
    let Some((expr, origin)) = values.resolve(expr) else {
        return match expr {
            Expression::Traversal(_) => reference(expr),
            _ => Node::Other,
        };
    };
    let own = own && origin.is_none();
    match expr {
        Expression::Parenthesis(p) => node(p.inner(), values, depth + 1, own),
        Expression::HeredocTemplate(h) => Node::Str(template_pieces(&h.template)),
        Expression::Array(items) => Node::List(items.iter().map(|e| node(e, values, depth + 1, own)).collect()),
        Expression::Object(map) => {
            let entries: Option<Vec<(String, Node)>> = map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(e) => hcl::string(e)?,
                    };
                    Some((key, node(v.expr(), values, depth + 1, own)))
                })
                .collect();
            entries.map_or(Node::Other, |e| Node::Map(e, own.then(|| hcl::span(expr.span()))))
        }
        Expression::Traversal(_) => reference(expr),
        Expression::Bool(b) => Node::Bool(*b.value()),
        // `merge(a, b, ...)` of objects (a branch of a condition, each of its objects): every
        // key either may set; an argument gen cannot read leaves the whole unknown.
        Expression::FuncCall(f) if f.name.namespace.is_empty() && f.name.name.as_str() == "merge" => {
            let mut entries: Vec<(String, Node)> = Vec::new();
            for arg in f.args.iter() {
                let branches: Vec<&Expression> = match arg {
                    Expression::Conditional(c) => vec![&c.true_expr, &c.false_expr],
                    other => vec![other],
                };
                for branch in branches {
                    match node(branch, values, depth + 1, own) {
                        Node::Map(more, _) => entries.extend(more),
                        _ => return Node::Other,
                    }
                }
            }
            Node::Map(entries, own.then(|| hcl::span(expr.span())))
        }
        other => hcl::pieces(other).map_or(Node::Other, Node::Str),
    }
}

/// A reference, by its leading attribute accesses (`aws_iam_openid_connect_provider.x.arn`).
fn reference(expr: &Expression) -> Node {
    hcl::references(expr).into_iter().next().map_or(Node::Other, Node::Ref)
}

/// The pieces of a heredoc's template.
fn template_pieces(template: &Template) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for element in template.iter() {
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
    out
}

/// Stands for an interpolation inside a JSON policy while it is parsed (a private-use
/// character: JSON allows it unescaped in a string, and no policy holds one).
const HOLE: char = '\u{E000}';

/// A JSON policy written as a string, its interpolations kept as unknown pieces; `None` when
/// the text is not JSON (an interpolation in the place of a whole value, a typo).
fn json(pieces: &[Piece]) -> Option<Node> {
    let flat: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.clone(),
            Piece::Unknown => HOLE.to_string(),
        })
        .collect();
    let value: serde_json::Value = serde_json::from_str(&flat).ok()?;
    Some(from_json(&value))
}

fn from_json(value: &serde_json::Value) -> Node {
    match value {
        serde_json::Value::String(s) => {
            let mut out = Vec::new();
            for (i, part) in s.split(HOLE).enumerate() {
                if i > 0 {
                    out.push(Piece::Unknown);
                }
                if !part.is_empty() {
                    out.push(Piece::Text(part.to_string()));
                }
            }
            Node::Str(out)
        }
        serde_json::Value::Array(items) => Node::List(items.iter().map(from_json).collect()),
        // A key with an interpolation in it is not known.
        serde_json::Value::Object(map) if map.keys().any(|k| k.contains(HOLE)) => Node::Other,
        serde_json::Value::Object(map) => Node::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect(), None),
        serde_json::Value::Bool(b) => Node::Bool(*b),
        _ => Node::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(hcl: &str) -> Vec<Statement> {
        let body = hcl_edit::parser::parse_body(hcl).expect("hcl");
        document(hcl::value(&body, "policy").expect("policy"), &Values::default()).expect("statements")
    }

    fn t(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn a_policy_reads_the_same_written_as_jsonencode_json_or_a_heredoc_with_interpolations() {
        let forms = [
            r#"policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:${var.x}:y" }] })"#,
            r#"policy = "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:${var.x}:y\"}}""#,
            "policy = <<EOF\n{\"Statement\": [{\"Action\": [\"*\"], \"Resource\": \"arn:${var.x}:y\"}]}\nEOF\n",
        ];
        for form in forms {
            let s = &read(form)[0];
            assert_eq!(s.allows, Some(true), "{form}");
            assert_eq!(s.actions, Some(vec![vec![t("*")]]), "{form}");
            assert_eq!(s.resources, Some(vec![vec![t("arn:"), Piece::Unknown, t(":y")]]), "{form}");
        }
    }

    #[test]
    fn conditions_and_principals_keep_what_is_computed_apart() {
        let s = &read(
            r#"policy = jsonencode({ Statement = [{
                 Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
                 Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = ["repo:a/b:*"] } } }] })"#,
        )[0];
        let (kind, ids) = &s.principals[0];
        assert_eq!(kind, "Federated");
        assert!(matches!(&ids[0], Principal::Ref(r) if r == "aws_iam_openid_connect_provider.github.arn"));
        let c = &s.conditions.as_ref().expect("written")[0];
        assert_eq!((c.test.as_str(), c.variable.as_str()), ("StringLike", "token.actions.githubusercontent.com:sub"));
        assert_eq!(c.values, Some(vec![vec![t("repo:a/b:*")]]));
        assert!(read(r#"policy = jsonencode({ Statement = [{ Condition = var.c }] })"#)[0].conditions.is_none());
    }

    #[test]
    fn what_is_not_a_policy_gives_nothing() {
        let body =
            hcl_edit::parser::parse_body("a = data.x.y.json\nb = \"not json\"\nc = file(\"p.json\")").expect("hcl");
        for key in ["a", "b", "c"] {
            assert!(document(hcl::value(&body, key).expect("key"), &Values::default()).is_none(), "{key}");
        }
    }
}
