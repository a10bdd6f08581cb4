use hcl_edit::Span as _;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm` backend that reaches the state with the storage account's keys:
    /// one with `access_key` or `sas_token`, or without `use_azuread_auth = true` (then
    /// Terraform lists the account's access keys and uses them). A partial configuration
    /// (`terraform init -backend-config=...`) is fine as long as the block says
    /// `use_azuread_auth = true`.
    ///
    /// ## Why it matters
    /// The state holds every secret Terraform has seen. An account key opens every container
    /// of the account, never expires, and bypasses Entra ID and its audit; reading it needs
    /// a role with `listKeys`, far more than the pipeline should have. With Entra ID auth, the
    /// identity needs only "Storage Blob Data Contributor" on the state container, and shared
    /// key access can be turned off on the account.
    ///
    /// ## Example
    /// ```hcl
    /// terraform {
    ///   backend "azurerm" {
    ///     storage_account_name = "acmetfstate"
    ///     container_name       = "tfstate"
    ///     key                  = "shop.tfstate"
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Add `use_azuread_auth = true` (and `use_oidc = true` in CI), grant the identity
    /// "Storage Blob Data Contributor" on the container, and remove `access_key` and
    /// `sas_token`.
    pub static RULE = ("TF016", "backend-access-key-auth", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for tf in doc.terraform_blocks() {
        for backend in hcl::blocks(&tf.body, "backend").filter(|b| hcl::labels(b).first() == Some(&"azurerm")) {
            let mut keyed = false;
            for key in ["access_key", "sas_token"] {
                if let Some(a) = hcl::attr(&backend.body, key) {
                    keyed = true;
                    out.push(
                        doc.at(
                            &RULE,
                            hcl::span(a.key.span()),
                            format!("the azurerm backend reaches the state with `{key}`"),
                        )
                        .help(
                            "remove it and set `use_azuread_auth = true`: the state is read with an Entra ID identity",
                        ),
                    );
                }
            }
            if keyed {
                continue;
            }
            let entra = hcl::value(&backend.body, "use_azuread_auth").and_then(hcl::boolean);
            if entra != Some(true) {
                let at = hcl::attr(&backend.body, "use_azuread_auth")
                    .map_or_else(|| hcl::header(backend), |a| hcl::span(a.key.span()));
                out.push(
                    doc.at(&RULE, at, "the azurerm backend reads the state with the storage account's access keys")
                        .help("set `use_azuread_auth = true` and grant the identity Storage Blob Data Contributor"),
                );
            }
        }
    }
}
