use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::hcl;

declare_rule! {
    /// ## What it does
    /// Reports an `aws_eks_cluster` without envelope encryption of its Secrets under a KMS key
    /// of the account: no `encryption_config` whose `resources` hold `"secrets"`.
    ///
    /// checkov: CKV_AWS_58.
    ///
    /// ## Why it matters
    /// EKS encrypts etcd's volumes, and (since Kubernetes 1.28) the API's data under a key AWS
    /// owns. A key of the account's own is what makes reading a Secret an act CloudTrail
    /// records and a key policy can refuse, and what lets a team revoke access to every
    /// Secret at once. It cannot be removed once set, so it belongs in the first apply.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_cluster" "this" {
    ///   name     = "shop"
    ///   role_arn = aws_iam_role.cluster.arn
    ///   vpc_config { subnet_ids = var.subnet_ids }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// ```hcl
    /// encryption_config {
    ///   resources = ["secrets"]
    ///   provider { key_arn = aws_kms_key.eks.arn }
    /// }
    /// ```
    pub static RULE = ("TF030", "eks-secrets-unencrypted", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    // A `dynamic "encryption_config"` is not judged.
    for r in doc.resources("aws_eks_cluster").filter(|r| !hcl::has_dynamic(r.body(), "encryption_config")) {
        let encrypted = hcl::blocks(r.body(), "encryption_config").any(|b| match hcl::value(&b.body, "resources") {
            // A list gen cannot read is not judged.
            Some(v) => match doc.values.resolve(v).map(|(e, _)| e) {
                Some(hcl_edit::expr::Expression::Array(items)) => {
                    items.iter().any(|i| hcl::string(i).is_none_or(|s| s == "secrets"))
                }
                _ => true,
            },
            None => false,
        });
        if !encrypted {
            let message = format!("{} does not encrypt its Secrets with a KMS key of the account", r.address());
            out.push(r.at(&RULE, r.header(), message).help(
                "add `encryption_config { resources = [\"secrets\"] provider { key_arn = aws_kms_key.eks.arn } }`",
            ));
        }
    }
}
