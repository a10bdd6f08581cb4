//! What a GitHub workflow needs from its repository: the secrets (`secrets.X`) and variables
//! (`vars.X`) its expressions read, and the environments its jobs deploy to (`environment:`).
//! `GITHUB_TOKEN` is GitHub's; a reusable workflow's `on.workflow_call.secrets` are its caller's.

use super::rules::WORKFLOW_INPUT_UNDECLARED;
use super::{GITHUB_ENVIRONMENT, GITHUB_SECRET, GITHUB_VARIABLE, Graph, Reference};
use crate::diag::{Source, Span};
use crate::yaml::{self, Node, Value};

/// Reads a workflow into the graph. A file that is not YAML adds nothing.
pub fn read(graph: &mut Graph, source: &Source, origin: usize) {
    let loaded = yaml::load(source.name(), source.text().as_bytes(), &crate::lint::workflow::POLICY);
    let Ok(docs) = loaded.documents else { return };
    let Some(doc) = docs.first() else { return };
    read_root(graph, source, &doc.root, origin);
}

/// Reads a workflow, already parsed (its first document's root), into the graph.
pub fn read_root(graph: &mut Graph, source: &Source, root: &Node, origin: usize) {
    let shift = if source.text().starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let text = &source.text()[shift..];
    // A reusable workflow's secrets come from its caller: they resolve its own references
    // alone (the caller's `secrets.X` that passes one is the caller's to resolve).
    let on = root.get("on").or_else(|| root.get("true"));
    let passed = on.and_then(|o| o.get("workflow_call")).and_then(|c| c.get("secrets"));
    let passed: Vec<&str> = match passed.map(|p| &p.value) {
        Some(Value::Map(entries)) => entries.iter().map(|e| e.key.as_str()).collect(),
        _ => Vec::new(),
    };
    let mut found: Vec<(&'static str, String, Span)> = Vec::new();
    walk(root, false, text, &mut found);
    found.retain(|(kind, name, _)| *kind != GITHUB_SECRET || !passed.contains(&name.as_str()));
    if let Some(Value::Map(jobs)) = root.get("jobs").map(|j| &j.value) {
        for job in jobs {
            let environment = job.value.get("environment");
            let name = environment.and_then(|e| if e.as_str().is_some() { Some(e) } else { e.get("name") });
            if let Some(node) = name
                && let Some(env) = node.as_str().filter(|e| !e.contains("${{") && !e.is_empty())
            {
                found.push((GITHUB_ENVIRONMENT, env.to_string(), node.span));
            }
        }
    }
    for (kind, name, span) in found {
        let how = match kind {
            GITHUB_SECRET => format!("reads @ (`secrets.{name}`)"),
            GITHUB_VARIABLE => format!("reads @ (`vars.{name}`)"),
            _ => "deploys to @".to_string(),
        };
        graph.refer(Reference {
            rule: &WORKFLOW_INPUT_UNDECLARED,
            kind: kind.to_string(),
            namespace: None,
            name,
            optional: false,
            from: "the workflow".to_string(),
            how,
            span: Span::new(span.start + shift, span.end + shift),
            origin,
            scope: graph.current.clone(),
        });
    }
}

/// The `secrets.X` and `vars.X` of every expression under `node`: in `${{ }}` of a string, or
/// anywhere in an `if:` (an expression without its braces). Text outside `${{ }}` is a literal
/// (a path, a message), whatever it spells.
fn walk(node: &Node, expression: bool, text: &str, found: &mut Vec<(&'static str, String, Span)>) {
    match &node.value {
        Value::Str(_) => {
            let Some(raw) = text.get(node.span.start..node.span.end) else { return };
            if expression {
                scan(raw, node.span.start, found);
                return;
            }
            let mut at = 0;
            while let Some(open) = crate::lint::workflow::expr::opening(raw, at) {
                let start = open + 3;
                let end = raw[start..].find("}}").map_or(raw.len(), |close| start + close);
                scan(&raw[start..end], node.span.start + start, found);
                at = end;
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| walk(n, false, text, found)),
        Value::Map(entries) => entries.iter().for_each(|e| walk(&e.value, e.key == "if", text, found)),
        _ => {}
    }
}

/// The `secrets.X` and `vars.X` of one expression's text, which starts at `base` in the file.
fn scan(raw: &str, base: usize, found: &mut Vec<(&'static str, String, Span)>) {
    for (kind, prefix) in [(GITHUB_SECRET, "secrets."), (GITHUB_VARIABLE, "vars.")] {
        let mut at = 0;
        while let Some(i) = raw[at..].find(prefix) {
            let start = at + i;
            at = start + prefix.len();
            let joined = raw[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || "_.-".contains(c));
            let name: String =
                raw[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            if joined || name.is_empty() {
                continue;
            }
            let begin = base + start;
            found.push((kind, name.clone(), Span::new(begin, begin + prefix.len() + name.len())));
        }
    }
}
