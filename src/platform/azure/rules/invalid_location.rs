use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an Azure `location` that is not a region's name as Azure's APIs and gen's
    /// Terraform take it: lower-case letters and digits only (`westeurope`, `eastus2`), not
    /// the portal's display name (`West Europe`).
    ///
    /// ## Why it matters
    /// The location names every resource's region, a quota command in the README and the
    /// availability zones gen picks. gen's own `variables.tf` refuses any other form at
    /// `terraform plan`, after the spec was rendered and committed; a line break in it would
    /// also break the README's commands.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   azure: {location: West Europe}
    /// ```
    ///
    /// ## How to fix
    /// Write the region's name as `az account list-locations --query "[].name" --output tsv`
    /// prints it: `westeurope`.
    pub static RULE = ("SPEC142", "invalid-azure-location", Error);
}

/// Whether `location` has the form of an Azure region's name.
pub fn valid(location: &str) -> bool {
    !location.is_empty() && location.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The region's name a display name stands for (`West Europe`: `westeurope`), when the text
/// holds nothing but letters, digits and spaces (and white space around them).
fn name_of(display: &str) -> Option<String> {
    let display = display.trim();
    let plain = display.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ');
    let name: String = display.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    (plain && !name.is_empty()).then_some(name)
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = azure::of(&spec.spec) else { return };
    let location = &block.location;
    if valid(location) {
        return;
    }
    let shown = location.escape_debug();
    let help = match name_of(location) {
        Some(name) => format!("write `{name}`, the region's name as Azure's APIs take it"),
        None => "write a region's name as `az account list-locations --query \"[].name\" --output tsv` prints it, such as `westeurope`".to_string(),
    };
    let message =
        format!("location `{shown}` is not an Azure region's name: it may hold only lower-case letters and digits");
    out.push(spec.at(&RULE, &route!["platform", azure::NAME, "location"], false, message).help(help));
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_region_is_named_as_azure_s_apis_name_it() {
        for ok in ["westeurope", "eastus2", "usgovvirginia", "centraluseuap"] {
            assert!(super::valid(ok), "{ok}");
        }
        for bad in ["West Europe", "westeurope\n", "west-europe", "WestEurope", "", "eu-west-1"] {
            assert!(!super::valid(bad), "{bad:?}");
        }
        assert_eq!(super::name_of("West Europe").as_deref(), Some("westeurope"));
        assert_eq!(super::name_of("westeurope\n").as_deref(), Some("westeurope"));
        assert_eq!(super::name_of("eu-west-1"), None);
        assert_eq!(super::name_of("westeurope\nx"), None);
    }
}
