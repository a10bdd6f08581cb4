use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a container registry name that Azure would refuse.
    ///
    /// ## Why it matters
    /// An ACR name is 5 to 50 letters and digits (no `-`), and becomes the host name
    /// `<name>.azurecr.io`; `terraform apply` fails on anything else.
    ///
    /// ## Example
    /// ```yaml
    /// acr: {name: shop-acr}
    /// ```
    ///
    /// ## How to fix
    /// Drop the punctuation: `shopacr`.
    pub static RULE = ("SPEC102", "invalid-acr-name", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    let name = &azure.acr.name;
    let why = if !(5..=50).contains(&name.len()) {
        Some("it must be 5 to 50 characters long")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Some("it may hold only letters and digits")
    } else {
        None
    };
    if let Some(why) = why {
        let fix: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        out.push(
            spec.at(
                &RULE,
                &crate::route!["platform", azure::NAME, "acr", "name"],
                false,
                format!("registry name `{name}` is not valid for ACR: {why}"),
            )
            .help(if (5..=50).contains(&fix.len()) {
                format!("use `{fix}`")
            } else {
                "use 5 to 50 letters and digits".to_string()
            }),
        );
    }
}
