use hcl_edit::expr::Expression;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl::Piece;
use crate::lint::terraform::{Document, hcl, iam};

declare_rule! {
    /// ## What it does
    /// Reports an AWS identity policy (`aws_iam_policy`, `aws_iam_role_policy`,
    /// `aws_iam_user_policy`, `aws_iam_group_policy`, a role's `inline_policy`, an
    /// `aws_iam_policy_document`) with a statement that allows every action (`Action = "*"`),
    /// or every action of a service on every resource (`Action = "s3:*"` with
    /// `Resource = "*"`). The policy is read however it is written: `jsonencode`, JSON in a
    /// string or heredoc, the data source's blocks, or a variable or local holding one. A
    /// statement with a `Principal` belongs to a resource's policy (a KMS key policy's
    /// `kms:*` on `*` means this key) and is not judged, nor is a policy the module uses as a
    /// ceiling, which grants nothing by itself: a `permissions_boundary` or a service control
    /// policy (`aws_organizations_policy`).
    ///
    /// checkov: CKV_AWS_63 (the resources) and CKV_AWS_49 (`aws_iam_policy_document`), for
    /// `Action = "*"`. Deliberately stricter: checkov's CKV_AWS_63 passes `"s3:*"` on `"*"`,
    /// which gives a workload every bucket of the account (its CKV_AWS_355 reports it apart).
    ///
    /// ## Why it matters
    /// A role's policy is what an attacker gets with the workload: a pod's or a pipeline's
    /// role that allows everything is the account. The roles gen renders name their actions
    /// and their resources (one repository to push to, one cluster to deploy to).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role_policy" "app" {
    ///   role   = aws_iam_role.app.id
    ///   policy = jsonencode({
    ///     Version   = "2012-10-17"
    ///     Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## How to fix
    /// List the actions the workload calls and the resources it calls them on
    /// (`Action = ["s3:GetObject"]`, `Resource = ["${aws_s3_bucket.notes.arn}/*"]`).
    pub static RULE = ("TF026", "iam-allows-everything", Error);
}

/// A literal value's text.
fn literal(value: &[Piece]) -> Option<&str> {
    match value {
        [Piece::Text(t)] => Some(t),
        _ => None,
    }
}

/// What a statement allows too broadly, when it does.
fn judge(s: &iam::Statement) -> Option<String> {
    // A statement that names principals is a resource's policy (a KMS key's `kms:*` on `*`
    // is "this key"), not what an identity may do.
    if s.allows != Some(true) || !s.principals.is_empty() {
        return None;
    }
    let actions: Vec<&str> = s.actions.iter().flatten().filter_map(|a| literal(a)).collect();
    if actions.contains(&"*") {
        return Some("allows every action (`*`)".into());
    }
    let every_resource = s.resources.iter().flatten().any(|r| literal(r) == Some("*"));
    let service = actions.iter().find_map(|a| a.strip_suffix(":*"))?;
    every_resource.then(|| format!("allows every `{service}` action (`{service}:*`) on every resource (`*`)"))
}

/// The expressions that name the policies a module uses as a ceiling, not a grant: a role's or
/// a user's `permissions_boundary`, an `aws_organizations_policy`'s `content` (a service
/// control policy), and the policy documents those are written from.
fn ceilings(docs: &[Document]) -> Vec<&Expression> {
    let mut out: Vec<&Expression> = Vec::new();
    for doc in docs {
        let roles = doc.resources("aws_iam_role").chain(doc.resources("aws_iam_user"));
        out.extend(roles.filter_map(|r| hcl::value(r.body(), "permissions_boundary")));
        out.extend(doc.resources("aws_organizations_policy").filter_map(|r| hcl::value(r.body(), "content")));
    }
    for doc in docs {
        for r in doc.resources("aws_iam_policy") {
            if is_ceiling(&out, &r.address()) {
                out.extend(hcl::value(r.body(), "policy"));
            }
        }
    }
    out
}

/// Whether one of `ceilings` names the resource or data source at `address`.
fn is_ceiling(ceilings: &[&Expression], address: &str) -> bool {
    let prefix = format!("{address}.");
    ceilings.iter().any(|c| hcl::refers_to(c, &[&prefix]))
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let ceilings = ceilings(docs);
    for policy in iam::permission_policies(docs) {
        if is_ceiling(&ceilings, &policy.owner.address()) {
            continue;
        }
        for s in &policy.statements {
            let Some(problem) = judge(s) else { continue };
            let message = format!("a statement of the policy in {} {problem}", policy.owner.address());
            out.push(
                policy
                    .owner
                    .at(&RULE, s.span, message)
                    .help("list the actions the workload calls and the resources it calls them on"),
            );
        }
    }
}
