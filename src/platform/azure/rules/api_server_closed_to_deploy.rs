use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;
use crate::spec::model::Deploy;

declare_rule! {
    /// ## What it does
    /// Reports `platform.azure.aks.apiServerAuthorizedIpRanges` on a spec whose pipeline
    /// deploys with Helm (`pipeline.deploy: helm`, the default).
    ///
    /// ## Why it matters
    /// The Helm deploy job runs on a GitHub-hosted runner and talks to the API server from
    /// whatever address GitHub gives it that day: with authorized ranges, the API server
    /// refuses it and every deploy fails, after the image was built and released. GitHub
    /// publishes thousands of runner ranges, which AKS does not accept in full (200 at most),
    /// and which change weekly.
    ///
    /// ## Example
    /// ```yaml
    /// aks: {apiServerAuthorizedIpRanges: [203.0.113.0/24]}
    /// pipeline: {deploy: helm}
    /// ```
    ///
    /// ## How to fix
    /// Remove the ranges: sign-in to the API server is Entra ID only (local accounts off). Or
    /// render without them and deploy from a runner of your own inside them. GitOps is no way
    /// out: its release jobs wait for Argo CD through the API server too (SPEC166).
    pub static RULE = ("SPEC136", "api-server-closed-to-deploy", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    if azure.aks.api_server_authorized_ip_ranges.is_empty() || spec.spec.pipeline.deploy != Deploy::Helm {
        return;
    }
    let message = "the API server answers only `apiServerAuthorizedIpRanges`, and the Helm deploy job calls it from a GitHub-hosted runner, whose address is not among them: every deploy would fail";
    out.push(
        spec.at(&RULE, &route!["platform", azure::NAME, "aks", "apiServerAuthorizedIpRanges"], true, message).help(
            "remove the ranges (sign-in is Entra ID only), or deploy from a runner inside them (self-hosted runners are not expressible in the spec today; `gitops` waits through the API server too)",
        ),
    );
}
