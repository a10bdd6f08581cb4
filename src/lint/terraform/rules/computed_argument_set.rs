use super::schema_findings;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports an argument that the provider schema marks computed only: a value the provider
    /// reports (`kube_config_raw`, `login_server`, `principal_id`), not one a configuration
    /// sets.
    ///
    /// ## Why it matters
    /// `terraform validate` refuses it ("Invalid or unknown key", "Value for unconfigurable
    /// attribute").
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_user_assigned_identity" "ci" {
    ///   name                = "shop-ci"
    ///   resource_group_name = "shop-rg"
    ///   location            = "westeurope"
    ///   principal_id        = "00000000-0000-0000-0000-000000000000"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Remove it, and read it where it is needed (`azurerm_user_assigned_identity.ci.principal_id`).
    pub static RULE = ("TF005", "computed-argument-set", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    schema_findings(docs, Kind::Computed, &RULE, out);
}
