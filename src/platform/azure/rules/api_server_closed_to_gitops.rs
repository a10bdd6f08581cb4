use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;
use crate::spec::model::Deploy;

declare_rule! {
    /// ## What it does
    /// Reports `platform.azure.aks.apiServerAuthorizedIpRanges` on a spec whose pipeline
    /// deploys through GitOps (`pipeline.deploy: gitops`).
    ///
    /// ## Why it matters
    /// Argo CD pulls from inside the cluster, but the release and rollback jobs wait for it:
    /// they read the Argo CD Application (`kubectl get applications`) and the HTTPRoute's status
    /// from a GitHub-hosted runner, whose address is not among the ranges. The API server
    /// refuses it, the wait retries for 20 minutes and fails, and the next environment is
    /// never promoted. GitHub publishes thousands of runner ranges, which AKS does not accept
    /// in full (200 at most), and which change weekly. Self-hosted runners inside the ranges
    /// are not expressible in the spec today.
    ///
    /// ## Example
    /// ```yaml
    /// aks: {apiServerAuthorizedIpRanges: [203.0.113.0/24]}
    /// pipeline: {deploy: gitops}
    /// ```
    ///
    /// ## How to fix
    /// Remove the ranges: sign-in to the API server is Entra ID only (local accounts off). Or
    /// render without them and run the release and rollback jobs on a runner of your own
    /// inside the ranges.
    pub static RULE = ("SPEC166", "api-server-closed-to-gitops", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    if azure.aks.api_server_authorized_ip_ranges.is_empty() || spec.spec.pipeline.deploy != Deploy::Gitops {
        return;
    }
    let message = "the API server answers only `apiServerAuthorizedIpRanges`, and the GitOps release and rollback jobs wait for Argo CD through it from a GitHub-hosted runner, whose address is not among them: every release would fail and no environment after the first would be promoted";
    out.push(
        spec.at(&RULE, &route!["platform", azure::NAME, "aks", "apiServerAuthorizedIpRanges"], true, message).help(
            "remove the ranges (sign-in is Entra ID only), or deploy from a runner inside them (self-hosted runners are not expressible in the spec today)",
        ),
    );
}
