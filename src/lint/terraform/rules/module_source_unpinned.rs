use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports a module whose source can change under it: a registry module
    /// (`Azure/aks/azurerm`) without `version`, and a git module (`git::https://...`,
    /// `github.com/...`, `git@...`) without `?ref=` or with a ref that is neither a tag that
    /// looks like a version (`v4.1.0`, `4.1.0`) nor a commit (7 to 40 hex digits). Local
    /// paths (`./modules/aks`) are the module's own code and fine; other sources (archives,
    /// buckets) are not judged.
    ///
    /// checkov: CKV_TF_1 (git sources without a commit).
    ///
    /// ## Why it matters
    /// `terraform init` fetches whatever is newest: the AKS module's 3.x → 4.x release renamed
    /// its inputs and broke every caller that had not pinned it, and a branch can be changed
    /// by anyone who can push to it.
    ///
    /// ## Example
    /// ```hcl
    /// module "aks" {
    ///   source = "Azure/aks/azurerm"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `version = "10.0.1"` for a registry module; `?ref=v10.0.1` or a commit for git.
    pub static RULE = ("TF015", "module-source-unpinned", Warning);
}

/// Whether a ref names a version tag or a commit.
fn is_pinned_ref(r: &str) -> bool {
    let commit = (7..=40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit());
    let version = r.trim_start_matches('v').bytes().next().is_some_and(|b| b.is_ascii_digit());
    commit || version
}

/// A registry address: `[host/]namespace/name/provider[//subdir]`.
fn is_registry(source: &str) -> bool {
    let address = source.split("//").next().unwrap_or(source);
    let parts: Vec<&str> = address.split('/').collect();
    let word = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    match parts.len() {
        3 => parts.iter().all(word),
        4 => parts[0].contains('.') && parts[1..].iter().all(word),
        _ => false,
    }
}

/// What is unpinned about a module source, if anything.
pub fn problem(source: &str, has_version: bool) -> Option<String> {
    if source.starts_with("./") || source.starts_with("../") {
        return None;
    }
    let git = source.starts_with("git::")
        || source.starts_with("git@")
        || source.starts_with("github.com/")
        || source.starts_with("bitbucket.org/");
    if git {
        let query = source.split_once('?').map_or("", |(_, q)| q);
        let reference = query.split('&').find_map(|kv| kv.strip_prefix("ref="));
        return match reference {
            None => Some("is a git source without `?ref=`: it follows the default branch".into()),
            Some(r) if !is_pinned_ref(r) => {
                Some(format!("follows `ref={r}`, which is neither a version tag nor a commit"))
            }
            Some(_) => None,
        };
    }
    if is_registry(source) && !has_version {
        return Some("is a registry module without `version`: init takes the newest release".into());
    }
    None
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for m in doc.body.get_blocks("module") {
        let Some(source) = hcl::value(&m.body, "source").and_then(hcl::string) else { continue };
        let Some(problem) = problem(&source, m.body.has_attribute("version")) else { continue };
        let name = m.labels.first().map_or("", |l| l.as_str());
        let at = hcl::attr(&m.body, "source").map_or_else(
            || hcl::header(m),
            |a| {
                use hcl_edit::Span as _;
                hcl::span(a.key.span())
            },
        );
        out.push(
            doc.at(&RULE, at, format!("module `{name}` {problem}"))
                .help("pin it: `version = \"X.Y.Z\"` for a registry module, `?ref=vX.Y.Z` or a commit for git"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn sources_are_pinned_by_version_tag_or_commit() {
        assert!(problem("./modules/aks", false).is_none());
        assert!(problem("../shared", false).is_none());
        assert!(problem("Azure/aks/azurerm", false).is_some());
        assert!(problem("Azure/aks/azurerm", true).is_none());
        assert!(problem("app.terraform.io/acme/aks/azurerm", false).is_some());
        assert!(problem("git::https://github.com/acme/m.git", false).is_some());
        assert!(problem("git::https://github.com/acme/m.git?ref=main", false).is_some());
        assert!(problem("git::https://github.com/acme/m.git?ref=v1.2.0", false).is_none());
        assert!(problem("github.com/acme/m?ref=3f2c1ab", false).is_none());
        assert!(problem("https://example.com/m.zip", false).is_none());
    }
}
