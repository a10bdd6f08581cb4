use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a resource group name that Azure would refuse, for the project's group and the
    /// Terraform state's.
    ///
    /// ## Why it matters
    /// A resource group name is 1 to 90 characters: letters, digits, `-`, `_`, `.`, `(` and
    /// `)`, not ending in `.`. Terraform only finds out at apply time.
    ///
    /// ## How to fix
    /// Use a name such as `shop-rg`.
    pub static RULE = ("SPEC105", "invalid-resource-group-name", Error);
}

/// Why `name` is not a valid resource group name, if it is not.
fn problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.chars().count() > 90 {
        Some("it must be 1 to 90 characters long")
    } else if !name.chars().all(|c| c.is_alphanumeric() || "-_.()".contains(c)) {
        Some("it may hold only letters, digits, `-`, `_`, `.`, `(` and `)`")
    } else if name.ends_with('.') {
        Some("it must not end with `.`")
    } else {
        None
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let p = &spec.spec.platform;
    for (path, name) in [
        (["platform", azure::NAME, "resourceGroup"], azure::of(&spec.spec).map(|a| &a.resource_group)),
        (["platform", "terraformState", "resourceGroup"], p.terraform_state.as_ref().map(|t| &t.resource_group)),
    ] {
        let Some(name) = name else { continue };
        if let Some(why) = problem(name) {
            out.push(
                spec.at(
                    &RULE,
                    &path.into_iter().collect(),
                    false,
                    format!("resource group name `{name}` is not valid: {why}"),
                )
                .help("use a name such as `shop-rg`"),
            );
        }
    }
}
