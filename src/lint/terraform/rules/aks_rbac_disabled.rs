use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` with `role_based_access_control_enabled = false`.
    ///
    /// checkov: CKV_AZURE_5.
    ///
    /// ## Why it matters
    /// Without Kubernetes RBAC every authenticated user and service account may do anything
    /// in the cluster: the namespace-scoped rights the deploy identity is meant to have mean
    /// nothing, and the setting cannot be turned on later without recreating the cluster.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "this" {
    ///   # ...
    ///   role_based_access_control_enabled = false
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Remove the argument (it defaults to true).
    pub static RULE = ("TF021", "aks-rbac-disabled", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        if r.boolean("role_based_access_control_enabled") == Some(false) {
            let message = format!("{} turns Kubernetes RBAC off: every user may do anything", r.address());
            out.push(
                r.at(&RULE, r.attr_span("role_based_access_control_enabled"), message)
                    .help("remove `role_based_access_control_enabled` (it defaults to true)"),
            );
        }
    }
}
