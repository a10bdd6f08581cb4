use std::collections::HashSet;

use super::acr_push_on_several_registries::grants;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl::{self, Piece};
use crate::lint::terraform::{Document, resources};

declare_rule! {
    /// ## What it does
    /// Reports a role assignment on a whole subscription or resource group that is either a
    /// registry role (`AcrPush`, `AcrPull`) or given to a CI identity: a managed identity with
    /// a federated credential (`azurerm_federated_identity_credential`), or the service
    /// principal of an application with one (`azuread_application_federated_identity_credential`),
    /// in the same module. A scope is broad when it is written as
    /// `/subscriptions/...` or `/subscriptions/.../resourceGroups/...` (with or without
    /// interpolations), or refers to `azurerm_resource_group.*.id`,
    /// `data.azurerm_resource_group.*.id` or `data.azurerm_subscription.*.id`. A scope passed
    /// in as a variable is not judged.
    ///
    /// ## Why it matters
    /// AcrPush on a resource group reaches every registry in it, today's and tomorrow's; any
    /// role for a GitHub workflow on a resource group or subscription lets whoever can change
    /// that workflow act on everything there. The pipeline needs push on one registry and
    /// cluster-user on one cluster.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_role_assignment" "push" {
    ///   scope                = azurerm_resource_group.this.id
    ///   role_definition_name = "AcrPush"
    ///   principal_id         = azurerm_user_assigned_identity.ci.principal_id
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Scope the assignment to the one resource it is for: `azurerm_container_registry.this.id`,
    /// `azurerm_kubernetes_cluster.this.id`.
    pub static RULE = ("TF009", "role-on-broad-scope", Error);
}

/// What a scope covers, when it is broad.
fn breadth(expr: &hcl_edit::expr::Expression) -> Option<&'static str> {
    for r in hcl::references(expr) {
        if (r.starts_with("azurerm_resource_group.") || r.starts_with("data.azurerm_resource_group."))
            && r.ends_with(".id")
        {
            return Some("resource group");
        }
        if r.starts_with("data.azurerm_subscription.") && r.ends_with(".id") {
            return Some("subscription");
        }
    }
    let pieces = hcl::pieces(expr)?;
    // An interpolation stands for one path segment here: `${var.rg}` is a name, not a path.
    let flat: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_ascii_lowercase(),
            Piece::Unknown => "\u{0}".to_string(),
        })
        .collect();
    let segments: Vec<&str> = flat.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["", "subscriptions", sub] if !sub.is_empty() => Some("subscription"),
        ["", "subscriptions", sub, "resourcegroups", rg] if !sub.is_empty() && !rg.is_empty() => Some("resource group"),
        _ => None,
    }
}

/// The addresses (`azurerm_user_assigned_identity.ci`) of identities GitHub logs in as.
fn ci_identities(docs: &[Document]) -> HashSet<String> {
    let address = |r: &str| -> Option<String> {
        let mut parts = r.split('.');
        Some(format!("{}.{}", parts.next()?, parts.next()?))
    };
    let mut out = HashSet::new();
    for r in resources(docs, "azurerm_federated_identity_credential") {
        for key in ["parent_id", "user_assigned_identity_id"] {
            let refs = hcl::value(r.body(), key).map(hcl::references).unwrap_or_default();
            out.extend(
                refs.iter().filter(|r| r.starts_with("azurerm_user_assigned_identity.")).filter_map(|r| address(r)),
            );
        }
    }
    let mut apps = HashSet::new();
    for r in resources(docs, "azuread_application_federated_identity_credential") {
        let refs = hcl::value(r.body(), "application_id").map(hcl::references).unwrap_or_default();
        apps.extend(refs.iter().filter(|r| r.starts_with("azuread_application")).filter_map(|r| address(r)));
    }
    for sp in resources(docs, "azuread_service_principal") {
        let refs = hcl::value(sp.body(), "client_id").map(hcl::references).unwrap_or_default();
        if refs.iter().filter_map(|r| address(r)).any(|a| apps.contains(&a)) {
            out.insert(sp.address());
        }
    }
    out.extend(apps);
    out
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let ci = ci_identities(docs);
    for r in resources(docs, "azurerm_role_assignment") {
        let Some(scope) = hcl::value(r.body(), "scope") else { continue };
        let Some(what) = breadth(scope) else { continue };
        let registry_role = ["AcrPush", "AcrPull"].into_iter().find(|role| {
            let id = if *role == "AcrPush" {
                "8311e382-0749-4cb8-b61a-304f252e45ec"
            } else {
                "7f951dda-4ed3-4680-a7ca-43fe172d538d"
            };
            grants(&r, role, id)
        });
        let principal = hcl::value(r.body(), "principal_id").map(hcl::references).unwrap_or_default();
        let for_ci = principal.iter().any(|p| ci.iter().any(|c| p == c || p.starts_with(&format!("{c}."))));
        let message = match (registry_role, for_ci) {
            (Some(role), _) => format!("{} grants {role} on a whole {what}, so on every registry in it", r.address()),
            (None, true) => format!("{} gives a GitHub (CI) identity a role on a whole {what}", r.address()),
            (None, false) => continue,
        };
        out.push(r.at(&RULE, r.attr_span("scope"), message).help(
            "scope the assignment to the one registry or cluster it is for (`azurerm_container_registry.this.id`)",
        ));
    }
}
