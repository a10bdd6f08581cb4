use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::local;
use crate::spec::Loaded;
use crate::spec::rules::environment_setting;

declare_rule! {
    /// ## What it does
    /// Reports two environments on this machine that deploy to the same cluster: the same
    /// tool (`minikube`, `kind`) and the same cluster name (`platform.local.name`, or the
    /// `<project>-<environment>` each gets when it names none), at the later one.
    ///
    /// ## Why it matters
    /// Both deploy the same services, under the same names, into the same namespaces of one
    /// cluster, behind its one ingress controller and port: the second deploy replaces the
    /// first one's objects, and what answers is whichever ran last.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {local: {name: laptop}}
    /// environments: [{name: dev}, {name: test}]
    /// ```
    ///
    /// ## How to fix
    /// Leave `name` out (each environment then gets a cluster of its own), or give each
    /// environment its own under its `platform.local`.
    pub static RULE = ("SPEC145", "local-cluster-shared", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let project = &spec.spec.metadata.name;
    let mut seen: Vec<(local::Cluster, String, &str)> = Vec::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == local::NAME && e.declared) {
        let Some(block) = local::of(&env.spec(spec).spec) else { continue };
        let cluster = block.cluster_name(project, Some(&env.name));
        if let Some((_, _, other)) = seen.iter().find(|(tool, name, _)| *tool == block.cluster && *name == cluster) {
            let message = format!(
                "environments `{other}` and `{}` both deploy to the {} cluster `{cluster}`: the second would replace the first one's services",
                env.name,
                block.cluster.name()
            );
            let at = environment_setting(spec, i, &["platform", local::NAME, "name"]);
            out.push(spec.at(&RULE, &at, false, message).help(format!(
                "give `{}` a cluster of its own (`platform: {{local: {{name: {cluster}-{}}}}}`), or leave `name` out for `{project}-<environment>`",
                env.name, env.name
            )));
        }
        seen.push((block.cluster, cluster, env.name.as_str()));
    }
}
