use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` with `role_based_access_control_enabled = false`:
    /// written so, or through a variable or local that is false in a reading of the module
    /// (its default, a `.tfvars` linted with it, a caller's argument to the module). Like every
    /// Terraform rule that judges a setting, it names where the value came from.
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
                r.at_attr(&RULE, "role_based_access_control_enabled", message)
                    .help("remove `role_based_access_control_enabled` (it defaults to true)"),
            );
        }
    }
}
