use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Job};
use crate::text::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports a deploy job with no `concurrency` in the job or the workflow. A job deploys
    /// when it has an `environment`, uses a deploy action (`azure/k8s-deploy`,
    /// `azure/webapps-deploy`, `azure/arm-deploy`,
    /// `aws-actions/amazon-ecs-deploy-task-definition`), or runs `helm upgrade`/`install`/
    /// `rollback`/`uninstall`, `kubectl apply`/`create`/`replace`/`patch`/`delete`/`set` or
    /// `rollout restart`/`undo`, `az deployment ...` or `terraform apply`/`destroy`. A
    /// workflow that only another calls (`on: workflow_call`) runs its jobs under its caller's
    /// `concurrency`, which the called file does not show: its jobs are not reported for
    /// the workflow's (they still are for a job's own, which a called job may set).
    ///
    /// zizmor: `concurrency-limits` (pedantic; it asks every workflow for a `concurrency`).
    ///
    /// ## Why it matters
    /// Two pushes in a row start two deploys at once. Helm refuses the second ("another
    /// operation is in progress") or, worse, the older one finishes last and rolls the
    /// newer release back; two `terraform apply` race for the state lock.
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   environment: production
    ///   steps:
    ///     - run: helm upgrade --install shop ./chart --atomic --wait
    /// ```
    ///
    /// ## How to fix
    /// Give the job (or the workflow) a concurrency group, and let a running deploy finish:
    /// `concurrency: {group: deploy-production, cancel-in-progress: false}`.
    pub static RULE = ("GHA014", "deploy-without-concurrency", Warning);
}

pub(super) const DEPLOY_ACTIONS: [&str; 4] =
    ["azure/k8s-deploy", "azure/webapps-deploy", "azure/arm-deploy", "aws-actions/amazon-ecs-deploy-task-definition"];

/// What a command deploys with, if it deploys.
pub(super) fn deploys(cmd: &Command) -> Option<String> {
    let sub = cmd.args().first().map_or("", String::as_str);
    let deploys = match cmd.name() {
        "helm" => matches!(sub, "upgrade" | "install" | "rollback" | "uninstall"),
        "kubectl" => {
            let action = cmd.args().get(1).map_or("", String::as_str);
            matches!(sub, "apply" | "create" | "replace" | "patch" | "delete" | "set")
                || (sub == "rollout" && matches!(action, "restart" | "undo" | "pause" | "resume"))
        }
        "az" => sub == "deployment",
        "terraform" => matches!(sub, "apply" | "destroy"),
        _ => false,
    };
    deploys.then(|| format!("`{} {sub}`", cmd.name()))
}

/// Why a job is a deploy, if it is one.
fn deploy(job: &Job<'_>) -> Option<String> {
    if job.get("environment").is_some() {
        return Some("has an environment".into());
    }
    deploy_step(job)
}

/// The first step of a job that deploys, and how: a deploy action or a deploy command.
pub(super) fn deploy_step(job: &Job<'_>) -> Option<String> {
    job.steps().iter().find_map(|step| {
        let action = DEPLOY_ACTIONS.iter().find(|a| step.uses_action(a)).map(|a| format!("uses `{a}`"));
        action.or_else(|| step.run()?.commands().iter().find_map(deploys).map(|c| format!("runs {c}")))
    })
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let called = doc.triggers().iter().map(|(t, _)| *t).eq(["workflow_call"]);
    if called {
        return;
    }
    for job in doc.jobs().into_iter().filter(|j| !j.has_concurrency()) {
        let Some(why) = deploy(&job) else { continue };
        let message = format!("job `{}` deploys ({why}) with no `concurrency`: two runs can deploy at once", job.id);
        out.push(doc.at(&RULE, job.key, message).help(
            "add `concurrency: {group: deploy-<environment>, cancel-in-progress: false}` to the job or the workflow",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::deploys;
    use crate::diag::{Diagnostics, Source};
    use crate::lint::workflow::Document;
    use crate::text::shell::commands;

    #[test]
    fn a_called_workflows_deploy_runs_under_its_callers_concurrency() {
        let found = |on: &str| {
            let text = format!(
                "on: {on}\njobs:\n  deploy:\n    environment: production\n    steps:\n      - run: helm upgrade --install shop ./chart\n"
            );
            let mut out = Diagnostics::default();
            super::check(&Document::parse(&Source::new("w.yml", text)), &mut out);
            out.len()
        };
        assert_eq!(found("push"), 1);
        assert_eq!(found("[push, workflow_call]"), 1, "a push starts it without a caller");
        assert_eq!(found("workflow_call"), 0);
    }

    #[test]
    fn commands_that_change_a_cluster_deploy_and_reads_do_not() {
        let deploy = |script: &str| commands(script).iter().find_map(deploys);
        assert_eq!(deploy("helm upgrade --install shop ./chart").as_deref(), Some("`helm upgrade`"));
        assert_eq!(deploy("kubectl rollout restart deploy/shop").as_deref(), Some("`kubectl rollout`"));
        assert_eq!(deploy("az deployment group create -g rg -f main.bicep").as_deref(), Some("`az deployment`"));
        assert_eq!(deploy("kubectl rollout status deploy/shop && kubectl get pods && helm lint ."), None);
        assert_eq!(deploy("terraform plan"), None);
    }
}
