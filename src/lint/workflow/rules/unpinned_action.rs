use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Target, Uses, is_commit_sha, pins};

declare_rule! {
    /// ## What it does
    /// Reports a `uses:` that does not name a full commit: an action or reusable workflow by
    /// tag (`@v4`), branch (`@main`), short SHA or no ref at all, and an image without an
    /// `@sha256:` digest, whether a step runs it (`docker://`) or a job runs in it or beside it
    /// (`container:`, `services:`). Actions in the repository itself (`./...`) are its own
    /// code and fine. When gen knows the action's reviewed commit (the pin list it embeds,
    /// `schemas/github-actions-pins.json`), the help gives the exact line to write.
    ///
    /// zizmor: `unpinned-uses` (and `unpinned-images` for images, at its pedantic persona for an
    /// image by tag).
    ///
    /// ## Why it matters
    /// A tag is a pointer anyone with push access to the action's repository can move. In
    /// March 2025 every tag of `tj-actions/changed-files` was moved to a commit that printed
    /// the runner's secrets into the build log (CVE-2025-30066); workflows pinned to a commit
    /// ran the code their authors had reviewed. The action runs with the job's token and
    /// secrets.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v4
    /// ```
    ///
    /// ## How to fix
    /// Pin the full 40-character commit SHA and keep the version in a comment, so that
    /// Dependabot or Renovate can move both:
    /// `- uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1`.
    pub static RULE = ("GHA002", "unpinned-action", Error);
}

/// What is unpinned about a `uses:`, if anything.
fn problem(uses: &Uses<'_>) -> Option<String> {
    match uses.target() {
        Target::Local => None,
        Target::Docker(image) if image.contains("@sha256:") => None,
        Target::Docker(image) => Some(format!("`docker://{image}` runs an image by tag, which can be pushed again")),
        Target::Action { action, reference: None } => {
            Some(format!("`{action}` names no ref: GitHub refuses it, and any ref but a commit can move"))
        }
        Target::Action { reference: Some(r), .. } if is_commit_sha(r) => None,
        Target::Action { action, reference: Some(r) } => {
            let what = if (7..40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit()) {
                format!("the short SHA `{r}`: only a full 40-character SHA names one commit for certain")
            } else {
                format!("`{r}`, a tag or branch that can be moved to another commit")
            };
            Some(format!("`{action}` is pinned to {what}"))
        }
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for uses in doc.uses() {
        let Some(message) = problem(&uses) else { continue };
        let help = match uses.target() {
            Target::Docker(image) => {
                let name = image.split(['@', ':']).next().unwrap_or(image);
                format!("pin the image by digest: `docker://{name}@sha256:<digest>`")
            }
            _ => match pins::line(uses.action()) {
                Some(line) => format!("pin the reviewed commit: `uses: {line}`"),
                None => format!(
                    "pin the full commit SHA of the release you reviewed, with its version in a comment: `uses: {}@<40-hex SHA> # vX.Y.Z`",
                    uses.action()
                ),
            },
        };
        out.push(doc.at(&RULE, uses.node.span, message).help(help));
    }
    for job in doc.jobs() {
        let services = job.get("services").map(crate::lint::workflow::entries).unwrap_or_default();
        let containers = job.get("container").into_iter().chain(services.iter().map(|e| &e.value));
        for container in containers {
            // `container: image` or `container: {image: ...}`; an expression is resolved at run time.
            let image = if container.as_str().is_some() { Some(container) } else { container.get("image") };
            let Some(node) = image else { continue };
            let Some(name) = node.as_str() else { continue };
            if name.contains("@sha256:") || name.contains("${{") || name.is_empty() {
                continue;
            }
            let message = format!("job `{}` runs the image `{name}` by tag, which can be pushed again", job.id);
            let base = name.split('@').next().unwrap_or(name);
            let base = match base.rsplit_once(':') {
                Some((b, tag)) if !tag.contains('/') => b,
                _ => base,
            };
            out.push(
                doc.at(&RULE, node.span, message).help(format!("pin the image by digest: `{base}@sha256:<digest>`")),
            );
        }
    }
}
