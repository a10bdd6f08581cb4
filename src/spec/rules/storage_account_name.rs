use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a Terraform state storage account name that Azure would refuse.
    ///
    /// ## Why it matters
    /// Storage account names are 3 to 24 lowercase letters and digits, globally unique; with
    /// anything else `terraform init` fails before a single resource is planned.
    ///
    /// ## Example
    /// ```yaml
    /// terraformState: {storageAccount: Acme-TF-State}
    /// ```
    ///
    /// ## How to fix
    /// Use lowercase letters and digits only: `acmetfstate`.
    pub static RULE = ("SPEC104", "invalid-storage-account-name", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(state) = &spec.spec.platform.terraform_state else { return };
    let name = &state.storage_account;
    let why = if !(3..=24).contains(&name.len()) {
        Some("it must be 3 to 24 characters long")
    } else if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        Some("it may hold only lowercase letters and digits")
    } else {
        None
    };
    if let Some(why) = why {
        let fix: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        let help = if (3..=24).contains(&fix.len()) {
            format!("use `{fix}`")
        } else {
            "use 3 to 24 lowercase letters and digits".to_string()
        };
        out.push(
            spec.at(
                &RULE,
                &crate::route!["platform", "terraformState", "storageAccount"],
                false,
                format!("storage account name `{name}` is not valid: {why}"),
            )
            .help(help),
        );
    }
}
