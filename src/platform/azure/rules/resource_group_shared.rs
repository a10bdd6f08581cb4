use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

use crate::spec::rules::environment_setting;

declare_rule! {
    /// ## What it does
    /// Reports two environments on Azure with the same resource group
    /// (`platform.azure.resourceGroup`), at the later one; and an environment's resource group
    /// named as the shared root's, `<metadata.name>-shared`, at the environment's.
    ///
    /// ## Why it matters
    /// Each environment on Azure is a Terraform workspace that creates its own resource group,
    /// and its cluster, public IP and deploy identity in it. Two workspaces cannot both create
    /// one group: the second `terraform apply` stops with "a resource with the ID ... already
    /// exists", and a `terraform destroy` of one environment would delete the other's cluster
    /// with the group. The same holds for the group of what every environment shares (the
    /// registry, the build identity, the DNS zones), which `terraform/shared/` creates as
    /// `<metadata.name>-shared`.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   azure: {resourceGroup: shop-rg, ...}
    /// environments: [{name: dev}, {name: prod}]
    /// ```
    ///
    /// ## How to fix
    /// Give every environment after the first a resource group of its own
    /// (`environments[].platform.azure.resourceGroup`), and a cluster name of its own with it.
    pub static RULE = ("SPEC125", "resource-group-shared", Error);
}

/// The resource group of the shared root (terraform/shared/terraform.tfvars names it the same).
pub fn shared_group(project: &str) -> String {
    format!("{project}-shared")
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let shared = shared_group(&spec.spec.metadata.name);
    if let Some(state) =
        spec.spec.platform.terraform_state.as_ref().filter(|s| s.resource_group.eq_ignore_ascii_case(&shared))
    {
        let message = format!(
            "the state's resource group `{}` is the shared root's (terraform/shared/ creates `{shared}`): the bootstrap \
             and the shared root would both create it",
            state.resource_group
        );
        let at = crate::route!["platform", "terraformState", "resourceGroup"];
        out.push(
            spec.at(&RULE, &at, false, message).help(format!("give the state a resource group other than `{shared}`")),
        );
    }
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == azure::NAME) {
        let Some(azure) = azure::of(&env.spec(spec).spec) else { continue };
        let group = azure.resource_group.as_str();
        if group.eq_ignore_ascii_case(&shared) {
            let message = format!(
                "the resource group `{group}` is the shared root's (terraform/shared/ creates `{shared}` for the \
                 registry, the build identity and the DNS zones every environment uses), so this environment's \
                 apply would fail, and its destroy would delete what every environment shares"
            );
            // Where the name is written: the environment's override, else the spec's own.
            let written = crate::route!["environments", i, "platform", azure::NAME, "resourceGroup"];
            let at = if spec.doc.root.lookup(&written).is_some() {
                written
            } else {
                crate::route!["platform", azure::NAME, "resourceGroup"]
            };
            out.push(spec.at(&RULE, &at, false, message).help(format!(
                "name `{}`'s resource group anything but `{shared}` under its `platform.azure.resourceGroup`",
                env.name
            )));
        }
        if let Some((_, other)) = seen.iter().find(|(g, _)| g.eq_ignore_ascii_case(group)) {
            let message = format!(
                "environments `{other}` and `{}` both create the resource group `{group}`: each environment's \
                 Terraform workspace creates its own, so the second apply fails",
                env.name
            );
            let at = environment_setting(spec, i, &["platform", azure::NAME, "resourceGroup"]);
            out.push(spec.at(&RULE, &at, false, message).help(format!(
                "give `{}` a resource group of its own under its `platform.azure.resourceGroup`",
                env.name
            )));
        }
        seen.push((group, env.name.as_str()));
    }
}
