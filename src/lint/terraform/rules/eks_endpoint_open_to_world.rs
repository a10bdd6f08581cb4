use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::hcl;

declare_rule! {
    /// ## What it does
    /// Reports an `aws_eks_cluster` whose API endpoint is public to every address: in
    /// `vpc_config`, `endpoint_public_access` is not `false` (it defaults to `true`) and
    /// `public_access_cidrs` is not set or empty (EKS then uses `["0.0.0.0/0"]`) or holds `0.0.0.0/0`,
    /// written or through a variable or local.
    ///
    /// checkov: CKV_AWS_38.
    ///
    /// ## Why it matters
    /// Every login still goes through IAM, but an endpoint open to the internet is where a
    /// leaked credential, an API server CVE or a password spray lands first. List the
    /// addresses that deploy (a runner's egress, an office, a VPN), or make the endpoint
    /// private and deploy from inside the VPC or through GitOps.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_cluster" "this" {
    ///   name     = "shop"
    ///   role_arn = aws_iam_role.cluster.arn
    ///   vpc_config {
    ///     subnet_ids = var.subnet_ids
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `public_access_cidrs = ["203.0.113.0/24"]`, or `endpoint_public_access = false` with
    /// `endpoint_private_access = true`.
    pub static RULE = ("TF029", "eks-endpoint-open-to-world", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("aws_eks_cluster") {
        let Some(vpc) = hcl::block(r.body(), "vpc_config") else { continue };
        let read = |key: &str| hcl::value(&vpc.body, key).map(|v| doc.values.resolve(v).map(|(e, _)| e));
        let public = match read("endpoint_public_access") {
            None => true,
            Some(v) => v.and_then(hcl::boolean) == Some(true),
        };
        if !public {
            continue;
        }
        let (open, at) = match (read("public_access_cidrs"), hcl::attr(&vpc.body, "public_access_cidrs")) {
            (Some(Some(hcl_edit::expr::Expression::Array(cidrs))), Some(a)) => {
                use hcl_edit::Span as _;
                // An empty list is left out of the request: EKS's default, every address.
                let open = cidrs.is_empty() || cidrs.iter().filter_map(hcl::string).any(|c| c == "0.0.0.0/0");
                (open, hcl::span(a.key.span()))
            }
            (None, _) => (true, hcl::header(vpc)),
            _ => (false, hcl::header(vpc)),
        };
        if open {
            let message = format!("{} serves its Kubernetes API to every address (0.0.0.0/0)", r.address());
            out.push(r.at(&RULE, at, message).help(
                "list the deploying addresses in `public_access_cidrs`, or set `endpoint_public_access = false`",
            ));
        }
    }
}
