use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Uses};

declare_rule! {
    /// ## What it does
    /// Reports a step that uses a major version of a well-known action whose JavaScript
    /// runtime GitHub's runners have retired: `node12` and `node16` (forced onto newer Node
    /// since 2023 and 2024), and `node20` (deprecated in September 2025; runners run
    /// JavaScript actions on Node 24 from 4 March 2026), or whose service is gone
    /// (`actions/upload-artifact` and `download-artifact` v3 and older, shut down on
    /// 30 January 2025). The version is read from the ref (`@v3`, `@v3.5.2`) or, for a ref
    /// pinned to a commit, from the comment after it (`@<sha> # v3.5.2`).
    ///
    /// The table (the last retired major of each action, and the runtime it runs on):
    ///
    /// | action | retired majors | runtime | first on node24 |
    /// |---|---|---|---|
    /// | `actions/checkout` | v4 and older | node20 | v5 |
    /// | `actions/setup-node` | v4 and older | node20 | v5 |
    /// | `actions/setup-python` | v5 and older | node20 | v6 |
    /// | `actions/setup-java` | v4 and older | node20 | v5 |
    /// | `actions/setup-go` | v5 and older | node20 | v6 |
    /// | `actions/cache` | v4 and older | node20 | v5 |
    /// | `actions/github-script` | v7 and older | node20 | v8 |
    /// | `actions/upload-artifact`, `actions/download-artifact` | v3 and older | service shut down | v4 |
    /// | `docker/setup-buildx-action` | v3 and older | node20 | v4 |
    /// | `docker/build-push-action` | v6 and older | node20 | v7 |
    /// | `docker/login-action` | v3 and older | node20 | v4 |
    /// | `docker/metadata-action` | v5 and older | node20 | v6 |
    /// | `azure/login` | v2 and older | node20 | v3 |
    /// | `azure/setup-helm`, `azure/setup-kubectl`, `azure/aks-set-context` | v4 and older | node20 | v5 |
    /// | `aws-actions/configure-aws-credentials` | v5 and older | node20 | v6 |
    /// | `actions/create-github-app-token` | v2 and older | node20 | v3 |
    ///
    /// Sources, as of November 2026: each action's `action.yml` (`runs.using`) and release
    /// notes as recorded in `../shared/github-actions-pins.json`; GitHub's changelog
    /// ("Transitioning from Node 16 to Node 20", 2023-09-22; "Deprecation of Node 20 on GitHub
    /// Actions runners", 2025-09-19; "Deprecation notice: v3 of the artifact actions",
    /// 2024-04-16).
    ///
    /// zizmor: none (`unpinned-uses` and `known-vulnerable-actions` are about other things);
    /// actionlint: `action` (which reports the node12 and node16 majors of popular actions).
    ///
    /// ## Why it matters
    /// A retired runtime is forced onto the newer Node, where an action written for the old
    /// one may break, or the runner refuses it; GitHub warns on every run until it fails, and
    /// the old majors get no security fixes.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v3
    /// ```
    ///
    /// ## How to fix
    /// Move to the major that runs on node24 (and pin it to its commit SHA):
    /// `actions/checkout@<sha> # v5` or later.
    pub static RULE = ("GHA022", "retired-action-runtime", Warning);
}

/// Each action, its last retired major, what that major runs on, and the first current major.
const RETIRED: [(&str, u32, &str, u32); 18] = [
    ("actions/checkout", 4, "node20", 5),
    ("actions/setup-node", 4, "node20", 5),
    ("actions/setup-python", 5, "node20", 6),
    ("actions/setup-java", 4, "node20", 5),
    ("actions/setup-go", 5, "node20", 6),
    ("actions/cache", 4, "node20", 5),
    ("actions/github-script", 7, "node20", 8),
    ("actions/upload-artifact", 3, "an artifact service shut down in January 2025", 4),
    ("actions/download-artifact", 3, "an artifact service shut down in January 2025", 4),
    ("docker/setup-buildx-action", 3, "node20", 4),
    ("docker/build-push-action", 6, "node20", 7),
    ("docker/login-action", 3, "node20", 4),
    ("docker/metadata-action", 5, "node20", 6),
    ("azure/login", 2, "node20", 3),
    ("azure/setup-helm", 4, "node20", 5),
    ("azure/setup-kubectl", 4, "node20", 5),
    ("azure/aks-set-context", 4, "node20", 5),
    ("aws-actions/configure-aws-credentials", 5, "node20", 6),
];

/// The major version of a `vN[.x.y]` string.
fn major(version: &str) -> Option<u32> {
    version.trim().strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// The major a `uses:` names: its ref, or the version in the comment after a commit SHA.
fn used_major(doc: &Document, uses: &Uses<'_>) -> Option<u32> {
    if !uses.pinned() {
        return major(uses.reference()?);
    }
    let text = doc.source.text();
    let rest = text.get(uses.node.span.end..)?;
    let line = rest.split('\n').next()?;
    let comment = line.split_once('#')?.1.trim();
    major(comment.trim_start_matches("tag=").split_whitespace().next()?)
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for uses in doc.uses() {
        let Some(&(action, last, runtime, current)) = RETIRED.iter().find(|(a, ..)| uses.is(a)) else { continue };
        let Some(major) = used_major(doc, &uses).filter(|m| *m <= last) else { continue };
        let what = if runtime.starts_with("node") {
            format!("runs on {runtime}, retired from GitHub's runners")
        } else {
            format!("uses {runtime}")
        };
        let message = format!("`{action}` v{major} {what}; v{current} and later run on node24");
        out.push(
            doc.at(&RULE, uses.node.span, message)
                .help(format!("move to `{action}` v{current} or later, pinned to its commit SHA")),
        );
    }
}
