use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a GitHub repository not written as `OWNER/NAME`: a URL, an SSH address, or a
    /// name without its owner.
    ///
    /// ## Why it matters
    /// The repository goes into the OIDC federated credential's subject
    /// (`repo:OWNER/NAME:ref:refs/heads/main`). With a URL there the subject never matches and
    /// every sign-in from the workflow fails with an opaque `AADSTS70021`.
    ///
    /// ## Example
    /// ```yaml
    /// github: {repository: https://github.com/acme/shop}
    /// ```
    ///
    /// ## How to fix
    /// Write `acme/shop`.
    pub static RULE = ("SPEC114", "invalid-github-repository", Error);
}

fn valid(repo: &str) -> bool {
    let Some((owner, name)) = repo.split_once('/') else { return false };
    let owner_ok = (1..=39).contains(&owner.len())
        && owner.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !owner.starts_with('-')
        && !owner.ends_with('-');
    let name_ok = (1..=100).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && name != "."
        && name != "..";
    owner_ok && name_ok
}

/// `OWNER/NAME` recovered from a URL or SSH address, when there is one.
fn owner_name(repo: &str) -> Option<String> {
    let rest = repo
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("ssh://")
        .trim_start_matches("git@")
        .trim_start_matches("www.");
    let rest = rest.strip_prefix("github.com").map(|r| r.trim_start_matches([':', '/']))?;
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let mut parts = rest.split('/');
    let candidate = format!("{}/{}", parts.next()?, parts.next()?);
    valid(&candidate).then_some(candidate)
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(github) = &spec.spec.platform.github else { return };
    let repo = &github.repository;
    if valid(repo) {
        return;
    }
    let help = match owner_name(repo) {
        Some(fixed) => format!("write `{fixed}`"),
        None => "write the repository as OWNER/NAME, such as `acme/shop`".to_string(),
    };
    out.push(
        spec.at(
            &RULE,
            &crate::route!["platform", "github", "repository"],
            false,
            format!("repository `{repo}` is not written as OWNER/NAME"),
        )
        .help(help),
    );
}
