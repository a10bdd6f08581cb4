use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;
use crate::spec::model::Deploy;

declare_rule! {
    /// ## What it does
    /// Reports `pipeline.deploy: gitops` on a spec whose services run on AWS.
    ///
    /// ## Why it matters
    /// GitOps needs three pieces that work together: Argo CD in the cluster, the Argo CD
    /// Applications, and the release job that commits each image's digest for Argo CD to
    /// sync. On AWS gen does not render the pipeline's jobs yet (issue #50), so nothing would
    /// ever tell Argo CD what to deploy: the first deploy would never happen.
    ///
    /// ## How to fix
    /// Deploy with Helm (`pipeline.deploy: helm`, the default) until gen's AWS pipeline
    /// lands.
    pub static RULE = ("SPEC185", "gitops-not-yet-on-aws", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if aws::of(&spec.spec).is_none() || spec.spec.pipeline.deploy != Deploy::Gitops {
        return;
    }
    out.push(
        spec.at(
            &RULE,
            &route!["pipeline", "deploy"],
            false,
            "GitOps on AWS needs the release job that commits each image for Argo CD, which gen does not render on AWS yet",
        )
        .help("deploy with Helm (`pipeline.deploy: helm`) until gen's AWS pipeline lands"),
    );
}
