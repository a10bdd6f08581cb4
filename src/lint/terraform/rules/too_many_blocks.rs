use super::schema_findings;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a nested block written more often than the provider schema allows (its
    /// `max_items`, or once for a single block): two `identity` or `default_node_pool` blocks
    /// in one cluster.
    ///
    /// ## Why it matters
    /// `terraform validate` refuses the module ("Too many ... blocks").
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "this" {
    ///   # ...
    ///   identity { type = "SystemAssigned" }
    ///   identity { type = "UserAssigned" }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Merge the blocks into one (`identity { type = "SystemAssigned, UserAssigned" ... }`).
    pub static RULE = ("TF006", "too-many-blocks", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    schema_findings(docs, Kind::TooMany, &RULE, out);
}
