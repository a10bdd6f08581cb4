use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::image::ImageRef;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports an `imagePullPolicy` that does not fit the image reference: `Always` for an
    /// image pinned by digest, or `IfNotPresent` / `Never` for a mutable one (the tag
    /// `latest`, or no tag).
    ///
    /// kube-score: `container-image-pull-policy`; Polaris: `pullPolicyNotAlways`; checkov:
    /// CKV_K8S_15. Those ask for `Always` everywhere; gen does not, see below.
    ///
    /// ## Why it matters
    /// With a digest, `Always` only adds a round trip to the registry at every pod start: the
    /// pod cannot start while the registry is down or throttling, for no benefit, since the
    /// digest names one image. With a mutable tag, `IfNotPresent` runs whatever image each
    /// node happened to pull first: two pods of one Deployment run different code.
    ///
    /// gen's choice is immutable references (a version or commit tag pushed once, or a
    /// digest) with `IfNotPresent`: a pod starts without depending on the registry, and the
    /// image that runs is the one that was scanned. kube-score's and Polaris' reason for
    /// `Always`, that the pull re-checks the pod's right to a private image
    /// (`imagePullSecrets`), matters on nodes shared between tenants; there the kubelet's own
    /// check (KEP-2535, `imagePullCredentialsVerificationPolicy`, beta since Kubernetes 1.35)
    /// does it without a pull at every start.
    ///
    /// ## Example
    /// ```yaml
    /// image: shopacr.azurecr.io/shop@sha256:4f1c...
    /// imagePullPolicy: Always
    /// ```
    ///
    /// ## How to fix
    /// With a digest or an immutable tag, use `IfNotPresent` (or leave the policy out, which
    /// defaults to it for a tagged image). With a mutable tag, pin a version instead
    /// (K8S040); until then, `Always`.
    pub static RULE = ("K8S041", "image-pull-policy-mismatch", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let Some(image) = c.container.image.as_deref().filter(|i| !i.trim().is_empty()) else { continue };
            let Some(policy) = c.container.image_pull_policy.as_deref() else { continue };
            let reference = ImageRef::parse(image);
            let whom = which(&[&c.container.name], &object.title());
            let (message, help) = if reference.is_pinned() && policy == "Always" {
                (
                    format!("{whom} pulls `{image}` at every start, though its digest names one image"),
                    "use `imagePullPolicy: IfNotPresent`: the pod then starts without the registry",
                )
            } else if reference.is_mutable() && policy != "Always" {
                (
                    format!(
                        "{whom} runs the mutable image `{image}` with imagePullPolicy {policy}: each node keeps the image it pulled first"
                    ),
                    "pin a version or a digest (then IfNotPresent fits), or use `imagePullPolicy: Always`",
                )
            } else {
                continue;
            };
            out.push(object.at(&RULE, &c.route.clone().with("imagePullPolicy"), message).help(help));
        }
    }
}
