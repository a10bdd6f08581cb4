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
    /// Applications, and the release job that commits each image's digest and waits until
    /// Argo CD reports it synced and healthy. On AWS gen's pipeline deploys with Helm; its
    /// release job has no AWS role to read Argo CD's Applications in each cluster yet (issue
    /// #50), so the promotion to the next environment would never start.
    ///
    /// ## How to fix
    /// Deploy with Helm (`pipeline.deploy: helm`, the default) until gen's GitOps release
    /// job runs on AWS.
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
            "GitOps on AWS needs a release job that reads Argo CD in each cluster, which gen's AWS pipeline does not have yet",
        )
        .help("deploy with Helm (`pipeline.deploy: helm`): gen's AWS pipeline deploys with Helm"),
    );
}
