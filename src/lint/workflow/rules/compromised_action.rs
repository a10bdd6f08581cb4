use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, pins};

declare_rule! {
    /// ## What it does
    /// Reports a `uses:` of an action ref known to have been compromised. The list, each
    /// with its advisory:
    ///
    /// - `tj-actions/changed-files` below v46 (GHSA-mrrh-fwg8-r2c3, CVE-2025-30066): on 14 and
    ///   15 March 2025 the tags v1 to v45.0.7 were moved to commit
    ///   `0e58ed8671d6b60d0890c21b07f8835ace038e67`, which printed the runner's secrets into
    ///   the build log; fixed in v46.0.1. That commit is reported too.
    /// - `reviewdog/action-setup@v1` (GHSA-qmg3-hpqr-gqvc, CVE-2025-30154): in March 2025
    ///   the v1 tag pointed for a while to a malicious commit that dumped the runner's secrets
    ///   into the build log (the way into `tj-actions/changed-files`).
    /// - `aquasecurity/trivy-action` and `aquasecurity/setup-trivy` by tag
    ///   (GHSA-69fq-xp46-6x23): on 19 March 2026 their version tags were force-pushed to
    ///   commits that stole credentials. A tag was the way in; a commit pin was not.
    ///
    /// zizmor: `known-vulnerable-actions` (an online audit: it asks GitHub's advisory
    /// database, so `--offline` runs do not have it).
    ///
    /// ## Why it matters
    /// A workflow that ran the compromised code leaked every secret the job could read; one
    /// that still names the ref runs whatever the ref points to today.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: tj-actions/changed-files@v45
    /// ```
    ///
    /// ## How to fix
    /// Move to the fixed release pinned by its commit SHA (the help names the reviewed commit
    /// where gen knows it), and rotate the secrets the jobs that ran it could read.
    pub static RULE = ("GHA011", "compromised-action", Error);
}

/// One compromise: the action, its advisory, and which refs it reached.
struct Compromise {
    action: &'static str,
    advisory: &'static str,
    /// Whether a ref (a tag, a branch or a commit) is one of those compromised.
    affected: fn(&str) -> bool,
    /// What to move to, when the advisory names a fixed release.
    fixed: Option<&'static str>,
}

/// The major version of a `vMAJOR[.MINOR[.PATCH]]` ref.
fn major(reference: &str) -> Option<u32> {
    reference.strip_prefix('v').unwrap_or(reference).split('.').next()?.parse().ok()
}

static COMPROMISES: [Compromise; 4] = [
    Compromise {
        action: "tj-actions/changed-files",
        advisory: "GHSA-mrrh-fwg8-r2c3 (CVE-2025-30066, March 2025)",
        affected: |r| major(r).is_some_and(|m| m < 46) || r == "0e58ed8671d6b60d0890c21b07f8835ace038e67",
        fixed: Some("v46.0.1"),
    },
    Compromise {
        action: "reviewdog/action-setup",
        advisory: "GHSA-qmg3-hpqr-gqvc (CVE-2025-30154, March 2025)",
        affected: |r| r == "v1",
        fixed: None,
    },
    Compromise {
        action: "aquasecurity/trivy-action",
        advisory: "GHSA-69fq-xp46-6x23 (March 2026)",
        affected: |r| !crate::lint::workflow::is_commit_sha(r),
        fixed: None,
    },
    Compromise {
        action: "aquasecurity/setup-trivy",
        advisory: "GHSA-69fq-xp46-6x23 (March 2026)",
        affected: |r| !crate::lint::workflow::is_commit_sha(r),
        fixed: None,
    },
];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for uses in doc.uses() {
        let Some(reference) = uses.reference() else { continue };
        let Some(c) = COMPROMISES.iter().find(|c| uses.is(c.action) && (c.affected)(reference)) else { continue };
        let message = format!("`{}@{reference}` is a ref compromised in {}", c.action, c.advisory);
        let help = match (pins::line(c.action), c.fixed) {
            (Some(line), _) => format!("pin the reviewed commit: `uses: {line}`, and rotate the secrets it could read"),
            (None, Some(fixed)) => {
                format!("move to {fixed} or later, pinned by its commit SHA, and rotate the secrets it could read")
            }
            (None, None) => "pin a release you reviewed by its commit SHA, and rotate the secrets it could read".into(),
        };
        out.push(doc.at(&RULE, uses.node.span, message).help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affected(action: &str, r: &str) -> bool {
        COMPROMISES.iter().any(|c| c.action == action && (c.affected)(r))
    }

    #[test]
    fn only_the_compromised_refs_are_reported() {
        assert!(affected("tj-actions/changed-files", "v45"));
        assert!(affected("tj-actions/changed-files", "v35.7.7"));
        assert!(affected("tj-actions/changed-files", "0e58ed8671d6b60d0890c21b07f8835ace038e67"));
        assert!(!affected("tj-actions/changed-files", "v46.0.1"));
        assert!(!affected("tj-actions/changed-files", "v47"));
        assert!(affected("reviewdog/action-setup", "v1"));
        assert!(!affected("reviewdog/action-setup", "v1.5.0"));
        assert!(affected("aquasecurity/trivy-action", "0.28.0"));
        assert!(!affected("aquasecurity/trivy-action", "ed142fd0673e97e23eac54620cfb913e5ce36c25"));
    }
}
