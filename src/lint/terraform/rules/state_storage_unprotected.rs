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
    /// On AWS, reports an `aws_s3_bucket` that holds state (a word of its name or resource
    /// name is `state` or ends in `tfstate`, or an `s3` backend of the module names it)
    /// without versioning (an `aws_s3_bucket_versioning` of it with `status = "Enabled"`) or
    /// with its public access unblocked (an `aws_s3_bucket_public_access_block` of it that
    /// sets one of its four settings `false`). A bucket without a public access block is
    /// private: S3 blocks public access on every new bucket since April 2023. Nor is
    /// encryption asked for: S3 encrypts every object (SSE-S3) since January 2023.
    ///
    /// checkov: CKV2_AZURE_38 (soft delete, for every storage account); CKV_AWS_21
    /// (versioning) and CKV2_AWS_6 (a public access block, for every bucket, also where S3's
    /// own default blocks public access).
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

/// The settings of an `aws_s3_bucket_public_access_block` that together keep a bucket private.
const PUBLIC_ACCESS_BLOCK: [&str; 4] =
    ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/// Whether an S3 bucket holds state, by its names or a backend of the module.
fn bucket_holds_state(bucket: &Resource<'_>, docs: &[Document]) -> bool {
    // A word of the name (`acme-tfstate`, `tf_state`), not any `state` in it (`real-estate`).
    let words = |n: &str| {
        n.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "state" || w.ends_with("tfstate") || w == "terraformstate")
    };
    let name = bucket.string("bucket");
    if words(bucket.name) || name.as_deref().is_some_and(words) {
        return true;
    }
    let Some(name) = name else { return false };
    docs.iter().flat_map(|d| d.terraform_blocks()).flat_map(|t| hcl::blocks(&t.body, "backend")).any(|b| {
        hcl::labels(b).first() == Some(&"s3")
            && hcl::value(&b.body, "bucket").and_then(hcl::string).as_deref() == Some(&name)
    })
}

/// The resources of `type_name` in the module whose `bucket` refers to `bucket`
/// (`aws_s3_bucket.state.id`, `aws_s3_bucket.state[0].id`, `each.value.id` over
/// `for_each = aws_s3_bucket.state`) or names it.
fn of_bucket<'a>(docs: &'a [Document], type_name: &'a str, bucket: &Resource<'_>) -> Vec<Resource<'a>> {
    let address = format!("{}.", bucket.address());
    let refers = |e: &hcl_edit::expr::Expression| hcl::refers_to(e, &[&address]);
    let name = bucket.string("bucket");
    resources(docs, type_name)
        .filter(|r| {
            hcl::value(r.body(), "bucket").is_some_and(|v| {
                refers(v)
                    || (hcl::refers_to(v, &["each.value"]) && hcl::value(r.body(), "for_each").is_some_and(refers))
                    || (name.is_some() && hcl::string(v).as_deref() == name.as_deref())
            })
        })
        .collect()
}

fn check_s3(docs: &[Document], out: &mut Diagnostics) {
    for bucket in resources(docs, "aws_s3_bucket").filter(|b| bucket_holds_state(b, docs)) {
        let versioned = of_bucket(docs, "aws_s3_bucket_versioning", &bucket).iter().any(|v| {
            hcl::block(v.body(), "versioning_configuration")
                .and_then(|c| hcl::value(&c.body, "status"))
                .and_then(|s| v.doc.values.resolve(s))
                .and_then(|(e, _)| hcl::string(e))
                .is_none_or(|s| s == "Enabled")
        }) || hcl::block(bucket.body(), "versioning")
            .and_then(|b| hcl::value(&b.body, "enabled"))
            .and_then(hcl::boolean)
            == Some(true);
        // S3 blocks public access on every new bucket since April 2023: a bucket without an
        // `aws_s3_bucket_public_access_block` is private; one that turns a setting off is not.
        let private = of_bucket(docs, "aws_s3_bucket_public_access_block", &bucket)
            .iter()
            .all(|b| PUBLIC_ACCESS_BLOCK.iter().all(|k| b.boolean(k) != Some(false)));
        let missing: Vec<&str> = [(!versioned, "versioning"), (!private, "its public access blocked")]
            .into_iter()
            .filter_map(|(m, what)| m.then_some(what))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let message = format!("{} holds Terraform state without {}", bucket.address(), missing.join(" or "));
        out.push(bucket.at(&RULE, bucket.header(), message).help(
            "add an `aws_s3_bucket_versioning` with `status = \"Enabled\"`, and keep the four settings of its \
             `aws_s3_bucket_public_access_block` `true`",
        ));
    }
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    check_s3(docs, out);
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
