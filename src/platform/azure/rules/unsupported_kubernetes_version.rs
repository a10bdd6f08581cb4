use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

/// Oldest and newest Kubernetes minor versions a new AKS cluster can be created at under
/// standard (community) support, from AKS's release calendar
/// (<https://learn.microsoft.com/azure/aks/supported-kubernetes-versions>, revision of
/// 2026-08-05), read on 2026-11-23: 1.33 reached its AKS end of life in July 2026 and 1.34
/// reaches it on 2026-11-30, so a cluster created at either is out of support at once (the
/// Standard tier refuses them without long-term support); 1.35 is supported until March 2027,
/// 1.36 (GA June 2026) until June 2027, 1.37 (GA planned October 2026) until October 2027.
/// Revisit with each AKS calendar change: `az aks get-versions --location <region>` lists what
/// a region offers today.
pub const SUPPORTED_MINORS: std::ops::RangeInclusive<u32> = 35..=37;

declare_rule! {
    /// ## What it does
    /// Reports a Kubernetes version that is malformed or outside what AKS supports with the
    /// pinned provider (1.35 to 1.37). The range comes from AKS's Kubernetes release calendar
    /// (learn.microsoft.com/azure/aks/supported-kubernetes-versions) on 2026-11-23: the minors
    /// past their AKS end of life, or reaching it within days, are refused.
    ///
    /// ## Why it matters
    /// AKS refuses to create a cluster at a retired version (`K8sVersionNotSupported` on the
    /// Standard tier without long-term support) and `terraform apply` fails after a long plan;
    /// a version newer than the calendar lists may not exist yet.
    ///
    /// ## Example
    /// ```yaml
    /// aks: {kubernetesVersion: "1.25"}
    /// ```
    ///
    /// ## How to fix
    /// Use a supported minor version such as `"1.36"`, quoted (`az aks get-versions --location
    /// <region>` lists what the region offers).
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
        None => format!("`{version}` is not a Kubernetes version such as \"1.36\""),
        Some(m) if !SUPPORTED_MINORS.contains(&m) => {
            format!("Kubernetes {version} is outside what AKS supports with the pinned provider (1.{lo} to 1.{hi})")
        }
        Some(_) => return,
    };
    out.push(
        spec.at(&RULE, &crate::route!["platform", azure::NAME, "aks", "kubernetesVersion"], false, msg)
            .help(format!("use a version from 1.{lo} to 1.{hi}, quoted, such as \"1.36\"")),
    );
}
