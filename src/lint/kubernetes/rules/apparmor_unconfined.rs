use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a pod or container that runs without AppArmor.
    ///
    /// That is `appArmorProfile.type: Unconfined` in its securityContext, or the legacy
    /// annotation
    /// `container.apparmor.security.beta.kubernetes.io/<container>` with a value other than
    /// `runtime/default` or `localhost/<profile>`.
    ///
    /// Pod Security Standards, baseline: "AppArmor". trivy: KSV002.
    ///
    /// ## Why it matters
    /// On nodes with AppArmor (Ubuntu, and AKS's default node images), the runtime's default
    /// profile keeps a compromised process from writing to `/proc` and `/sys`, mounting file
    /// systems and similar escapes; `Unconfined` switches that off. A namespace enforcing
    /// the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile: {type: Unconfined}
    /// ```
    ///
    /// ## How to fix
    /// Remove the setting (the runtime's default profile applies), or set `type:
    /// RuntimeDefault`, or `Localhost` with a profile loaded on the nodes. Replace the
    /// annotation, deprecated since Kubernetes 1.30, with the `appArmorProfile` field.
    pub static RULE = ("K8S016", "apparmor-unconfined", Error);
}

/// The prefix of the legacy per-container annotation.
const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Whether an `appArmorProfile.type` confines the process.
fn confines(profile_type: &str) -> bool {
    matches!(profile_type, "RuntimeDefault" | "Localhost")
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let help = "remove it or use `appArmorProfile: {type: RuntimeDefault}`";
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let title = object.title();
        if let Some(profile) = pod.security().and_then(|s| s.app_armor_profile.as_ref())
            && !confines(&profile.type_)
        {
            let route = pod.security_route("appArmorProfile").with("type");
            let message = format!("the pod of {title} runs its containers without AppArmor ({})", profile.type_);
            out.push(object.at(&RULE, &route, message).help(help));
        }
        for c in pod.containers() {
            if let Some(profile) = c.security().and_then(|s| s.app_armor_profile.as_ref())
                && !confines(&profile.type_)
            {
                let route = c.security_route("appArmorProfile").with("type");
                let message =
                    format!("{} runs without AppArmor ({})", which(&[&c.container.name], &title), profile.type_);
                out.push(object.at(&RULE, &route, message).help(help));
            }
        }
        for (key, value) in pod.annotations.into_iter().flatten() {
            let Some(container) = key.strip_prefix(ANNOTATION) else { continue };
            if value.is_empty() || value == "runtime/default" || value.starts_with("localhost/") {
                continue;
            }
            let route = pod.metadata_route().with("annotations").with(key.as_str());
            let message = format!("{} runs without AppArmor ({value})", which(&[container], &title));
            out.push(object.at(&RULE, &route, message).help(
                "remove the annotation (deprecated since 1.30), or use `securityContext.appArmorProfile: {type: RuntimeDefault}`",
            ));
        }
    }
}
