use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_container_registry` with `anonymous_pull_enabled = true`.
    ///
    /// checkov: CKV_AZURE_138.
    ///
    /// ## Why it matters
    /// Anyone on the internet can pull every image in the registry without logging in: the
    /// services' code, and whatever was built into the images by mistake.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_container_registry" "this" {
    ///   name                   = "shopacr"
    ///   resource_group_name    = "shop-rg"
    ///   location               = "westeurope"
    ///   sku                    = "Standard"
    ///   anonymous_pull_enabled = true
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Remove `anonymous_pull_enabled` (it defaults to false); the cluster pulls with its
    /// kubelet identity's AcrPull.
    pub static RULE = ("TF020", "acr-anonymous-pull-enabled", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_container_registry") {
        if r.boolean("anonymous_pull_enabled") == Some(true) {
            let message = format!("{} lets anyone pull its images without logging in", r.address());
            out.push(
                r.at_attr(&RULE, "anonymous_pull_enabled", message)
                    .help("remove `anonymous_pull_enabled`; grant AcrPull to the identities that pull"),
            );
        }
    }
}
