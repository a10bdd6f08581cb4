use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `aws_ecr_repository` whose tags can be pushed over: `image_tag_mutability`
    /// not set (it defaults to `MUTABLE`) or set to `MUTABLE` or `MUTABLE_WITH_EXCLUSION`,
    /// written or through a variable or local. `IMMUTABLE_WITH_EXCLUSION` passes: its
    /// exclusions are tags the spec names on purpose.
    ///
    /// checkov: CKV_AWS_51 (which passes `IMMUTABLE` alone).
    ///
    /// ## Why it matters
    /// A release is its tag: a tag pushed over changes what a rollback to it deploys, and what
    /// a node that pulls it again runs, with no trace in the repository's history. gen deploys
    /// by digest and never pushes a tag twice; the registry should refuse it too.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecr_repository" "shop" {
    ///   name = "shop"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `image_tag_mutability = "IMMUTABLE"`.
    pub static RULE = ("TF027", "ecr-tags-mutable", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("aws_ecr_repository") {
        let value = r.string("image_tag_mutability");
        if !r.has("image_tag_mutability") || value.as_deref().is_some_and(|v| v.starts_with("MUTABLE")) {
            let what = value.map_or_else(|| "by default".to_string(), |v| format!("(`{v}`)"));
            let message = format!("{} lets a tag be pushed over {what}", r.address());
            out.push(
                r.at_attr(&RULE, "image_tag_mutability", message).help("set `image_tag_mutability = \"IMMUTABLE\"`"),
            );
        }
    }
}
