use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

/// Oldest and newest Kubernetes minor versions AKS offers under standard or long-term support
/// while azurerm 4.x is pinned (revisit with each provider or AKS calendar change).
pub const SUPPORTED_MINORS: std::ops::RangeInclusive<u32> = 31..=35;

declare_rule! {
    /// ## What it does
    /// Reports a Kubernetes version that is malformed or outside what AKS supports with the
    /// pinned provider (1.31 to 1.35).
    ///
    /// ## Why it matters
    /// AKS refuses to create a cluster at a retired version and `terraform apply` fails after
    /// a long plan; a version newer than the provider knows may not exist yet.
    ///
    /// ## Example
    /// ```yaml
    /// aks: {kubernetesVersion: "1.25"}
    /// ```
    ///
    /// ## How to fix
    /// Use a supported minor version such as `"1.33"`, quoted.
    pub static RULE = ("SPEC117", "unsupported-kubernetes-version", Error);
}

/// The minor version of `1.X` or `1.X.Y`.
fn minor(version: &str) -> Option<u32> {
    let mut parts = version.split('.');
    let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next());
    if major != "1"
        || parts.next().is_some()
        || patch.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    minor.parse().ok()
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    let version = &azure.aks.kubernetes_version;
    let (lo, hi) = (SUPPORTED_MINORS.start(), SUPPORTED_MINORS.end());
    let msg = match minor(version) {
        None => format!("`{version}` is not a Kubernetes version such as \"1.33\""),
        Some(m) if !SUPPORTED_MINORS.contains(&m) => {
            format!("Kubernetes {version} is outside what AKS supports with the pinned provider (1.{lo} to 1.{hi})")
        }
        Some(_) => return,
    };
    out.push(
        spec.at(&RULE, &crate::route!["platform", azure::NAME, "aks", "kubernetesVersion"], false, msg)
            .help(format!("use a version from 1.{lo} to 1.{hi}, quoted, such as \"1.33\"")),
    );
}
