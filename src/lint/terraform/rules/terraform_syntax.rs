use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports a Terraform file that is not HCL: an unclosed block or string, an argument
    /// without a value, an argument written twice in one block, a block in a `.tfvars` file.
    ///
    /// ## Why it matters
    /// `terraform init`, `plan` and `fmt` refuse the whole module, and no other rule can check
    /// the file.
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
