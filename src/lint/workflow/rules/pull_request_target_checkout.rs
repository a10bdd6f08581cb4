use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `actions/checkout` of a pull request's code in a workflow triggered by
    /// `pull_request_target` or `workflow_run`: a `ref:` that reads
    /// `github.event.pull_request.head.sha` or `.head.ref`, `github.head_ref`,
    /// `github.event.pull_request.merge_commit_sha`, `github.event.workflow_run.head_sha` or
    /// `.head_branch`, or names `refs/pull/...`; and a `repository:` that reads
    /// `github.event.pull_request.head.repo.full_name`.
    ///
    /// zizmor: `dangerous-triggers` reports the trigger itself, wherever it is used.
    ///
    /// ## Why it matters
    /// These triggers run in the base repository's context, with its secrets and a token that
    /// can write, because they are meant for trusted code. Checking out the pull request's code
    /// and then building or testing it runs a fork author's code with those rights (the "pwn
    /// request").
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     steps:
    ///       - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
    ///         with:
    ///           ref: ${{ github.event.pull_request.head.sha }}
    /// ```
    ///
    /// ## How to fix
    /// Build and test pull requests on `pull_request`, which runs them without secrets. If a
    /// privileged step must follow (a comment, a label), split the work: `pull_request` builds
    /// and uploads an artifact, a `workflow_run` workflow reads the artifact as data and never
    /// runs the pull request's code.
    pub static RULE = ("GHA009", "pull-request-target-checkout", Error);
}

/// Contexts that name the pull request's code.
const HEAD: [&str; 7] = [
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.head_ref",
    "github.event.pull_request.merge_commit_sha",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.pull_request.head.repo.full_name",
];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let Some(trigger) = ["pull_request_target", "workflow_run"].into_iter().find(|t| doc.triggered_by(t)) else {
        return;
    };
    for step in doc.steps().into_iter().filter(|s| s.uses_action("actions/checkout")) {
        for input in ["ref", "repository"] {
            let Some(e) = step.with(input) else { continue };
            let Some(text) = doc.text(&e.value) else { continue };
            let head = text.expressions().iter().any(|(x, _)| x.contexts().iter().any(|c| HEAD.contains(&c.as_str())))
                || (input == "ref" && text.value.contains("refs/pull/"));
            if head {
                let message = format!(
                    "this workflow runs on `{trigger}`, with secrets and a write token, and checks out the pull request's code"
                );
                out.push(doc.at(&RULE, e.value.span, message).help(
                    "build and test pull requests on `pull_request`; keep `pull_request_target` for steps that never run their code",
                ));
            }
        }
    }
}
