use hcl_edit::Span as _;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl::{self, Piece};
use crate::lint::terraform::iam::{self, Principal, Statement};
use crate::lint::terraform::{Document, resources};

declare_rule! {
    /// ## What it does
    /// Reports a GitHub federated credential (`azurerm_federated_identity_credential`,
    /// `azuread_application_federated_identity_credential`) or an AWS role trust policy for
    /// GitHub's OIDC provider (`aws_iam_role.assume_role_policy`, an `aws_iam_policy_document`)
    /// whose subject has a wildcard (`repo:acme/*`, `repo:acme/shop:*`), or names a repository
    /// without a branch, tag, environment or pull request (`repo:acme/shop`,
    /// `repo:acme/shop:ref:refs/heads/`).
    /// Accepted: `repo:O/R:ref:refs/heads/BRANCH`, `repo:O/R:ref:refs/tags/TAG`,
    /// `repo:O/R:environment:NAME` and `repo:O/R:pull_request`. Subjects are often built from
    /// variables: a literal `*` anywhere is a wildcard, `...:ref:refs/heads/${var.branch}`
    /// names a branch, and a subject whose end is an interpolation (`"repo:${var.subject}"`)
    /// or a variable is not judged. Only subjects starting with `repo:` (GitHub's) are read.
    ///
    /// On AWS, a statement is GitHub's when its `Federated` principal names
    /// `token.actions.githubusercontent.com` (or is an `aws_iam_openid_connect_provider` of the
    /// module with that URL) or a condition reads one of its claims. Such a statement also
    /// fires with no `token.actions.githubusercontent.com:sub` condition at all, with a
    /// subject that is not GitHub's (`invalid`, `*`), or with one whose first claim any
    /// repository can match (`workflow:`, `environment:`, `ref:`, `context:`, `head_ref:`,
    /// `base_ref:`).
    ///
    /// checkov: CKV_AWS_358 (`aws_iam_policy_document`) and CKV_AWS_393 (`aws_iam_role`).
    /// Deliberately stricter: checkov passes `repo:acme/*` (any repository of the
    /// organisation) and `repo:acme/shop:*` (any branch, a pull request's included).
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

/// The claims GitHub may put first in a customised subject that any repository can match.
const ANY_REPOSITORY_CLAIMS: &[&str] = &["workflow", "environment", "ref", "context", "head_ref", "base_ref"];

/// What is wrong with the subject of a statement known to trust GitHub, when something
/// visibly is: [`judge`], and what only GitHub's subjects must have.
pub fn judge_github(pieces: &[Piece]) -> Option<String> {
    let Some(Piece::Text(first)) = pieces.first() else { return None };
    if first.starts_with("repo:") {
        return judge(pieces);
    }
    if let Some((claim, _)) = first.split_once(':') {
        return ANY_REPOSITORY_CLAIMS
            .contains(&claim)
            .then(|| format!("starts with the `{claim}` claim, which a workflow of any repository can match"));
    }
    (pieces.len() == 1).then(|| "is not a subject GitHub sends (`repo:OWNER/NAME:...`)".to_string())
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

/// Whether a condition's key is GitHub's `sub` claim (`token.actions.githubusercontent.com:sub`,
/// or an enterprise's `token.actions.githubusercontent.com/ENTERPRISE:sub`).
fn is_github_subject(variable: &str) -> bool {
    let Some(rest) = variable.to_ascii_lowercase().strip_prefix(GITHUB_ISSUER).map(str::to_string) else {
        return false;
    };
    let rest = rest.strip_suffix(":sub").unwrap_or("\u{0}");
    rest.is_empty()
        || rest
            .strip_prefix('/')
            .is_some_and(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}

const GITHUB_ISSUER: &str = "token.actions.githubusercontent.com";

/// Whether a statement trusts GitHub's OIDC provider: `github_providers` are the module's
/// `aws_iam_openid_connect_provider` addresses for GitHub.
fn trusts_github(s: &Statement, github_providers: &[String]) -> bool {
    let named =
        s.principals.iter().filter(|(kind, _)| kind == "Federated").flat_map(|(_, ids)| ids).any(|id| match id {
            Principal::Written(p) => p.iter().any(|p| matches!(p, Piece::Text(t) if t.contains(GITHUB_ISSUER))),
            Principal::Ref(r) => github_providers.iter().any(|g| r.starts_with(&format!("{g}."))),
            Principal::Unknown => false,
        });
    named || s.conditions.iter().flatten().any(|c| c.variable.to_ascii_lowercase().starts_with(GITHUB_ISSUER))
}

/// The AWS trust policies for GitHub.
fn check_aws(docs: &[Document], out: &mut Diagnostics) {
    let github_providers: Vec<String> = resources(docs, "aws_iam_openid_connect_provider")
        .filter(|p| p.string("url").is_some_and(|u| u.contains(GITHUB_ISSUER)))
        .map(|p| p.address())
        .collect();
    for policy in iam::trust_policies(docs) {
        for s in &policy.statements {
            if s.allows != Some(true) || !trusts_github(s, &github_providers) {
                continue;
            }
            let Some(conditions) = &s.conditions else { continue };
            let owner = policy.owner.address();
            let subjects: Vec<_> =
                conditions.iter().filter(|c| is_github_subject(&c.variable) && !c.test.contains("Not")).collect();
            if subjects.is_empty() {
                let message = format!(
                    "the trust policy of {owner} lets a workflow of any GitHub repository assume it: it has no \
                     `token.actions.githubusercontent.com:sub` condition"
                );
                out.push(policy.owner.at(&RULE, s.span, message).help(
                    "add a condition `StringEquals` on `token.actions.githubusercontent.com:sub` with \
                     `repo:ORG/REPO:environment:ENV` or `repo:ORG/REPO:ref:refs/heads/main`",
                ));
                continue;
            }
            for value in subjects.iter().filter_map(|c| c.values.as_ref()).flatten() {
                let Some(problem) = judge_github(value) else { continue };
                let written: String = value
                    .iter()
                    .map(|p| match p {
                        Piece::Text(t) => t.as_str(),
                        Piece::Unknown => "${...}",
                    })
                    .collect();
                let message = format!("the GitHub subject `{written}` in the trust policy of {owner} {problem}");
                out.push(policy.owner.at(&RULE, s.span, message).help(
                    "name one branch (`repo:ORG/REPO:ref:refs/heads/main`) or one environment (`repo:ORG/REPO:environment:prod`)",
                ));
            }
        }
    }
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for doc in docs {
        check_azure(doc, out);
    }
    check_aws(docs, out);
}

fn check_azure(doc: &Document, out: &mut Diagnostics) {
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

    #[test]
    fn subjects_of_a_github_trust_must_name_a_repository_first() {
        assert!(judge_github(&[t("invalid")]).is_some());
        assert!(judge_github(&[t("*")]).is_some());
        assert!(judge_github(&[t("repo:*")]).is_some());
        assert!(judge_github(&[t("workflow:ci:repo:a/b:ref:refs/heads/main")]).is_some());
        assert!(judge_github(&[t("environment:prod")]).is_some());
        assert!(judge_github(&[t("repo:a/b:environment:prod")]).is_none());
        assert!(judge_github(&[t("repository_owner_id:1:repository_id:2:environment:prod")]).is_none());
        assert!(judge_github(&[Piece::Unknown]).is_none());
        assert!(is_github_subject("token.actions.githubusercontent.com:sub"));
        assert!(is_github_subject("token.actions.githubusercontent.com/acme:sub"));
        assert!(!is_github_subject("token.actions.githubusercontent.com:aud"));
        assert!(!is_github_subject("token.actions.githubusercontent.com/:sub"));
    }
}
