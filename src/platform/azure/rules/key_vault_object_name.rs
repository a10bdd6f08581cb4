use std::collections::HashMap;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

/// The most characters of a Key Vault object's name.
const NAME_CHARS: usize = 127;

declare_rule! {
    /// ## What it does
    /// Reports a `secretEnv` entry whose Key Vault secret would have the name of another of
    /// the same service, or a name longer than Key Vault takes, on a spec with an environment
    /// on Azure. Each service has a vault of its own, where its secret `X_Y` is the secret
    /// `X-Y`; Key Vault compares names without case, and has no `_`: `DB_PASSWORD`,
    /// `DB-PASSWORD` and `db_password` are one secret.
    ///
    /// ## Why it matters
    /// The two variables read the one secret: setting one sets the other, and the service gets
    /// one value for both. Past 127 characters, Key Vault refuses the name, and the service's
    /// pods never start (the CSI driver cannot mount the secret).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     secretEnv: [DB_PASSWORD, db_password]
    /// ```
    ///
    /// ## How to fix
    /// Rename one of the two variables so that their names, with `_` as `-`, differ in more
    /// than case; keep each within 127 characters.
    pub static RULE = ("SPEC139", "key-vault-secret-name-clash", Error);
}

/// The name of the Key Vault secret that holds a service's `name`, in the service's own vault
/// (the templates' `<NAME with _ as ->`).
pub fn object_name(name: &str) -> String {
    name.replace('_', "-")
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if !spec.environments.iter().any(|e| e.target == azure::NAME) {
        return;
    }
    for (i, svc) in spec.spec.services.iter().enumerate() {
        // Each name of this service's vault, without case, with the variable that took it first.
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (j, name) in svc.secret_env.iter().enumerate() {
            let object = object_name(name);
            let route = service_path(i, &["secretEnv"]).with(j);
            let length = object.chars().count();
            if length > NAME_CHARS {
                let message = format!(
                    "this secret is the Key Vault secret `{object}`, {length} characters long; Key Vault takes at \
                     most {NAME_CHARS}"
                );
                out.push(spec.at(&RULE, &route, false, message).help("give the variable a shorter name"));
            }
            match seen.get(&object.to_ascii_lowercase()) {
                Some(other) => {
                    let message = format!(
                        "this secret is the Key Vault secret `{object}` of service `{}`'s vault, which `{other}` is \
                         too (Key Vault names ignore case, and `_` is written `-`): the two would read one value",
                        svc.name
                    );
                    out.push(
                        spec.at(&RULE, &route, false, message)
                            .help("rename one of the two variables so that their vault names differ in more than case"),
                    );
                }
                None => {
                    seen.insert(object.to_ascii_lowercase(), name.as_str());
                }
            }
        }
    }
}
