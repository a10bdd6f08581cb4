use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::{self, Capability};
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports two environments on a cloud (Azure, AWS) that deploy through the same GitHub environment
    /// (`platform.github.environment`, by default the environment's own name; GitHub reads
    /// the name without its case), at the later one; and an environment whose GitHub
    /// environment is one of the Terraform workflow's (`terraform-plan-review`,
    /// `terraform-shared`, `terraform-drift`, `terraform-<environment>`, `terraform` without
    /// environments), or whose own Terraform GitHub environment is the shared root's, the
    /// drift check's or the review gate's (an environment named `shared`, `drift` or
    /// `plan-review`).
    ///
    /// ## Why it matters
    /// Each environment's deploy identity (Azure) or role (AWS) trusts one OIDC subject,
    /// `repo:OWNER/NAME:environment:<GitHub environment>`, and on Azure the workflow finds that
    /// identity's client id in the GitHub environment's own variables. Two environments in
    /// one GitHub environment share its protection rules (a production gate would also gate
    /// test, or not gate production): either one's deploy job may sign in as the other's
    /// identity or role. The Terraform workflow's apply identity (Contributor on the subscription)
    /// or role (AdministratorAccess) trusts its GitHub environments: a deploy job in one of
    /// them could sign in as it, and an environment's apply in `terraform-shared` would share
    /// the shared root's gate. The drift role or identity, which reads every resource and every
    /// cluster object, trusts `terraform-drift`, which has no reviewer: an apply there would
    /// run ungated.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   github: {repository: acme/shop, environment: production}
    /// environments: [{name: test}, {name: prod}]
    /// ```
    ///
    /// ## How to fix
    /// Name the GitHub environment per environment (`environments[].platform.github.environment`)
    /// or leave it out: each environment then deploys through the GitHub environment of its name.
    pub static RULE = ("SPEC123", "github-environment-shared", Error);
}

/// The GitHub environments of the Terraform workflow's own jobs besides each environment's apply.
const TERRAFORM_OWN: [&str; 3] = ["terraform-plan-review", "terraform-shared", "terraform-drift"];

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    // The environments on a cloud, where a pipeline deploys and Terraform applies (a spec has
    // one cloud).
    let cloud: Vec<_> = spec
        .environments
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            platform::by_name(e.target).is_some_and(|p| p.capabilities().contains(&Capability::CloudPipeline))
        })
        .collect();
    // The Terraform workflow's GitHub environments, where its apply identity signs in.
    let mut terraform: Vec<String> = TERRAFORM_OWN.iter().map(|s| s.to_string()).collect();
    terraform.extend(
        cloud.iter().map(|(_, e)| if e.declared { format!("terraform-{}", e.name) } else { "terraform".to_string() }),
    );
    for (i, env) in &cloud {
        let loaded = env.spec(spec);
        let Some(github) = loaded.spec.platform.github.as_ref() else { continue };
        let written = github.environment.clone();
        let deploy = written.clone().unwrap_or_else(|| {
            if env.declared { env.name.clone() } else { crate::spec::model::DEFAULT_GITHUB_ENVIRONMENT.into() }
        });
        if let Some(taken) = terraform.iter().find(|t| t.eq_ignore_ascii_case(&deploy)) {
            let message = format!(
                "`{}` deploys through the GitHub environment `{deploy}`, one of the Terraform workflow's \
                 (`{taken}`): its deploy job could sign in as the Terraform identity or role that trusts it, which \
                 administers or reads the whole cloud",
                env.name
            );
            let d = match written {
                Some(_) => loaded.at(&RULE, &route!["platform", "github", "environment"], false, message),
                None => spec.at(&RULE, &route!["environments", *i, "name"], false, message),
            };
            out.push(d.help("give it a GitHub environment whose name does not start with `terraform`"));
        }
        if env.declared {
            let own = format!("terraform-{}", env.name);
            if TERRAFORM_OWN.iter().any(|t| t.eq_ignore_ascii_case(&own)) {
                let message = format!(
                    "the environment `{}` would apply its Terraform in the GitHub environment `{own}`, the Terraform \
                     workflow's own (the shared root's apply, the drift check, or the review of a gen-refresh plan)",
                    env.name
                );
                out.push(
                    spec.at(&RULE, &route!["environments", *i, "name"], false, message)
                        .help("name the environment otherwise (`shared`, `drift` and `plan-review` are taken)"),
                );
            }
        }
    }
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (i, env) in cloud.into_iter().filter(|(_, e)| e.declared) {
        let loaded = env.spec(spec);
        let written = loaded.spec.platform.github.as_ref().and_then(|g| g.environment.clone());
        let github = written.clone().unwrap_or_else(|| env.name.clone());
        // GitHub's environment names are not case-sensitive: `Prod` is `prod`.
        if let Some((_, other)) = seen.iter().find(|(g, _)| g.to_lowercase() == github.to_lowercase()) {
            let message = format!(
                "environments `{other}` and `{}` both deploy through the GitHub environment `{github}`: each needs its own, \
                 for its protection rules and its deploy identity's or role's one OIDC subject",
                env.name
            );
            let d = match written {
                Some(_) => loaded.at(&RULE, &route!["platform", "github", "environment"], false, message),
                None => spec.at(&RULE, &route!["environments", i, "name"], false, message),
            };
            out.push(
                d.help(format!("give `{}` a GitHub environment of its own under its `platform.github`", env.name)),
            );
        }
        seen.push((github, env.name.as_str()));
    }
}
