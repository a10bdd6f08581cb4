//! The actions gen knows a reviewed commit for: `schemas/github-actions-pins.json`, a copy of
//! the shared pin list (each release tag dereferenced to its commit, see
//! `github-actions-pins.md` beside the shared copy), embedded so that a finding can say the
//! exact line to write. `tests/it/workflow_agreement.rs` checks that the copy is the shared one.

use std::sync::OnceLock;

/// One pinned action.
#[derive(Debug, serde::Deserialize)]
pub struct Pin {
    /// `owner/repo` or `owner/repo/path`, as GitHub spells it.
    pub action: String,
    /// The release tag, such as `v7.0.1`.
    pub tag: String,
    /// The commit the tag points to.
    pub sha: String,
}

static JSON: &str = include_str!("../../../schemas/github-actions-pins.json");

/// Every pin of the embedded list.
pub fn all() -> &'static [Pin] {
    static PINS: OnceLock<Vec<Pin>> = OnceLock::new();
    // The list is ours and checked by a test; should it not read, no finding offers a pin.
    PINS.get_or_init(|| serde_json::from_str(JSON).unwrap_or_default())
}

/// The pinned line for an action (`owner/repo[/path]`, case-insensitive), such as
/// `actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1`. A path in a repository
/// that has a pin shares the repository's commit (`actions/cache/restore`).
pub fn line(action: &str) -> Option<String> {
    let wanted = action.to_ascii_lowercase();
    let repo_of = |a: &str| a.splitn(3, '/').take(2).collect::<Vec<_>>().join("/").to_ascii_lowercase();
    if let Some(p) = all().iter().find(|p| p.action.to_ascii_lowercase() == wanted) {
        return Some(format!("{}@{} # {}", p.action, p.sha, p.tag));
    }
    let repo = repo_of(&wanted);
    let p = all().iter().find(|p| repo_of(&p.action) == repo)?;
    // The repository's spelling, then the path as written.
    let path = action.splitn(3, '/').nth(2).map(|rest| format!("/{rest}")).unwrap_or_default();
    let spelled = p.action.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    Some(format!("{spelled}{path}@{} # {}", p.sha, p.tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_reads_and_every_pin_is_a_full_commit() {
        assert!(all().len() >= 30, "{} pins", all().len());
        for p in all() {
            assert!(crate::lint::workflow::is_commit_sha(&p.sha), "{}: {}", p.action, p.sha);
            assert!(!p.tag.is_empty(), "{}", p.action);
        }
    }

    #[test]
    fn a_pin_is_found_by_action_or_by_its_repository() {
        let checkout = all().iter().find(|p| p.action == "actions/checkout").expect("actions/checkout is pinned");
        assert_eq!(line("Actions/Checkout"), Some(format!("actions/checkout@{} # {}", checkout.sha, checkout.tag)));
        let cache = all().iter().find(|p| p.action == "actions/cache").expect("actions/cache is pinned");
        assert_eq!(line("actions/cache/restore"), Some(format!("actions/cache/restore@{} # {}", cache.sha, cache.tag)));
        assert_eq!(line("no-such/action"), None);
    }
}
