use super::schema_findings;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a resource, data source or nested block without an argument or block its
    /// provider schema requires (`min_items` for blocks; a `dynamic` block counts), and an
    /// object of a nested argument (helm 3's `set = [{ ... }]`) without a required attribute.
    ///
    /// ## Why it matters
    /// `terraform validate` refuses the module; the resource cannot be planned.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_resource_group" "this" {
    ///   name = "shop-rg"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Set the argument (`location = "westeurope"`) or add the block.
    pub static RULE = ("TF003", "missing-required-argument", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    schema_findings(docs, Kind::Missing, &RULE, out);
}
