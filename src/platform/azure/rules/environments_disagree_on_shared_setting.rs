use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;
use crate::spec::model::Spec;

declare_rule! {
    /// ## What it does
    /// Reports an environment on Azure whose registry (`platform.azure.acr.name`), Terraform
    /// state (`platform.terraformState`), GitHub repository or branch (`platform.github`), or
    /// a service's image repository (`services[].image.repository`) differs from the first
    /// environment on Azure's, at the override that changed it.
    ///
    /// ## Why it matters
    /// Environments promote one image from one registry: the first environment on Azure
    /// creates the registry and the identity that pushes to it, the workflow builds and
    /// pushes once, and every later environment deploys that image. Terraform keeps each
    /// environment in a workspace of the one state storage, and every environment's OIDC
    /// subject names the one repository (and the build's, the one branch). A second registry
    /// would never receive the image, nor would another image repository; a second state
    /// storage, repository or branch would never be used.
    ///
    /// ## Example
    /// ```yaml
    /// environments:
    ///   - name: dev
    ///   - name: prod
    ///     platform: {azure: {acr: {name: shopprodacr}}}
    /// ```
    ///
    /// ## How to fix
    /// Write the registry, the state storage, the GitHub repository and branch and each
    /// service's image once, and override only what each environment runs on its own (its
    /// resource group, cluster, ingress hosts, GitHub environment).
    pub static RULE = ("SPEC122", "environments-disagree-on-shared-setting", Error);
}

/// The settings environments share: where each is written, what it is, and its value in a
/// spec.
fn shared(spec: &Spec) -> Vec<(Route, String, Option<String>)> {
    let p = &spec.platform;
    let state = p.terraform_state.as_ref();
    let github = p.github.as_ref();
    let images = spec.services.iter().enumerate().map(|(i, s)| {
        (
            route!["services", i, "image", "repository"],
            format!("image repository of `{}`", s.name),
            s.image.as_ref().and_then(|image| image.repository.clone()),
        )
    });
    let platform = [
        (route!["platform", azure::NAME, "acr", "name"], "registry", azure::of(spec).map(|a| a.acr.name.clone())),
        (
            route!["platform", "terraformState", "resourceGroup"],
            "Terraform state resource group",
            state.map(|s| s.resource_group.clone()),
        ),
        (
            route!["platform", "terraformState", "storageAccount"],
            "Terraform state storage account",
            state.map(|s| s.storage_account.clone()),
        ),
        (
            route!["platform", "terraformState", "container"],
            "Terraform state container",
            state.map(|s| s.container.clone()),
        ),
        (route!["platform", "github", "repository"], "GitHub repository", github.map(|g| g.repository.clone())),
        (route!["platform", "github", "branch"], "GitHub branch", github.map(|g| g.branch.clone())),
    ];
    platform.into_iter().map(|(route, what, value)| (route, what.to_string(), value)).chain(images).collect()
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut azure = spec.environments.iter().filter(|e| e.target == azure::NAME);
    let Some(first) = azure.next() else { return };
    let expected = shared(&first.spec(spec).spec);
    for env in azure {
        let loaded = env.spec(spec);
        for ((route, what, value), (_, _, want)) in shared(&loaded.spec).into_iter().zip(&expected) {
            // A value nobody wrote is a default derived from one that is reported (an image
            // repository from its registry).
            if value == *want || loaded.doc.root.lookup(&route).is_none() {
                continue;
            }
            let shown = |v: &Option<String>| v.as_deref().map_or_else(|| "none".to_string(), |v| format!("`{v}`"));
            let message = format!(
                "environment `{}` names the {what} {}, where `{}`, the first on Azure, names {}: environments \
                 promote one image from one registry, with one state storage and one repository",
                env.name,
                shown(&value),
                first.name,
                shown(want),
            );
            out.push(loaded.at(&RULE, &route, false, message).help(format!(
                "write the {what} once, outside `environments`; override only what `{}` runs on its own",
                env.name
            )));
        }
    }
}
