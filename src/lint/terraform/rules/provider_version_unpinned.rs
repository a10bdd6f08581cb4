use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports a provider whose version is not constrained where Terraform reads it: an entry
    /// of `required_providers` without `version`, the legacy string form
    /// (`azurerm = "~> 4.0"`, no `source`), and a `version` argument in a `provider` block
    /// (deprecated since Terraform 0.13).
    ///
    /// ## Why it matters
    /// `terraform init` takes the newest release, so a new major version (azurerm 3 → 4
    /// renamed the cluster's arguments; helm 2 → 3 changed `set`) breaks the next run
    /// without any change to the code. In a child module, a lower bound (`>= 4.0`) says what
    /// the module needs and leaves the root module to pin.
    ///
    /// ## Example
    /// ```hcl
    /// terraform {
    ///   required_providers {
    ///     azurerm = { source = "hashicorp/azurerm" }
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `azurerm = { source = "hashicorp/azurerm", version = "~> 4.79" }`, and commit
    /// `.terraform.lock.hcl`.
    pub static RULE = ("TF014", "provider-version-unpinned", Warning);
}

fn object_key(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str().to_string()),
        ObjectKey::Expression(e) => hcl::string(e),
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for tf in doc.terraform_blocks() {
        for rp in hcl::blocks(&tf.body, "required_providers") {
            for a in rp.body.attributes() {
                let name = a.key.as_str();
                let at = hcl::span(a.key.span());
                let message = match &a.value {
                    Expression::Object(o) => {
                        if o.iter().any(|(k, _)| object_key(k).as_deref() == Some("version")) {
                            continue;
                        }
                        format!("the provider `{name}` has no version constraint")
                    }
                    _ => format!("the provider `{name}` is required in the legacy string form, without a source"),
                };
                out.push(doc.at(&RULE, at, message).help(format!(
                    "write `{name} = {{ source = \"hashicorp/{name}\", version = \"~> MAJOR.MINOR\" }}`"
                )));
            }
        }
    }
    for p in doc.body.get_blocks("provider") {
        if let Some(a) = hcl::attr(&p.body, "version") {
            let name = p.labels.first().map_or("", |l| l.as_str());
            let message =
                format!("the provider `{name}` is versioned in its provider block, which Terraform deprecated in 0.13");
            out.push(
                doc.at(&RULE, hcl::span(a.key.span()), message)
                    .help("move the constraint to `terraform { required_providers { ... } }`"),
            );
        }
    }
}
