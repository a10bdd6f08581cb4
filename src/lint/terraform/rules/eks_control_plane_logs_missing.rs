use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::hcl;

declare_rule! {
    /// ## What it does
    /// Reports an `aws_eks_cluster` that does not send all five control-plane logs to
    /// CloudWatch: `enabled_cluster_log_types` not set, or without one of `api`, `audit`,
    /// `authenticator`, `controllerManager` and `scheduler` (written or through a variable
    /// or local; a list gen cannot read is not judged).
    ///
    /// checkov: CKV_AWS_37.
    ///
    /// ## Why it matters
    /// The audit log says who read a Secret or deleted a namespace; the authenticator's says
    /// which IAM identity was behind a Kubernetes user. Neither exists after the fact: a
    /// cluster that did not send them has no record of the incident it is asked about.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_cluster" "this" {
    ///   name                      = "shop"
    ///   role_arn                  = aws_iam_role.cluster.arn
    ///   enabled_cluster_log_types = ["api", "audit"]
    ///   vpc_config { subnet_ids = var.subnet_ids }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]`,
    /// with the log group's retention set (`aws_cloudwatch_log_group` named
    /// `/aws/eks/NAME/cluster`).
    pub static RULE = ("TF031", "eks-control-plane-logs-missing", Warning);
}

const LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("aws_eks_cluster") {
        let missing: Vec<&str> = match hcl::value(r.body(), "enabled_cluster_log_types") {
            None => LOG_TYPES.to_vec(),
            Some(v) => match doc.values.resolve(v).map(|(e, _)| e) {
                Some(hcl_edit::expr::Expression::Array(items)) => {
                    let written: Option<Vec<String>> = items.iter().map(hcl::string).collect();
                    let Some(written) = written else { continue };
                    LOG_TYPES.into_iter().filter(|t| !written.iter().any(|w| w == t)).collect()
                }
                _ => continue,
            },
        };
        if missing.is_empty() {
            continue;
        }
        let message = format!("{} does not log the control plane's {}", r.address(), missing.join(", "));
        out.push(r.at_attr(&RULE, "enabled_cluster_log_types", message).help(
            "set `enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"]`",
        ));
    }
}
