use hcl_edit::Span as _;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::hcl::{self, Piece};

declare_rule! {
    /// ## What it does
    /// Reports a GitHub federated credential (`azurerm_federated_identity_credential`,
    /// `azuread_application_federated_identity_credential`) whose subject has a wildcard
    /// (`repo:acme/*`, `repo:acme/shop:*`), or names a repository without a branch, tag,
    /// environment or pull request (`repo:acme/shop`, `repo:acme/shop:ref:refs/heads/`).
    /// Accepted: `repo:O/R:ref:refs/heads/BRANCH`, `repo:O/R:ref:refs/tags/TAG`,
    /// `repo:O/R:environment:NAME` and `repo:O/R:pull_request`. Subjects are often built from
    /// variables: a literal `*` anywhere is a wildcard, `...:ref:refs/heads/${var.branch}`
    /// names a branch, and a subject whose end is an interpolation (`"repo:${var.subject}"`)
    /// or a variable is not judged. Only subjects starting with `repo:` (GitHub's) are read.
    ///
    /// ## Why it matters
    /// The subject is all that ties the Azure identity to one workflow. A subject without a
    /// branch or environment would let any branch (a pull request's included) log in with
    /// the pipeline's rights; Entra ID compares subjects exactly, so a `*` is either a login
    /// that never works or, with flexible claims matching, every branch. `pull_request` is
    /// accepted because it is a deliberate, narrow choice; give it read-only roles, since
    /// any pull request from the repository itself gets it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_federated_identity_credential" "github" {
    ///   name      = "github"
    ///   parent_id = azurerm_user_assigned_identity.ci.id
    ///   issuer    = "https://token.actions.githubusercontent.com"
    ///   audience  = ["api://AzureADTokenExchange"]
    ///   subject   = "repo:acme/shop:*"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Name one branch or one environment:
    /// `subject = "repo:acme/shop:ref:refs/heads/main"` or
    /// `"repo:acme/shop:environment:production"` (with protection rules on the environment).
    pub static RULE = ("TF010", "federated-subject-too-broad", Error);
}

/// What is wrong with a subject, when something visibly is.
pub fn judge(pieces: &[Piece]) -> Option<String> {
    let Some(Piece::Text(first)) = pieces.first() else { return None };
    if !first.starts_with("repo:") {
        return None;
    }
    if pieces.iter().any(|p| matches!(p, Piece::Text(t) if t.contains('*'))) {
        return Some("has a wildcard `*`".into());
    }
    let flat: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.clone(),
            Piece::Unknown => "\u{0}".into(),
        })
        .collect();
    let rest = &flat["repo:".len()..];
    let no_qualifier = || Some("names no branch, tag, environment or pull request".to_string());
    let Some(colon) = rest.find(':') else {
        // `repo:${var.subject}` may hold the rest of the subject.
        return if rest.ends_with('\u{0}') { None } else { no_qualifier() };
    };
    let qualifier = &rest[colon + 1..];
    for prefix in ["ref:refs/heads/", "ref:refs/tags/", "environment:"] {
        if let Some(name) = qualifier.strip_prefix(prefix) {
            return if name.is_empty() { no_qualifier() } else { None };
        }
    }
    if qualifier.is_empty() { no_qualifier() } else { None }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let types = ["azurerm_federated_identity_credential", "azuread_application_federated_identity_credential"];
    for r in types.iter().flat_map(|t| doc.resources(t)) {
        if r.string("issuer").is_some_and(|i| !i.starts_with("https://token.actions.githubusercontent.com")) {
            continue;
        }
        let Some(subject) = hcl::value(r.body(), "subject") else { continue };
        let Some(problem) = hcl::pieces(subject).as_deref().and_then(judge) else { continue };
        let written = doc.text().get(subject.span().unwrap_or_default()).unwrap_or_default();
        let message = format!("the subject {written} of {} {problem}", r.address());
        out.push(
            r.at(&RULE, hcl::span(subject.span()), message)
                .help("name one branch (`repo:ORG/REPO:ref:refs/heads/main`) or one environment (`repo:ORG/REPO:environment:prod`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn subjects_are_judged_by_what_is_written() {
        let u = Piece::Unknown;
        assert!(judge(&[t("repo:acme/shop:*")]).is_some());
        assert!(judge(&[t("repo:acme/*")]).is_some());
        assert!(judge(&[t("repo:acme/shop")]).is_some());
        assert!(judge(&[t("repo:acme/shop:ref:refs/heads/")]).is_some());
        assert!(judge(&[t("repo:"), u.clone(), t(":ref:refs/heads/*")]).is_some());
        assert!(judge(&[t("repo:acme/shop:ref:refs/heads/main")]).is_none());
        assert!(judge(&[t("repo:acme/shop:environment:prod")]).is_none());
        assert!(judge(&[t("repo:acme/shop:pull_request")]).is_none());
        assert!(judge(&[t("repo:acme/shop:ref:refs/tags/v1.0.0")]).is_none());
        assert!(judge(&[t("repo:"), u.clone(), t(":ref:refs/heads/"), u.clone()]).is_none());
        assert!(judge(&[t("repo:"), u.clone(), t(":environment:"), u.clone()]).is_none());
        assert!(judge(&[t("repo:"), u.clone()]).is_none());
        assert!(judge(&[t("system:serviceaccount:ns:sa")]).is_none());
    }
}
