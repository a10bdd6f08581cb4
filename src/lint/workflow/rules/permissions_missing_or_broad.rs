use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::Document;

declare_rule! {
    /// ## What it does
    /// Reports a `GITHUB_TOKEN` with more rights than the work needs: a job that sets no
    /// `permissions` in a workflow that sets none either, `write-all` or `read-all` anywhere,
    /// and a `write` scope in the workflow's own `permissions` (which every job inherits).
    ///
    /// zizmor: `excessive-permissions`.
    ///
    /// ## Why it matters
    /// Without `permissions`, the token gets the repository's default, which on repositories
    /// and organisations created before February 2023 is write access to contents, packages,
    /// pull requests and more. Any step (a compromised action, an injected script) can use the
    /// token to push code or tag a release. A write scope at the workflow level gives it to
    /// jobs that never write.
    ///
    /// ## Example
    /// ```yaml
    /// on: push
    /// permissions: write-all
    /// ```
    ///
    /// ## How to fix
    /// Set `permissions: {contents: read}` at the workflow level, and grant each write scope
    /// in the one job that needs it (`packages: write` in the job that pushes the image).
    pub static RULE = ("GHA003", "permissions-missing-or-broad", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let top = doc.permissions();
    for p in doc.jobs().iter().filter_map(|j| j.permissions()).chain(top) {
        if let Some(all @ ("write-all" | "read-all")) = p.all() {
            let message = format!("`permissions: {all}` grants every scope the token has");
            out.push(doc.at(&RULE, p.key, message).help("list the scopes the work needs, such as `contents: read`"));
        }
    }
    if let Some(p) = top {
        for (scope, _, key) in p.scopes().into_iter().filter(|(_, level, _)| *level == "write") {
            let message = format!("the workflow grants `{scope}: write` to every job");
            out.push(
                doc.at(&RULE, key, message)
                    .help(format!("grant `{scope}: write` in the permissions of the job that needs it")),
            );
        }
    }
    if top.is_none() {
        for job in doc.jobs().into_iter().filter(|j| j.permissions().is_none()) {
            let message = format!(
                "job `{}` runs with the repository's default token permissions: neither it nor the workflow sets `permissions`",
                job.id
            );
            out.push(
                doc.at(&RULE, job.key, message).help(
                    "set `permissions: {contents: read}` at the workflow level, and more in the jobs that need it",
                ),
            );
        }
    }
}
