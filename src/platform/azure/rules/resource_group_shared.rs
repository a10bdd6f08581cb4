use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

use crate::spec::rules::environment_setting;

declare_rule! {
    /// ## What it does
    /// Reports two environments on Azure with the same resource group
    /// (`platform.azure.resourceGroup`), at the later one.
    ///
    /// ## Why it matters
    /// Each environment on Azure is a Terraform workspace that creates its own resource group,
    /// and its cluster, public IP and deploy identity in it. Two workspaces cannot both create
    /// one group: the second `terraform apply` stops with "a resource with the ID ... already
    /// exists", and a `terraform destroy` of one environment would delete the other's cluster
    /// with the group.
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

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == azure::NAME) {
        let Some(azure) = azure::of(&env.spec(spec).spec) else { continue };
        let group = azure.resource_group.as_str();
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
