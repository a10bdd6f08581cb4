use std::ops::Range;

use github_actions_expressions::Expr;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::expr::{self, condition};
use crate::lint::workflow::{Document, Job, entries};
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a context an expression reads that does not exist, where that is known without
    /// running the workflow:
    /// - a name that is no context (`${{ gihub.sha }}`, `${{ secret.TOKEN }}`);
    /// - a property the `github`, `runner`, `strategy` or `job` context does not have
    ///   (`github.event_nam`, `runner.arch_name`);
    /// - in a job, `steps.<id>` for an id no step of the job has, and `needs.<id>` for a job
    ///   it does not list under `needs:`; and `steps.<id>.<p>` or `needs.<id>.<p>` for a
    ///   property those objects do not have (`steps.build.output`).
    ///
    /// actionlint: `expression` (its context and property type checks, of which this is the
    /// part that needs no action metadata).
    ///
    /// ## Why it matters
    /// GitHub reads an unknown property as null and an unknown name as an error only when the
    /// expression runs: a misspelled condition silently skips (or runs) a step, a misspelled
    /// output is an empty string pasted into a command.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./deploy.sh "${{ steps.bulid.outputs.image }}"
    /// ```
    ///
    /// ## How to fix
    /// Correct the name: the context, the property, the step's `id:` or the job in `needs:`.
    pub static RULE = ("GHA021", "unknown-context", Error);
}

const CONTEXTS: [&str; 12] =
    ["github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs"];

const GITHUB: [&str; 41] = [
    "action",
    "action_path",
    "action_ref",
    "action_repository",
    "action_status",
    "actor",
    "actor_id",
    "api_url",
    "base_ref",
    "env",
    "event",
    "event_name",
    "event_path",
    "graphql_url",
    "head_ref",
    "job",
    "job_workflow_sha",
    "path",
    "ref",
    "ref_name",
    "ref_protected",
    "ref_type",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "repositoryurl",
    "retention_days",
    "run_attempt",
    "run_id",
    "run_number",
    "secret_source",
    "server_url",
    "sha",
    "token",
    "triggering_actor",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "workspace",
    "output",
];

const RUNNER: [&str; 8] = ["name", "os", "arch", "temp", "tool_cache", "debug", "environment", "workspace"];
const STRATEGY: [&str; 4] = ["fail-fast", "job-index", "job-total", "max-parallel"];
const JOB: [&str; 8] = [
    "container",
    "services",
    "status",
    "check_run_id",
    "workflow_ref",
    "workflow_sha",
    "workflow_repository",
    "workflow_file_path",
];
const STEP: [&str; 3] = ["outputs", "outcome", "conclusion"];
const NEED: [&str; 2] = ["outputs", "result"];

/// What a job's expressions may name: its steps' ids and the jobs it needs.
struct Scope {
    steps: Vec<String>,
    needs: Vec<String>,
}

fn scope(job: &Job<'_>) -> Scope {
    let steps = job.steps().iter().filter_map(|s| s.get("id")?.as_str()).map(str::to_ascii_lowercase).collect();
    let needs = match job.get("needs").map(|n| &n.value) {
        Some(Value::Str(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Seq(items)) => items.iter().filter_map(Node::as_str).map(str::to_ascii_lowercase).collect(),
        _ => Vec::new(),
    };
    Scope { steps, needs }
}

/// Why a context pattern names nothing, when it does not.
fn unknown(path: &str, scope: Option<&Scope>) -> Option<String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (root, prop) = (parts[0], parts.get(1).copied());
    if !CONTEXTS.contains(&root) {
        return Some(format!("`{root}` is not a context"));
    }
    let fixed: Option<&[&str]> = match root {
        "github" => Some(&GITHUB),
        "runner" => Some(&RUNNER),
        "strategy" => Some(&STRATEGY),
        "job" => Some(&JOB),
        _ => None,
    };
    if let (Some(known), Some(p)) = (fixed, prop)
        && p != "*"
        && !known.contains(&p)
    {
        return Some(format!("the `{root}` context has no property `{p}`"));
    }
    let (Some(scope), Some(id)) = (scope, prop) else { return None };
    let (ids, props, what): (&[String], &[&str], &str) = match root {
        "steps" => (&scope.steps, &STEP, "no step of this job has the id"),
        "needs" => (&scope.needs, &NEED, "this job does not list under `needs:`"),
        _ => return None,
    };
    if id != "*" && !ids.iter().any(|i| i == id) {
        return Some(format!("`{root}.{id}`: {what} `{id}`"));
    }
    match parts.get(2) {
        Some(p) if *p != "*" && !props.contains(p) => Some(format!("`{root}.{id}` has no property `{p}`")),
        _ => None,
    }
}

/// Every string node under `node`, with the key it is under.
fn strings<'a>(node: &'a Node, out: &mut Vec<(&'a str, &'a Node)>, key: &'a str) {
    match &node.value {
        Value::Str(_) => out.push((key, node)),
        Value::Seq(items) => items.iter().for_each(|i| strings(i, out, key)),
        Value::Map(_) => entries(node).iter().for_each(|e| strings(&e.value, out, &e.key)),
        _ => {}
    }
}

/// The expressions of a string node, each with its range in the value, and for `if:`, the
/// bare condition (no range: the node). Where one is in the file is drawn only when reported.
fn expressions(key: &str, node: &Node) -> Vec<(String, Option<Range<usize>>)> {
    let Some(value) = node.as_str() else { return Vec::new() };
    let mut found: Vec<(String, Option<Range<usize>>)> =
        expr::expressions(value).into_iter().filter(|e| e.closed).map(|e| (e.inner, Some(e.range))).collect();
    if key == "if"
        && found.is_empty()
        && let Some(c) = condition(value)
    {
        found.push((c.to_string(), None));
    }
    found
}

fn judge(doc: &Document, node: &Node, key: &str, scope: Option<&Scope>, out: &mut Diagnostics) {
    for (inner, range) in expressions(key, node) {
        let Ok(parsed) = Expr::parse(inner.trim()) else { continue };
        let why = parsed.contexts().into_iter().filter_map(|(c, _)| c.as_pattern()).find_map(|p| unknown(&p, scope));
        if let Some(why) = why {
            let span = match (range, doc.text(node)) {
                (Some(range), Some(text)) => text.span(range),
                _ => node.span,
            };
            out.push(
                doc.at(&RULE, span, format!("{why}: GitHub reads it as null, or fails the run"))
                    .help("correct the name"),
            );
        }
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let Some(root) = doc.root.as_ref() else { return };
    for e in entries(root) {
        if e.key == "jobs" {
            continue;
        }
        let mut found = Vec::new();
        strings(&e.value, &mut found, &e.key);
        for (key, node) in found {
            judge(doc, node, key, None, out);
        }
    }
    for job in doc.jobs() {
        let scope = scope(&job);
        let mut found = Vec::new();
        strings(job.node, &mut found, job.id);
        for (key, node) in found {
            // A job's outputs and a reusable workflow's `with:` may read any step or job.
            judge(doc, node, key, Some(&scope), out);
        }
    }
}
