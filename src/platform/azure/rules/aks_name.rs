use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an AKS cluster name that Azure would refuse.
    ///
    /// ## Why it matters
    /// A cluster name is 1 to 63 letters, digits, `-` and `_`, starting and ending with a letter
    /// or digit. Terraform only finds out at apply time.
    ///
    /// ## How to fix
    /// Use a name such as `shop-aks`.
    pub static RULE = ("SPEC103", "invalid-aks-name", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    let name = &azure.aks.name;
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let why = if name.is_empty() || name.len() > 63 {
        Some("it must be 1 to 63 characters long")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Some("it may hold only letters, digits, `-` and `_`")
    } else if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        Some("it must start and end with a letter or digit")
    } else {
        None
    };
    if let Some(why) = why {
        out.push(
            spec.at(
                &RULE,
                &crate::route!["platform", azure::NAME, "aks", "name"],
                false,
                format!("cluster name `{name}` is not valid for AKS: {why}"),
            )
            .help("use letters, digits, `-` and `_`, such as `shop-aks`"),
        );
    }
}
