use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;
use crate::spec::grammar::image_reference_problem;

declare_rule! {
    /// ## What it does
    /// Reports a container image that is not an image reference:
    /// `[registry[:port]/]path[:tag][@digest]`, the path in lowercase letters, digits and
    /// `.`, `_`, `-`, `/`, the tag at most 128 letters, digits, `_`, `.` and `-`, the digest
    /// `sha256:` and 64 lowercase hex digits (or `sha384:`, `sha512:`), with no space around
    /// it. The grammar is distribution's (`github.com/distribution/reference`), which
    /// containerd and CRI-O parse images with.
    ///
    /// No counterpart in kubernetes-validate or kubeconform (the API's schema says only "a
    /// string"), kube-score, Polaris or checkov.
    ///
    /// ## Why it matters
    /// The API server accepts the object (it only refuses spaces around the image), the
    /// rollout starts, and every new pod stops at `InvalidImageName`: the runtime cannot
    /// parse what to pull.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: shopacr.azurecr.io/Shop:1.4.2+build.5
    /// ```
    ///
    /// ## How to fix
    /// Write the path in lowercase and the tag in letters, digits, `_`, `.` and `-`:
    /// `shopacr.azurecr.io/shop:1.4.2-build.5`.
    pub static RULE = ("K8S048", "invalid-image-reference", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            // No image at all is the schema's finding (or a template's, filled in later).
            let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) else { continue };
            let Some(why) = image_reference_problem(image) else { continue };
            let message = format!(
                "{} runs image `{}`, which is not an image reference: {why}",
                which(&[&c.container.name], &object.title()),
                image.escape_debug()
            );
            out.push(
                object
                    .at(&RULE, &c.route.clone().with("image"), message)
                    .help("write `registry/path:tag`, the path in lowercase, such as `shopacr.azurecr.io/shop:1.4.2`"),
            );
        }
    }
}
