use super::deploy_without_concurrency::deploy_step;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Job};

declare_rule! {
    /// ## What it does
    /// Reports a job that deploys (a deploy action, or `helm upgrade`/`install`/`rollback`,
    /// `kubectl apply` and the like, `az deployment`, `terraform apply`: as GHA014 reads them)
    /// and runs in no GitHub `environment`. A job that first starts a throwaway cluster on the
    /// runner (`helm/kind-action`, `kind create cluster`, `minikube start`, `k3d cluster
    /// create`) deploys nothing anyone uses, and is not reported.
    ///
    /// No check of zizmor, checkov or Scorecard matches it.
    ///
    /// ## Why it matters
    /// Without an environment, every push to the branch deploys with no reviewer, and the
    /// cloud identity the job signs in as through OIDC trusts the branch: any workflow of the
    /// repository that runs on that branch can sign in as the deploy identity too. An
    /// environment adds required reviewers and deployment branches, and gives the identity a
    /// subject of its own (`repo:OWNER/NAME:environment:production`).
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   steps:
    ///     - run: helm upgrade --install shop ./chart --atomic --wait
    /// ```
    ///
    /// ## How to fix
    /// Run the job in a GitHub environment with protection rules (`environment: production`),
    /// and make the deploy identity trust that environment's subject instead of the branch.
    pub static RULE = ("GHA023", "deploy-without-environment", Warning);
}

/// Actions and commands that start a cluster on the runner itself.
const THROWAWAY_ACTIONS: [&str; 3] = ["helm/kind-action", "medyagh/setup-minikube", "AbsaOSS/k3d-action"];

fn throwaway_cluster(job: &Job<'_>) -> bool {
    job.steps().iter().any(|step| {
        THROWAWAY_ACTIONS.iter().any(|a| step.uses_action(a))
            || step.run().is_some_and(|run| {
                run.commands().iter().any(|c| {
                    let sub = c.args().first().map_or("", String::as_str);
                    (c.name() == "kind" && sub == "create")
                        || (c.name() == "minikube" && sub == "start")
                        || (c.name() == "k3d" && sub == "cluster")
                })
            })
    })
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for job in doc.jobs() {
        if job.get("environment").is_some() || throwaway_cluster(&job) {
            continue;
        }
        let Some(why) = deploy_step(&job) else { continue };
        let message = format!(
            "job `{}` deploys ({why}) in no GitHub environment: no reviewer gates it, and its identity trusts the branch",
            job.id
        );
        out.push(doc.at(&RULE, job.key, message).help(
            "add `environment: production` (with required reviewers) and let the deploy identity trust that environment",
        ));
    }
}
