use crate::declare_rule;
use crate::diag::{Diagnostics, Span};
use crate::lint::workflow::{Document, entries, entry};
use crate::yaml::{Node, Value};

/// The most expressions never closed reported in one workflow: each is one mistake, and a
/// file of thousands of them needs only the first few to be fixed.
const MAX_UNCLOSED: usize = 20;

declare_rule! {
    /// ## What it does
    /// Reports a workflow GitHub will not run: text that is not YAML (or a key written twice
    /// in one mapping), a file that is not a mapping, no `on:` or no `jobs:`, a job that is not
    /// a mapping, a job without `runs-on` that does not call a reusable workflow (`uses:`), a
    /// job that calls one and also has `runs-on` or `steps`, a job without `steps`, a step
    /// with both `uses:` and `run:` or with neither, and an expression opened with `${{` and
    /// never closed with `}}` (`if: ${{ github.event_name == 'push'`), in any value.
    ///
    /// actionlint: `syntax-check`, and `expression` for the expression never closed.
    ///
    /// ## Why it matters
    /// GitHub refuses the whole workflow ("Invalid workflow file") when it is triggered, so the
    /// mistake shows up after the push, on the branch that needed the pipeline; and no other
    /// rule can check what does not read.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   build:
    ///     steps:
    ///       - run: make
    /// ```
    ///
    /// ## How to fix
    /// Fix the YAML or the structure at the reported line: here, `runs-on: ubuntu-24.04`.
    pub static RULE = ("GHA001", "workflow-syntax", Error, unignorable);
}

/// Whether a value is written and not empty.
fn present(node: Option<&Node>) -> bool {
    node.is_some_and(|n| n.value != Value::Null)
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    out.extend(doc.syntax.iter().cloned());
    let Some(root) = &doc.root else { return };
    let mut unclosed = 0;
    unclosed_expressions(doc, root, &mut unclosed, out);
    let first = entries(root).first().map_or(root.span, |e| e.key_span);
    for (key, what) in [("on", "the events that trigger it"), ("jobs", "the jobs it runs")] {
        if !present(doc.get(key)) {
            let at = doc.entry(key).map_or(first, |e| e.key_span);
            let message = format!("the workflow has no `{key}:`, {what}");
            out.push(doc.at(&RULE, at, message).help(format!("add `{key}:`; GitHub refuses a workflow without it")));
        }
    }
    let Some(jobs) = doc.entry("jobs").filter(|e| e.value.value != Value::Null) else { return };
    if !matches!(jobs.value.value, Value::Map(_)) {
        let message = format!("`jobs` is {}, not a mapping of job ids to jobs", jobs.value.type_name());
        out.push(doc.at(&RULE, jobs.key_span, message).help("write each job under its id: `jobs: {build: ...}`"));
        return;
    }
    for job in entries(&jobs.value) {
        let id = &job.key;
        if !matches!(job.value.value, Value::Map(_)) {
            let message = format!("job `{id}` is {}, not a mapping", job.value.type_name());
            out.push(doc.at(&RULE, job.key_span, message).help("give the job `runs-on:` and `steps:`"));
            continue;
        }
        let node = &job.value;
        if let Some(uses) = entry(node, "uses") {
            if present(node.get("runs-on")) || present(node.get("steps")) {
                let message = format!("job `{id}` calls a reusable workflow, which brings its own runner and steps");
                out.push(
                    doc.at(&RULE, uses.key_span, message)
                        .help("remove `runs-on` and `steps`, or the `uses:` (a step can use an action)"),
                );
            }
            continue;
        }
        if !present(node.get("runs-on")) {
            let message = format!("job `{id}` has no `runs-on`: GitHub does not know where to run it");
            out.push(
                doc.at(&RULE, job.key_span, message).help("add `runs-on: ubuntu-24.04` (or your runner's labels)"),
            );
        }
        let Some(steps) = entry(node, "steps").filter(|e| e.value.value != Value::Null) else {
            let message = format!("job `{id}` has no `steps`");
            out.push(doc.at(&RULE, job.key_span, message).help("add the steps the job runs"));
            continue;
        };
        let Value::Seq(items) = &steps.value.value else {
            let message = format!("`steps` of job `{id}` is {}, not a list", steps.value.type_name());
            out.push(doc.at(&RULE, steps.key_span, message).help("write each step as a list item: `- run: make`"));
            continue;
        };
        for step in items {
            step_problems(doc, id, step, out);
        }
    }
}

fn step_problems(doc: &Document, job: &str, step: &Node, out: &mut Diagnostics) {
    let start = entries(step).first().map_or(step.span, |e| e.key_span);
    if !matches!(step.value, Value::Map(_)) {
        let message = format!("a step of job `{job}` is {}, not a mapping", step.type_name());
        out.push(doc.at(&RULE, step.span, message).help("write the step as `- run: ...` or `- uses: ...`"));
        return;
    }
    let (uses, run) = (entry(step, "uses"), entry(step, "run"));
    let (message, at): (String, Span) = match (uses, run) {
        (Some(u), Some(_)) => (format!("a step of job `{job}` has both `uses:` and `run:`"), u.key_span),
        (None, None) => (format!("a step of job `{job}` has neither `uses:` nor `run:`: it does nothing"), start),
        _ => return,
    };
    out.push(
        doc.at(&RULE, at, message).help("a step either runs a script (`run:`) or an action (`uses:`): split it in two"),
    );
}

/// Every `${{` in a string value of `node` that no `}}` closes: GitHub reads the rest of the
/// value as the expression and refuses the workflow ("The expression is not closed. An
/// unescaped ${{ sequence was found, but the closing }} sequence was not found.").
fn unclosed_expressions(doc: &Document, node: &Node, reported: &mut usize, out: &mut Diagnostics) {
    match &node.value {
        Value::Str(_) => {
            let Some(text) = doc.text(node) else { return };
            // Where an expression is in the file is drawn only for one that is reported.
            for e in crate::lint::workflow::expr::expressions(text.value).into_iter().filter(|e| !e.closed) {
                *reported += 1;
                if *reported > MAX_UNCLOSED {
                    return;
                }
                let at = text.span(e.range.start..e.range.start + 3);
                let message = "this `${{` opens an expression that no `}}` closes: GitHub refuses the workflow";
                out.push(doc.at(&RULE, at, message).help(
                    "close the expression with `}}`; to write the characters `${{` themselves, write `${{ '${{' }}`",
                ));
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| unclosed_expressions(doc, n, reported, out)),
        Value::Map(entries) => entries.iter().for_each(|e| unclosed_expressions(doc, &e.value, reported, out)),
        _ => {}
    }
}
