use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports a Terraform file that is not HCL: an unclosed block or string, an argument
    /// without a value, an argument written twice in one block, a block in a `.tfvars` file.
    /// Also a file gen's HCL parser stops reading though Terraform reads it: one nested more
    /// than 64 levels deep, or an expression of more than 128 chained binary operators (the
    /// parser's bounds, which keep a hostile file from overflowing gen's stack); the message
    /// says which.
    ///
    /// ## Why it matters
    /// `terraform init`, `plan` and `fmt` refuse the whole module, and no other rule can check
    /// the file. A file past gen's bounds is not checked at all, and gen says so rather than
    /// pass it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_resource_group" "this" {
    ///   name     = "shop-rg"
    ///   name     = "shop"
    ///   location = "westeurope"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Fix the HCL at the reported line and column.
    pub static RULE = ("TF001", "terraform-syntax", Error, unignorable);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    out.extend(doc.syntax.iter().cloned());
}
