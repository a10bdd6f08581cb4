use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` whose local accounts stay enabled: without
    /// `local_account_disabled = true` (in azurerm 4 the argument defaults to false, so leaving
    /// it out keeps them), or with it set to false: written so, or through a variable or
    /// local (its default, the `.tfvars` linted with it, a module caller's argument). A value
    /// gen cannot tell is not judged.
    ///
    /// checkov: CKV_AZURE_141.
    ///
    /// ## Why it matters
    /// The local `clusterAdmin` credential (`az aks get-credentials --admin`) is a certificate
    /// that bypasses Entra ID and Kubernetes RBAC bindings for groups, cannot be revoked short
    /// of rotating the cluster's certificates, and is handed to anyone with the
    /// `listClusterAdminCredential` action. With local accounts disabled, every login goes
    /// through Entra ID (kubelogin), as the Helm provider and the pipeline do.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "this" {
    ///   name                = "shop-aks"
    ///   # ...
    ///   local_account_disabled = false
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Set `local_account_disabled = true` with
    /// `azure_active_directory_role_based_access_control { azure_rbac_enabled = true, tenant_id = ... }`
    /// (AKS requires Entra ID integration for it), and log in with kubelogin.
    pub static RULE = ("TF012", "aks-local-accounts-enabled", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let finding = match (r.has("local_account_disabled"), r.boolean("local_account_disabled")) {
            (false, _) => r.at(
                &RULE,
                r.header(),
                format!("{} keeps its local admin account: `local_account_disabled` defaults to false", r.address()),
            ),
            (true, Some(false)) => {
                r.at_attr(&RULE, "local_account_disabled", format!("{} keeps its local admin account", r.address()))
            }
            _ => continue,
        };
        out.push(
            finding.help("set `local_account_disabled = true` (with Entra ID integration) and log in with kubelogin"),
        );
    }
}
