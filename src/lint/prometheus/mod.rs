//! The Prometheus rules family: rules files as Prometheus and `promtool check rules` read
//! them (`groups:`, each with `rules:` of `record:` or `alert:` and an `expr:`), gen's
//! (`monitoring/rules.yaml`) or hand-written. Every expression is parsed as PromQL
//! (the `promql-parser` crate), so one Prometheus would refuse is a finding at its line, and
//! the rules read the parsed query for the classic mistakes: a rate over too few scrapes, a
//! quantile of buckets summed without `le`, an alert that fires on one bad sample, that no
//! route can tell from another, or that says nothing of what to do.
//!
//! The same checks read the queries of Kubernetes objects, which the Kubernetes family finds
//! ([`Document::of_object`]): a PrometheusRule's groups (prometheus-operator's, or Azure's
//! managed Prometheus' `azmonitoring.coreos.com` one), and the panels of a Grafana dashboard
//! kept in a ConfigMap, as Grafana's sidecar loads it ([`Document::of_dashboard`]), whose
//! queries must also read series something exports (PROM008).

mod rules;

pub use rules::CHECKS;

use std::sync::Arc;

use promql_parser::parser::Expr;

use super::{Artifact, Emit, Family, Recognition, drive, file_name};
use crate::diag::{Diagnostic, Diagnostics, Rule, Source, Span};
use crate::yaml::{self, Node, Policy, Tags, Value};

/// The family, as listed in [`super::FAMILIES`].
pub static FAMILY: PrometheusFamily = PrometheusFamily;

/// Prometheus rules files.
pub struct PrometheusFamily;

/// The annotation of a dashboard's ConfigMap that declares the metrics the service it shows
/// exports (names, separated by spaces or commas): gen writes its blueprint's declaration
/// there, and a hand-written dashboard may too.
pub const EXPORTED_ANNOTATION: &str = "metrics.gen.dev/exported";

/// How a rules file is read (Prometheus reads it with go-yaml v3: YAML 1.2 scalars).
static POLICY: Policy = Policy {
    what: "a Prometheus rules file",
    max_bytes: 16 * 1024 * 1024,
    max_depth: 64,
    max_nodes: 1_000_000,
    max_alias_nodes: 100_000,
    multi_document: false,
    tags: Tags::Core,
    rules: &rules::YAML_RULES,
    empty_help: "a rules file lists its rule groups under `groups:`",
};

/// The longest expression parsed: real rules are a few hundred bytes (gen's hold a service's
/// probe paths, which may be 8 KiB each, six times); past this the query is reported rather
/// than parsed.
pub const MAX_EXPR_BYTES: usize = 256 * 1024;

/// The deepest nesting of brackets an expression may have to be parsed.
pub const MAX_EXPR_NESTING: usize = 128;

impl Family for PrometheusFamily {
    fn name(&self) -> &'static str {
        "prometheus"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).collect()
    }

    fn comments(&self, text: &str) -> Vec<Span> {
        yaml::comments(text)
    }

    /// A `.yml` or `.yaml` file whose top-level keys are `groups:` (and nothing of a
    /// Kubernetes object's: a PrometheusRule is the Kubernetes family's) with a `rules:` in it.
    fn recognises(&self, path: &str, text: &str) -> Recognition {
        let name = file_name(path);
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
            return Recognition::No;
        }
        let mut groups = false;
        for line in text.lines().filter(|l| l.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '"')) {
            match line.split_once(':').map(|(k, _)| k.trim_matches(['"', ' '])) {
                Some("groups") => groups = true,
                Some(_) => return Recognition::No,
                None => {}
            }
        }
        if groups && text.contains("rules:") { Recognition::Yes } else { Recognition::No }
    }

    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        drive(CHECKS, files, |a: &Artifact| Document::parse(&a.source), &mut |file, mut found| {
            super::past_byte_order_mark(file.source.text(), &mut found);
            found.sort_by_key(|d| d.span);
            emit(file, found)
        });
    }
}

/// One rule of a group: what it records or alerts on, and its query, parsed.
pub struct RuleEntry {
    /// The rule's mapping, without its `expr` (read into `query`, where it is written at
    /// `expr_span`).
    pub node: Node,
    /// `record` or `alert` (`panel` for a dashboard's query), with its name (the panel's
    /// title) and where it is written.
    pub kind: &'static str,
    pub name: String,
    pub name_span: Span,
    /// Where the `expr` string is written, and the query it holds, parsed: `None` when it does
    /// not parse (PROM002 says why).
    pub expr_span: Span,
    pub query: Option<Expr>,
    /// Why the query does not parse.
    pub query_error: Option<String>,
}

impl RuleEntry {
    /// Whether it is an alerting rule.
    pub fn is_alert(&self) -> bool {
        self.kind == "alert"
    }

    /// How findings name it: ``the alert rule `X` ``, ``the panel `Errors` ``.
    pub fn what(&self) -> String {
        match self.kind {
            "panel" => format!("the panel `{}`", self.name),
            kind => format!("the {kind} rule `{}`", self.name),
        }
    }

    /// The string at `key` of a mapping of the rule (`labels`, `annotations`).
    pub fn string_in(&self, map: &str, key: &str) -> Option<&str> {
        self.node.get(map)?.get(key)?.as_str()
    }
}

/// One rules file.
pub struct Document {
    pub source: Arc<Source>,
    /// Why the file, or a part of it, is not a rules file Prometheus would load (PROM001).
    pub syntax: Diagnostics,
    /// Every rule of every group, in order; a dashboard's panel queries.
    pub rules: Vec<RuleEntry>,
    /// Whether it is a dashboard (its entries are panels' queries, which read series that
    /// something must export).
    pub dashboard: bool,
    /// What the service it shows exports, as its ConfigMap declares ([`EXPORTED_ANNOTATION`]).
    pub exports: Option<Arc<[String]>>,
}

impl Document {
    /// Reads a file.
    pub fn parse(source: &Arc<Source>) -> Document {
        let loaded = yaml::load_source(source, &POLICY);
        let mut doc =
            Document { source: loaded.source, syntax: Vec::new(), rules: Vec::new(), dashboard: false, exports: None };
        match loaded.documents {
            Ok(mut docs) if !docs.is_empty() => {
                let root = docs.swap_remove(0).root;
                doc.read_groups(root);
            }
            Ok(_) => {}
            Err(problems) => doc.syntax = problems,
        }
        doc
    }

    /// The rule groups of a PrometheusRule object (`spec`, which holds `groups:` as a rules
    /// file does), in the manifest `source` it is written in.
    pub fn of_object(source: &Arc<Source>, spec: &Node) -> Document {
        let mut doc =
            Document { source: source.clone(), syntax: Vec::new(), rules: Vec::new(), dashboard: false, exports: None };
        doc.read_groups(spec.clone());
        doc
    }

    /// The queries of a Grafana dashboard's panels (and of the panels of its collapsed rows),
    /// from `json`, the dashboard's JSON model as a ConfigMap's `data` entry holds it. Each
    /// query is placed where its JSON string is written in the manifest, when it is written
    /// as its JSON encoding (a literal block), else at the entry. Queries of another data
    /// source than Prometheus (Loki's LogQL) are left out; Grafana's variables are given a
    /// value of their kind before the query is parsed (`$__rate_interval`: 5m).
    pub fn of_dashboard(source: &Arc<Source>, json: &Node, exports: Option<Arc<[String]>>) -> Option<Document> {
        let model: serde_json::Value = serde_json::from_str(json.as_str()?).ok()?;
        model.get("panels")?.as_array()?;
        let mut doc =
            Document { source: source.clone(), syntax: Vec::new(), rules: Vec::new(), dashboard: true, exports };
        let text = source.text();
        let mut cursor = json.span.start;
        for (title, expr) in crate::render::dashboard::expressions(&model) {
            let written = serde_json::to_string(&expr).unwrap_or_default();
            let span = match text.get(cursor..json.span.end).and_then(|rest| rest.find(&written)) {
                Some(at) => {
                    let start = cursor + at;
                    cursor = start + written.len();
                    Span::new(start, cursor)
                }
                None => json.span,
            };
            let (query, query_error) = match parse(&grafana_query(&expr)) {
                Ok(q) => (Some(without_automata(q)), None),
                Err(e) => (None, Some(e)),
            };
            doc.rules.push(RuleEntry {
                node: Node { span, value: Value::Null },
                kind: "panel",
                name: title,
                name_span: span,
                expr_span: span,
                query,
                query_error,
            });
        }
        Some(doc)
    }

    /// How findings name the file.
    pub fn file(&self) -> &str {
        self.source.name()
    }

    /// A finding at `span`.
    pub fn at(&self, rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, self.file(), Some(span), message)
    }

    fn syntax(&mut self, span: Span, message: String, help: &str) {
        let d = self.at(&rules::RULES_FILE_SYNTAX, span, message).help(help);
        self.syntax.push(d);
    }

    /// Reads the rule groups of `root`, each rule's mapping moved into its entry: a rules file
    /// of thousands of rules is held once.
    fn read_groups(&mut self, mut root: Node) {
        let what = root.type_name();
        let Some(groups) = take(&mut root, "groups") else {
            let message = format!("a rules file is a mapping with `groups:`, not {what}");
            return self.syntax(root.span, message, "list the rule groups under `groups:`");
        };
        let (span, what) = (groups.span, groups.type_name());
        let Value::Seq(groups) = groups.value else {
            let message = format!("`groups` is a list of rule groups, not {what}");
            return self.syntax(span, message, "write each group as `- name: ...` with its `rules:`");
        };
        let mut names: Vec<String> = Vec::new();
        for mut group in groups {
            match group.get("name").and_then(Node::as_str) {
                Some(name) if names.iter().any(|n| n == name) => {
                    let span = group.get("name").map_or(group.span, |n| n.span);
                    self.syntax(
                        span,
                        format!("the group `{name}` is named twice"),
                        "Prometheus refuses the whole file: rename one",
                    );
                }
                Some(name) => names.push(name.to_string()),
                None => self.syntax(group.span, "a rule group has no `name`".into(), "give each group a `name:`"),
            }
            let Some(Node { value: Value::Seq(rules), .. }) = take(&mut group, "rules") else {
                self.syntax(group.span, "a rule group has no list of `rules`".into(), "list its rules under `rules:`");
                continue;
            };
            for rule in rules {
                self.read_rule(rule);
            }
        }
    }

    fn read_rule(&mut self, mut rule: Node) {
        let record = rule.get("record");
        let alert = rule.get("alert");
        let (kind, name) = match (record, alert) {
            (Some(n), None) => ("record", n),
            (None, Some(n)) => ("alert", n),
            _ => {
                let message = "a rule has both `record` and `alert`, or neither";
                return self.syntax(
                    rule.span,
                    message.into(),
                    "a rule records a series (`record:`) or alerts (`alert:`)",
                );
            }
        };
        let (name, name_span) = (name.as_str().unwrap_or_default().to_string(), name.span);
        let Some(Node { span: expr_span, value: Value::Str(text) }) = take(&mut rule, "expr") else {
            let message = format!("the {kind} rule has no `expr` string");
            return self.syntax(rule.span, message, "write its PromQL query under `expr:`");
        };
        let (query, query_error) = match parse(&text) {
            Ok(q) => (Some(without_automata(q)), None),
            Err(e) => (None, Some(e)),
        };
        self.rules.push(RuleEntry { node: rule, kind, name, name_span, expr_span, query, query_error });
    }
}

/// The value at `key` of the mapping `node`, taken out of it (a null left in its place).
fn take(node: &mut Node, key: &str) -> Option<Node> {
    let Value::Map(entries) = &mut node.value else { return None };
    let entry = entries.iter_mut().find(|e| e.key == key)?;
    let span = entry.value.span;
    Some(std::mem::replace(&mut entry.value, Node { span, value: Value::Null }))
}

/// A Grafana query with its variables given values of their kind, as Grafana substitutes
/// them before Prometheus reads it: the rate interval 5m, the interval 1m, the range a day,
/// any other variable in a range selector 5m, and `x` elsewhere (a label value, a name).
pub fn grafana_query(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(at) = rest.find(['$', '[']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // `[[name]]`, Grafana's old form, or `$name` / `${name}` / `${name:format}`.
        let (name, len) = if let Some(inner) = rest.strip_prefix("[[") {
            match inner.find("]]") {
                Some(end) => (&inner[..end], end + 4),
                None => {
                    out.push('[');
                    rest = &rest[1..];
                    continue;
                }
            }
        } else if rest.starts_with('[') {
            out.push('[');
            rest = &rest[1..];
            continue;
        } else if let Some(inner) = rest.strip_prefix("${") {
            match inner.find('}') {
                Some(end) => (inner[..end].split(':').next().unwrap_or(""), end + 3),
                None => ("", 1),
            }
        } else {
            let inner = &rest[1..];
            let end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
            (&inner[..end], end + 1)
        };
        if name.is_empty() {
            out.push('$');
            rest = &rest[1..];
            continue;
        }
        let in_range = out.ends_with('[');
        let value = match name {
            "__rate_interval" | "__range_interval" => "5m",
            "__interval" => "1m",
            "__range" => "1d",
            "__interval_ms" => "60000",
            "__range_s" => "86400",
            "__range_ms" => "86400000",
            _ if in_range => "5m",
            _ => "x",
        };
        out.push_str(value);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// Parses a PromQL query, within the bounds that keep a hostile one from going deep.
pub fn parse(text: &str) -> Result<Expr, String> {
    if text.len() > MAX_EXPR_BYTES {
        return Err(format!("the query is {} bytes, more than the {MAX_EXPR_BYTES} gen reads", text.len()));
    }
    let (mut depth, mut deepest, mut operators) = (0usize, 0usize, 0usize);
    // Outside string literals (`"…"`, `'…'`, `` `…` ``, whose `\` escapes the next character).
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for b in text.bytes() {
        if let Some(q) = quote {
            match b {
                _ if escaped => escaped = false,
                b'\\' if q != b'`' => escaped = true,
                _ if b == q => quote = None,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' | b'\'' | b'`' => quote = Some(b),
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'>' | b'<' | b'=' => operators += 1,
            _ => {}
        }
    }
    // A chain of operators nests too (`a + a + … + a`); so do brackets.
    if deepest > MAX_EXPR_NESTING || operators > 4 * MAX_EXPR_NESTING {
        return Err(format!("the query nests deeper than the {MAX_EXPR_NESTING} levels gen reads"));
    }
    promql_parser::parser::parse(text)
}

/// `expr` with the automaton of each regular-expression matcher (`=~`, `!~`) dropped, for a
/// query kept until its file's rules have read it. The parser compiled each one, so a
/// pattern that does not compile is already PROM002; no rule matches series, so none needs
/// them, and a rules file selects many services by one pattern in each of its rules (at
/// 1,000 services, the compiled patterns held at once were 50 of the lint's 200 MB).
/// The pattern's text stays in the matcher's `value`; its `op` holds an empty pattern.
fn without_automata(mut expr: Expr) -> Expr {
    use promql_parser::label::{MatchOp, Matchers};
    static EMPTY: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new("").expect("the empty pattern compiles"));
    fn drop_in(matchers: &mut Matchers) {
        for m in matchers.matchers.iter_mut().chain(matchers.or_matchers.iter_mut().flatten()) {
            match &mut m.op {
                MatchOp::Re(re) | MatchOp::NotRe(re) => *re = EMPTY.clone(),
                MatchOp::Equal | MatchOp::NotEqual => {}
            }
        }
    }
    fn visit(expr: &mut Expr) {
        match expr {
            Expr::Aggregate(a) => {
                visit(&mut a.expr);
                if let Some(p) = &mut a.param {
                    visit(p);
                }
            }
            Expr::Unary(u) => visit(&mut u.expr),
            Expr::Binary(b) => {
                visit(&mut b.lhs);
                visit(&mut b.rhs);
            }
            Expr::Paren(p) => visit(&mut p.expr),
            Expr::Subquery(s) => visit(&mut s.expr),
            Expr::Call(c) => c.args.args.iter_mut().for_each(|a| visit(a)),
            Expr::VectorSelector(v) => drop_in(&mut v.matchers),
            Expr::MatrixSelector(m) => drop_in(&mut m.vs.matchers),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
        }
    }
    visit(&mut expr);
    expr
}

/// Every node of a parsed query, parents before children.
pub fn walk<'e>(expr: &'e Expr, visit: &mut dyn FnMut(&'e Expr)) {
    visit(expr);
    match expr {
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                walk(p, visit);
            }
            walk(&a.expr, visit);
        }
        Expr::Unary(u) => walk(&u.expr, visit),
        Expr::Binary(b) => {
            walk(&b.lhs, visit);
            walk(&b.rhs, visit);
        }
        Expr::Paren(p) => walk(&p.expr, visit),
        Expr::Subquery(s) => walk(&s.expr, visit),
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, visit)),
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::Extension(_) => {}
    }
}

/// The metric names a query selects.
pub fn metric_names(expr: &Expr) -> Vec<&str> {
    let mut names = Vec::new();
    walk(expr, &mut |e| match e {
        Expr::VectorSelector(v) => names.extend(v.name.as_deref()),
        Expr::MatrixSelector(m) => names.extend(m.vs.name.as_deref()),
        _ => {}
    });
    names
}

#[cfg(test)]
mod tests;
