use hcl_edit::Span as _;
use hcl_edit::structure::Body;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports a client secret or password in Terraform: an `azuread_application_password` or
    /// `azuread_service_principal_password` resource, a `password { }` block of an
    /// `azuread_application`, and a literal string given to `client_secret`, `password`,
    /// `admin_password` or `client_certificate_password` in a provider, resource or data
    /// source. (A backend's `access_key` and `sas_token` are TF016's.)
    ///
    /// ## Why it matters
    /// A literal secret is in the repository for everyone who can read it, forever. A
    /// generated client secret is stored in the Terraform state in plain text, expires, and
    /// is a long-lived credential that works from anywhere; GitHub Actions can log in to Azure
    /// with OIDC (a federated credential) and hold no secret at all.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azuread_application_password" "github" {
    ///   application_id = azuread_application.github.id
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Replace the secret with a federated credential
    /// (`azuread_application_federated_identity_credential` or
    /// `azurerm_federated_identity_credential`) and `azure/login` with `client-id`,
    /// `tenant-id` and `subscription-id` only. A provider's own credentials come from the
    /// environment (`ARM_USE_OIDC`, `az login`), not from the configuration.
    pub static RULE = ("TF013", "secret-in-configuration", Error);
}

const SECRET_ARGUMENTS: &[&str] = &["client_secret", "password", "admin_password", "client_certificate_password"];

/// Literal secrets in a body and the bodies of its blocks.
fn literals(doc: &Document, body: &Body, out: &mut Diagnostics) {
    for a in body.attributes() {
        let name = a.key.as_str();
        if SECRET_ARGUMENTS.contains(&name) && hcl::string(&a.value).is_some_and(|s| !s.is_empty()) {
            let message = format!("`{name}` is written in the configuration, in plain text");
            out.push(doc.at(&RULE, hcl::span(a.key.span()), message).help(
                "pass it from a secret store or the environment, or replace it with a federated credential (OIDC)",
            ));
        }
    }
    for b in body.blocks() {
        literals(doc, &b.body, out);
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for kind in ["azuread_application_password", "azuread_service_principal_password"] {
        for r in doc.resources(kind) {
            let message = format!("{} creates a client secret, a long-lived credential kept in the state", r.address());
            out.push(
                r.at(&RULE, r.header(), message)
                    .help("log in with a federated credential (OIDC) instead of a client secret"),
            );
        }
    }
    for r in doc.resources("azuread_application") {
        for b in hcl::blocks(r.body(), "password") {
            let message = format!("{} creates a client secret, a long-lived credential kept in the state", r.address());
            out.push(
                r.at(&RULE, hcl::span(b.ident.span()), message)
                    .help("log in with a federated credential (OIDC) instead of a client secret"),
            );
        }
    }
    for b in doc.body.blocks().filter(|b| matches!(b.ident.as_str(), "provider" | "resource" | "data")) {
        literals(doc, &b.body, out);
    }
}
