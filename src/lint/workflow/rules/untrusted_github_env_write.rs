use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::expr::expressions;
use crate::lint::workflow::rules::template_injection::outside_text;
use crate::lint::workflow::{Document, Job, Step, entries};

declare_rule! {
    /// ## What it does
    /// Reports a line of a `run:` script that appends to `$GITHUB_ENV` or `$GITHUB_PATH` text
    /// someone outside the repository writes: a `${{ }}` expression of such text (a pull
    /// request's title, a branch name, a free-text input: the list of GHA005), or a shell
    /// variable the step's, job's or workflow's `env:` sets from one. In a workflow triggered
    /// by `pull_request_target` or `workflow_run`, which runs with the repository's token on
    /// events a fork can cause, every such write is reported.
    ///
    /// zizmor: `github-env`.
    ///
    /// ## Why it matters
    /// Each line written to `$GITHUB_ENV` sets a variable for every later step. Text with a
    /// line break in it sets variables of the attacker's choosing, `LD_PRELOAD` or
    /// `NODE_OPTIONS=--require=...` among them, and the next step runs their code with the
    /// job's token and secrets; a directory in `$GITHUB_PATH` puts their programs first.
    ///
    /// ## Example
    /// ```yaml
    /// - env:
    ///     TITLE: ${{ github.event.pull_request.title }}
    ///   run: echo "PR_TITLE=$TITLE" >> "$GITHUB_ENV"
    /// ```
    ///
    /// ## How to fix
    /// Pass the text to the steps that need it through their own `env:`, or as a step output
    /// (`>> "$GITHUB_OUTPUT"`), not through `$GITHUB_ENV`; if it must go there, write it with a
    /// random heredoc delimiter after checking it holds no line break.
    pub static RULE = ("GHA015", "untrusted-github-env-write", Error);
}

/// The files a step writes to set the environment of the next ones.
const FILES: [&str; 2] = ["GITHUB_ENV", "GITHUB_PATH"];

/// Whether a line of a script appends to `file` (`>> "$GITHUB_ENV"`, `>>${GITHUB_ENV}`,
/// `| tee -a $GITHUB_ENV`, PowerShell's `Out-File -Append $env:GITHUB_ENV`).
fn writes(line: &str, file: &str) -> bool {
    // Most lines do not name the file at all: only those that do are looked at closer.
    if !line.contains(file) {
        return false;
    }
    let named = [format!("${file}"), format!("${{{file}}}"), format!("$env:{file}")];
    named.iter().any(|n| line.contains(n.as_str()))
        && (line.contains('>') || line.contains("tee") || line.contains("Out-File") || line.contains("Add-Content"))
}

/// The `env:` variables a step sees that are set from untrusted text, with the context.
fn untrusted_env(doc: &Document, job: &Job<'_>, step: &Step<'_>) -> Vec<(String, String)> {
    let scopes = [step.get("env"), job.get("env"), doc.get("env")];
    scopes
        .into_iter()
        .flatten()
        .flat_map(entries)
        .filter_map(|e| {
            let value = e.value.as_str()?;
            let path = expressions(value).iter().flat_map(|x| x.dataflow()).find(|p| outside_text(doc, p).is_some())?;
            Some((e.key.clone(), path))
        })
        .collect()
}

/// Whether a script line reads shell variable `name`.
fn reads(line: &str, name: &str) -> bool {
    [format!("${name}"), format!("${{{name}}}"), format!("$env:{name}")].iter().any(|r| {
        line.match_indices(r.as_str()).any(|(i, _)| {
            let next = line[i + r.len()..].chars().next();
            !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let trigger = ["pull_request_target", "workflow_run"].into_iter().find(|t| doc.triggered_by(t));
    for job in doc.jobs() {
        for step in job.steps() {
            let Some(run) = step.run() else { continue };
            // The untrusted variables in scope, read only for a step that writes to the files.
            let mut env = None;
            let mut offset = 0;
            for line in run.value.split_inclusive('\n') {
                let start = offset;
                offset += line.len();
                let Some(file) = FILES.iter().find(|f| writes(line, f)) else { continue };
                let by_expression = expressions(line)
                    .iter()
                    .flat_map(|e| e.dataflow())
                    .find(|p| outside_text(doc, p).is_some())
                    .map(|p| format!("`{p}`"));
                let by_variable = env
                    .get_or_insert_with(|| untrusted_env(doc, &job, &step))
                    .iter()
                    .find(|(name, _)| reads(line, name))
                    .map(|(n, p)| format!("`${n}` (set from `{p}`)"));
                let message = match (by_expression.or(by_variable), trigger) {
                    (Some(what), _) => format!(
                        "{what} is text from outside the repository, written to `${file}`: a line break in it sets any variable for the later steps"
                    ),
                    (None, Some(t)) => format!(
                        "the workflow runs on `{t}` (events a fork can cause) and writes to `${file}`: what it writes sets the later steps' environment"
                    ),
                    (None, None) => continue,
                };
                let span = run.span(start..start + line.trim_end().len());
                out.push(doc.at(&RULE, span, message).help("pass the text to the steps that need it through their own `env:`, or as a step output, not through `$GITHUB_ENV`"));
            }
        }
    }
}
