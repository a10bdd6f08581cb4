use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports two environments on Azure that deploy through the same GitHub environment
    /// (`platform.github.environment`, by default the environment's own name; GitHub reads
    /// the name without its case), at the later one.
    ///
    /// ## Why it matters
    /// Each environment's deploy identity trusts one OIDC subject,
    /// `repo:OWNER/NAME:environment:<GitHub environment>`, and the workflow finds that
    /// identity's client id in the GitHub environment's own variables. Two environments in
    /// one GitHub environment share its protection rules (a production gate would also gate
    /// test, or not gate production) and its variables, so one of the two deploys signs in as
    /// the other's identity and fails.
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

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == azure::NAME && e.declared) {
        let loaded = env.spec(spec);
        let written = loaded.spec.platform.github.as_ref().and_then(|g| g.environment.clone());
        let github = written.clone().unwrap_or_else(|| env.name.clone());
        // GitHub's environment names are not case-sensitive: `Prod` is `prod`.
        if let Some((_, other)) = seen.iter().find(|(g, _)| g.to_lowercase() == github.to_lowercase()) {
            let message = format!(
                "environments `{other}` and `{}` both deploy through the GitHub environment `{github}`: each needs its own, \
                 for its protection rules and its deploy identity's one OIDC subject",
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
