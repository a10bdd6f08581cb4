use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a node pool's `vmSize` that is not written as Azure names VM sizes:
    /// `Standard_`, then the size (a family's letters and the vCPUs, `D2ds`), then any
    /// further parts after `_` (`v5`, `A100`): `Standard_D2ds_v5`, `Standard_E8-2ds_v5`,
    /// `Standard_NC24ads_A100_v4`. Letters, digits and `-` only; a `Basic_` size cannot run
    /// AKS nodes.
    ///
    /// ## Why it matters
    /// The size reaches Terraform, the README's quota commands and the vCPUs gen counts for
    /// them; AKS refuses a size it does not know only at `terraform apply`, after the cluster's
    /// network and identities were created, and a space or a line break would break the
    /// README's commands.
    ///
    /// ## Example
    /// ```yaml
    /// nodePool: {vmSize: Standard D2ds v5}
    /// ```
    ///
    /// ## How to fix
    /// Write the size as `az vm list-sizes --location <region> --output table` names it:
    /// `Standard_D2ds_v5`.
    pub static RULE = ("SPEC143", "invalid-vm-size", Error);
}

const BASIC: &str = "a Basic size cannot run AKS nodes";

/// Why `size` is not written as Azure names VM sizes, if it is not.
pub fn problem(size: &str) -> Option<&'static str> {
    if size.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("basic_")) {
        return Some(BASIC);
    }
    let Some(rest) = size.get(..9).filter(|p| p.eq_ignore_ascii_case("standard_")).map(|_| &size[9..]) else {
        return Some("it does not start with `Standard_`");
    };
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Some("it may hold only letters, digits, `_` and `-`");
    }
    let mut parts = rest.split('_');
    let first = parts.next().unwrap_or_default();
    if !first.starts_with(|c: char| c.is_ascii_alphabetic()) || !first.contains(|c: char| c.is_ascii_digit()) {
        return Some("the part after `Standard_` is a family's letters and a number of vCPUs, such as `D2ds`");
    }
    if parts.any(str::is_empty) || rest.ends_with('_') {
        return Some("its parts are separated by one `_`");
    }
    None
}

/// The size meant, when the mistake is plain: spaces for `_`, or no `Standard_`.
fn suggestion(size: &str) -> Option<String> {
    let joined: String = size.split_whitespace().collect::<Vec<_>>().join("_");
    let fixed = match joined.get(..9).filter(|p| p.eq_ignore_ascii_case("standard_")) {
        Some(_) => format!("Standard_{}", &joined[9..]),
        None => format!("Standard_{joined}"),
    };
    problem(&fixed).is_none().then_some(fixed)
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = azure::of(&spec.spec) else { return };
    let pools: [(Route, &str); 2] = [
        (route!["platform", azure::NAME, "aks", "systemPool", "vmSize"], &block.aks.system_pool.vm_size),
        (route!["platform", azure::NAME, "aks", "nodePool", "vmSize"], &block.aks.node_pool.vm_size),
    ];
    for (at, size) in pools {
        let Some(why) = problem(size) else { continue };
        let help = match suggestion(size) {
            Some(fixed) if why != BASIC => format!("write `{fixed}`"),
            _ => "write a size as `az vm list-sizes --location <region> --output table` names it, such as `Standard_D2ds_v5`".to_string(),
        };
        // Where the spec writes no size, it is the default, which is valid: `at` is written.
        out.push(
            spec.at(&RULE, &at, false, format!("VM size `{}` is not an Azure VM size: {why}", size.escape_debug()))
                .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_size_is_written_as_azure_names_sizes() {
        for ok in [
            "Standard_D2ds_v5",
            "Standard_E8-2ds_v5",
            "Standard_NC24ads_A100_v4",
            "Standard_B2s",
            "Standard_DS2_v2",
            "Standard_M416ms_v2",
            "Standard_GS5-8",
        ] {
            assert_eq!(super::problem(ok), None, "{ok}");
        }
        for bad in
            ["Standard D2ds v5", "D2ds_v5", "Standard_D2ds_v5\n", "Standard__D2", "Standard_", "Basic_A1", "Standard_2"]
        {
            assert!(super::problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(super::suggestion("Standard D2ds v5").as_deref(), Some("Standard_D2ds_v5"));
        assert_eq!(super::suggestion("D2ds_v5").as_deref(), Some("Standard_D2ds_v5"));
        assert_eq!(super::suggestion("Standard_D2ds_v5\n").as_deref(), Some("Standard_D2ds_v5"));
    }
}
