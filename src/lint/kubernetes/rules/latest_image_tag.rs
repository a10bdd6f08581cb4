use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::image::ImageRef;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container image with neither a tag nor a digest, or with the tag `latest`
    /// and no digest. A registry port (`registry:5000/shop`) is not a tag.
    ///
    /// kube-score: `container-image-tag`; Polaris: `tagNotSpecified`; checkov: CKV_K8S_14
    /// (which also reads `ephemeralContainers`: gen does not, since the API server refuses
    /// them in a manifest, `kubectl debug` adds them to a running pod); trivy: KSV013.
    ///
    /// ## Why it matters
    /// `latest` names whatever was pushed last: two pods of one Deployment can run different
    /// code, a rollback rolls back to nothing, and the image that runs is not the one that
    /// was scanned or tested.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: shopacr.azurecr.io/shop
    /// ```
    ///
    /// ## How to fix
    /// Use a tag that is pushed once (a version such as `1.4.2`, or the commit's hash), or
    /// pin a digest (`shop@sha256:...`).
    pub static RULE = ("K8S040", "latest-image-tag", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let Some(image) = c.container.image.as_deref().filter(|i| !i.trim().is_empty()) else { continue };
            let reference = ImageRef::parse(image);
            if !reference.is_mutable() {
                continue;
            }
            let what = if reference.tag.is_some() { "the tag `latest`" } else { "no tag (which means `latest`)" };
            let message = format!("{} runs image `{image}` with {what}", which(&[&c.container.name], &object.title()));
            out.push(
                object
                    .at(&RULE, &c.route.clone().with("image"), message)
                    .help("use a tag pushed once (a version or a commit hash), or pin a digest"),
            );
        }
    }
}
