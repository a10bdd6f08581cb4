use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl;
use crate::lint::terraform::{Document, resources};

declare_rule! {
    /// ## What it does
    /// Reports an `aws_ecr_repository` that does not scan what is pushed to it: no
    /// `image_scanning_configuration { scan_on_push = true }`, unless the module configures
    /// the registry's scanning (`aws_ecr_registry_scanning_configuration`: enhanced scanning,
    /// or a rule that scans on push), which replaces the repositories' own setting.
    ///
    /// checkov: CKV_AWS_163 (which does not read the registry's configuration).
    ///
    /// ## Why it matters
    /// A scan on push is the record of what an image held when it was released: the findings
    /// of a release a rollback returns to, and the alert when a base image's CVE appears. The
    /// pipeline's scan gates the build; the registry's keeps scanning what is deployed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecr_repository" "shop" {
    ///   name                 = "shop"
    ///   image_tag_mutability = "IMMUTABLE"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `image_scanning_configuration { scan_on_push = true }`.
    pub static RULE = ("TF028", "ecr-scan-on-push-off", Warning);
}

/// Whether the module configures the registry to scan what is pushed.
fn registry_scans(docs: &[Document]) -> bool {
    resources(docs, "aws_ecr_registry_scanning_configuration").any(|r| {
        r.string("scan_type").as_deref() == Some("ENHANCED")
            || hcl::blocks(r.body(), "rule").any(|rule| {
                hcl::value(&rule.body, "scan_frequency")
                    .and_then(hcl::string)
                    .is_some_and(|f| f == "SCAN_ON_PUSH" || f == "CONTINUOUS_SCAN")
            })
    })
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    if registry_scans(docs) {
        return;
    }
    // A `dynamic "image_scanning_configuration"` is not judged.
    for r in
        resources(docs, "aws_ecr_repository").filter(|r| !hcl::has_dynamic(r.body(), "image_scanning_configuration"))
    {
        let block = hcl::block(r.body(), "image_scanning_configuration");
        let value = block.and_then(|b| hcl::value(&b.body, "scan_on_push"));
        let on = value.map(|v| r.doc.values.resolve(v).and_then(|(e, _)| hcl::boolean(e)));
        // A value gen cannot read is not judged.
        if matches!(on, Some(Some(true)) | Some(None)) {
            continue;
        }
        let at = block.map_or_else(|| r.header(), hcl::header);
        let message = format!("{} does not scan the images pushed to it", r.address());
        out.push(r.at(&RULE, at, message).help("add `image_scanning_configuration { scan_on_push = true }`"));
    }
}
