use std::collections::BTreeMap;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl::{self, refers_to};
use crate::lint::terraform::{Document, Resource, resources};

declare_rule! {
    /// ## What it does
    /// Reports an identity (a managed identity, a service principal, a GitHub federated
    /// credential's principal) given `AcrPush` on more than one registry in one module: one
    /// `azurerm_role_assignment` repeated with `for_each` or `count` over registries for the
    /// same principal, or two `AcrPush` assignments for the same principal with different
    /// scopes. The principal is compared as written (`azuread_service_principal.github.object_id`).
    ///
    /// ## Why it matters
    /// One GitHub repository to one registry: a workflow that can push to every registry can
    /// overwrite any other service's images, so one compromised repository poisons them all.
    /// A reference write-up of this platform gave its GitHub application AcrPush on a map of
    /// registries and named it as the least-privilege mistake to undo.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_role_assignment" "push" {
    ///   for_each             = var.acrs
    ///   scope                = azurerm_container_registry.this[each.key].id
    ///   role_definition_name = "AcrPush"
    ///   principal_id         = azuread_service_principal.github.object_id
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Give each repository its own identity and federated credential, with `AcrPush` on its
    /// own registry only: call the module once per repository instead of looping over
    /// registries.
    pub static RULE = ("TF008", "acr-push-on-several-registries", Error);
}

/// The built-in AcrPush role's id.
const ACR_PUSH_ID: &str = "8311e382-0749-4cb8-b61a-304f252e45ec";

/// Whether a role assignment grants AcrPush.
pub fn grants(r: &Resource<'_>, role: &str, role_id: &str) -> bool {
    r.string("role_definition_name").is_some_and(|n| n.eq_ignore_ascii_case(role))
        || r.string("role_definition_id").is_some_and(|id| id.to_ascii_lowercase().ends_with(role_id))
}

const ITERATION: &[&str] = &["each.", "count."];

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let push: Vec<Resource<'_>> =
        resources(docs, "azurerm_role_assignment").filter(|r| grants(r, "AcrPush", ACR_PUSH_ID)).collect();
    let mut by_principal: BTreeMap<String, Vec<(String, Resource<'_>)>> = BTreeMap::new();
    for r in &push {
        let (Some(scope), Some(principal)) = (hcl::value(r.body(), "scope"), hcl::value(r.body(), "principal_id"))
        else {
            continue;
        };
        let repeated = r.has("for_each") || r.has("count");
        if repeated && refers_to(scope, ITERATION) && !refers_to(principal, ITERATION) {
            let how = if r.has("for_each") { "`for_each`" } else { "`count`" };
            let message = format!(
                "{} gives one principal AcrPush on every registry of its {how}: one GitHub repository, one registry",
                r.address()
            );
            out.push(
                r.at(&RULE, r.attr_span("scope"), message)
                    .help("give each repository its own identity with AcrPush on its own registry"),
            );
            continue;
        }
        if refers_to(principal, ITERATION) || refers_to(scope, ITERATION) {
            continue;
        }
        let who = hcl::text(r.doc.text(), principal);
        by_principal.entry(who).or_default().push((hcl::text(r.doc.text(), scope), *r));
    }
    for (who, grants) in by_principal {
        let Some((first_scope, first)) = grants.first() else { continue };
        for (scope, r) in grants.iter().skip(1).filter(|(s, _)| s != first_scope) {
            let message = format!(
                "`{who}` has AcrPush on `{scope}` here and on `{first_scope}` ({}): one GitHub repository, one registry",
                first.address()
            );
            out.push(
                r.at(&RULE, r.attr_span("scope"), message)
                    .help("give each repository its own identity with AcrPush on its own registry"),
            );
        }
    }
}
