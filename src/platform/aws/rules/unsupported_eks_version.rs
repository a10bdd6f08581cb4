use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;

/// The minors EKS serves in standard support (docs.aws.amazon.com/eks/latest/userguide/
/// kubernetes-versions.html, as the author knew it in November 2026): 1.33 leaves standard
/// support in July 2026 and is billed extended support since; 1.36 is the newest.
pub const SUPPORTED_MINORS: std::ops::RangeInclusive<u32> = 34..=36;

declare_rule! {
    /// ## What it does
    /// Reports a Kubernetes version that is malformed or outside EKS's standard support
    /// (1.34 to 1.36, from EKS's release calendar in November 2026).
    ///
    /// ## Why it matters
    /// EKS moves a version past its standard support to extended support, billed at six times
    /// the control plane's hourly price, and upgrades it by itself at the end of that; a
    /// version EKS does not yet serve fails at `terraform apply`.
    ///
    /// ## How to fix
    /// Use a supported minor, quoted (`aws eks describe-cluster-versions`), such as `"1.34"`.
    pub static RULE = ("SPEC178", "unsupported-eks-version", Error);
}

/// The minor of a `1.MINOR` version, when the version has that form (a patch is refused: EKS
/// takes the minor only).
fn minor(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("1.")?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) && rest.len() <= 3).then(|| rest.parse().ok())?
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(eks) = aws::eks_of(&spec.spec) else { return };
    let version = &eks.kubernetes_version;
    let (lo, hi) = (SUPPORTED_MINORS.start(), SUPPORTED_MINORS.end());
    let msg = match minor(version) {
        None => format!(
            "`{}` is not an EKS Kubernetes version such as \"1.34\" (a minor, no patch)",
            version.escape_debug()
        ),
        Some(m) if !SUPPORTED_MINORS.contains(&m) => {
            format!("Kubernetes {version} is outside EKS's standard support (1.{lo} to 1.{hi})")
        }
        Some(_) => return,
    };
    out.push(
        spec.at(&RULE, &crate::route!["platform", aws::NAME, "eks", "kubernetesVersion"], false, msg)
            .help(format!("use a version from 1.{lo} to 1.{hi}, quoted, such as \"1.34\"")),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_eks_version_is_a_minor() {
        assert_eq!(super::minor("1.34"), Some(34));
        for bad in ["1.34.1", "1.", "v1.34", "1.x", "2.1"] {
            assert_eq!(super::minor(bad), None, "{bad}");
        }
    }
}
