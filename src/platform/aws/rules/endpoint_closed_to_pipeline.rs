use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an EKS API endpoint the pipeline cannot reach: private
    /// (`platform.aws.eks.endpoint.public: false`), or public to `publicCidrs` alone.
    ///
    /// ## Why it matters
    /// The pipeline's jobs run on GitHub-hosted runners and call the API server from whatever
    /// address GitHub gives them that day: the Helm deploy installs the release through it,
    /// and with GitOps the release and rollback jobs wait for Argo CD through it. A private
    /// endpoint answers inside the VPC alone, and GitHub publishes thousands of runner ranges,
    /// which EKS does not accept (40 at most) and which change weekly: every deploy would
    /// fail, after the image was built and released. Sign-in stays IAM's either way: an open
    /// endpoint still refuses whoever has no access entry.
    ///
    /// checkov's CKV_AWS_38 and CKV_AWS_39 ask for the opposite; gen's Terraform skips them
    /// with this reason.
    ///
    /// ## Example
    /// ```yaml
    /// eks:
    ///   endpoint: {public: true, publicCidrs: [203.0.113.0/24]}
    /// ```
    ///
    /// ## How to fix
    /// Remove `publicCidrs` and `public: false`, or deploy from a runner of your own inside the
    /// VPC or the ranges (self-hosted runners are not expressible in the spec today).
    pub static RULE = ("SPEC182", "eks-endpoint-closed-to-pipeline", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(eks) = aws::eks_of(&spec.spec) else { return };
    let endpoint = &eks.endpoint;
    let (key, why) = if !endpoint.public {
        ("public", "the API endpoint is private, answering inside the VPC alone")
    } else if !endpoint.public_cidrs.is_empty() {
        ("publicCidrs", "the API endpoint answers `publicCidrs` alone")
    } else {
        return;
    };
    let message = format!(
        "{why}, and the pipeline's deploy and release jobs call it from GitHub-hosted runners, whose addresses are not among them: every deploy would fail"
    );
    out.push(
        spec.at(&RULE, &route!["platform", aws::NAME, "eks", "endpoint", key], false, message).help(
            "leave the endpoint public to every address (sign-in is IAM's and access entries'), or deploy from a runner of your own inside the VPC (not expressible in the spec today)",
        ),
    );
}
