use super::schema_findings;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports an argument or nested block that the resource's (or data source's) provider
    /// schema does not have, with the names it may have meant. Checked against the schemas gen
    /// embeds (azurerm 4.79, azuread 3.7, helm 3.0, kubernetes 2.38); types without one, and
    /// providers the module pins to other versions, are not checked. Arguments azurerm 4
    /// renamed or removed are TF007's.
    ///
    /// ## Why it matters
    /// `terraform validate` and `plan` stop at the first such name: the change never ships, or
    /// a misspelt security setting (`local_acount_disabled`) would, if Terraform accepted it,
    /// leave the default in place.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_container_registry" "this" {
    ///   name                = "shopacr"
    ///   resource_group_name = "shop-rg"
    ///   location            = "westeurope"
    ///   sku                 = "Standard"
    ///   admin_enable        = false
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Use the name the provider documents (`admin_enabled`), or remove the argument.
    pub static RULE = ("TF002", "unknown-argument", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    schema_findings(docs, Kind::Unknown, &RULE, out);
}
