use hcl_edit::Span as _;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, Resource, hcl, resources};

declare_rule! {
    /// ## What it does
    /// Reports a storage account that holds Terraform state without blob versioning and blob
    /// soft delete: no `blob_properties { versioning_enabled = true, delete_retention_policy
    /// { ... } }`. An account holds state when its name or its resource name says so (has
    /// `state` in it, as `acmetfstate` does) or when a container of it in the same module is
    /// named so (`tfstate`).
    ///
    /// checkov: CKV2_AZURE_38 (soft delete, for every storage account).
    ///
    /// ## Why it matters
    /// The state is the only record of what Terraform manages. A bad apply, a corrupt write or
    /// a deleted blob without a previous version to go back to means importing every resource
    /// by hand.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_storage_account" "tfstate" {
    ///   name                     = "acmetfstate"
    ///   resource_group_name      = "tfstate-rg"
    ///   location                 = "westeurope"
    ///   account_tier             = "Standard"
    ///   account_replication_type = "GRS"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// ```hcl
    /// blob_properties {
    ///   versioning_enabled = true
    ///   delete_retention_policy { days = 30 }
    ///   container_delete_retention_policy { days = 30 }
    /// }
    /// ```
    pub static RULE = ("TF017", "state-storage-unprotected", Warning);
}

fn says_state(name: &str) -> bool {
    name.to_ascii_lowercase().contains("state")
}

/// Whether a storage account holds state, by its names or its containers'.
fn holds_state(account: &Resource<'_>, docs: &[Document]) -> bool {
    if says_state(account.name) || account.string("name").is_some_and(|n| says_state(&n)) {
        return true;
    }
    let prefix = format!("{}.", account.address());
    resources(docs, "azurerm_storage_container").any(|c| {
        let refers = ["storage_account_id", "storage_account_name"].iter().any(|k| {
            hcl::value(c.body(), k).is_some_and(|v| hcl::references(v).iter().any(|r| r.starts_with(&prefix)))
        });
        refers && c.string("name").is_some_and(|n| says_state(&n))
    })
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for account in resources(docs, "azurerm_storage_account") {
        if !holds_state(&account, docs) {
            continue;
        }
        let blob = hcl::block(account.body(), "blob_properties");
        let versioning =
            blob.and_then(|b| hcl::value(&b.body, "versioning_enabled")).and_then(hcl::boolean) == Some(true);
        let soft_delete = blob.is_some_and(|b| b.body.has_blocks("delete_retention_policy"));
        let missing: Vec<&str> = [(!versioning, "blob versioning"), (!soft_delete, "blob soft delete")]
            .into_iter()
            .filter_map(|(m, what)| m.then_some(what))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let at = blob.map_or_else(|| account.header(), |b| hcl::span(b.ident.span()));
        let message = format!("{} holds Terraform state without {}", account.address(), missing.join(" or "));
        out.push(
            account
                .at(&RULE, at, message)
                .help("add `blob_properties { versioning_enabled = true, delete_retention_policy { days = 30 } }`"),
        );
    }
}
