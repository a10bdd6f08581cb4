use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` with a patch-level `kubernetes_version`
    /// (`"1.33.2"`) and an `automatic_upgrade_channel` that upgrades Kubernetes (`patch`,
    /// `stable`, `rapid`; `node-image` and `none` upgrade no Kubernetes version).
    ///
    /// ## Why it matters
    /// AKS upgrades the cluster to the next patch on its own; the configuration still says the
    /// old one, so the next `terraform apply` tries to downgrade the cluster, which AKS refuses,
    /// and the plan never settles.
    ///
    /// ## Example
    /// ```hcl
    /// kubernetes_version        = "1.33.2"
    /// automatic_upgrade_channel = "patch"
    /// ```
    ///
    /// ## How to fix
    /// Give only the minor version (`kubernetes_version = "1.36"`: AKS picks the latest patch
    /// and the channel keeps it current), or pin the patch and set
    /// `automatic_upgrade_channel = "none"` (or `node-image`).
    pub static RULE = ("TF019", "patch-version-with-auto-upgrade", Warning);
}

/// Whether a version names a patch (`1.33.2`), not only a minor (`1.33`).
fn is_patch_level(version: &str) -> bool {
    let parts: Vec<&str> = version.trim_start_matches('v').split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let (Some(version), Some(channel)) = (r.string("kubernetes_version"), r.string("automatic_upgrade_channel"))
        else {
            continue;
        };
        if !is_patch_level(&version) || matches!(channel.as_str(), "none" | "node-image") {
            continue;
        }
        let minor = version.rsplit_once('.').map_or(version.as_str(), |(m, _)| m);
        let message = format!(
            "{} pins Kubernetes {version} while the `{channel}` channel upgrades it: the next apply tries to downgrade",
            r.address()
        );
        out.push(
            r.at_attr(&RULE, "kubernetes_version", message).help(format!(
                "write `kubernetes_version = \"{minor}\"`, or set `automatic_upgrade_channel = \"none\"`"
            )),
        );
    }
}
