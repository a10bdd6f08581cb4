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
    /// Reports a `secretEnv` entry whose Key Vault secret would have the name of another one,
    /// or a name longer than Key Vault takes, on a spec with an environment on Azure. A
    /// service's secret `X_Y` is the vault's secret `<service>-X-Y`, and Key Vault compares
    /// names without case: service `api`'s `ADMIN_PASSWORD` and service `api-admin`'s
    /// `PASSWORD` are both `api-admin-password`.
    ///
    /// ## Why it matters
    /// Both services read the one secret: setting it for one sets it for the other, and each
    /// gets the other's password. Past 127 characters, Key Vault refuses the name, and the
    /// service's pods never start (the CSI driver cannot mount the secret).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     secretEnv: [ADMIN_PASSWORD]
    ///   - name: api-admin
    ///     secretEnv: [PASSWORD]
    /// ```
    ///
    /// ## How to fix
    /// Rename one of the two variables (or one service), so that `<service>-<NAME>` with `_`
    /// as `-` differs in more than case; keep it within 127 characters.
    pub static RULE = ("SPEC139", "key-vault-secret-name-clash", Error);
}

/// The name of the Key Vault secret that holds service `service`'s `name` (the templates'
/// `<service>-<NAME with _ as ->`).
pub fn object_name(service: &str, name: &str) -> String {
    format!("{service}-{}", name.replace('_', "-"))
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if !spec.environments.iter().any(|e| e.target == azure::NAME) {
        return;
    }
    // Each name, without case, with the service and variable that took it first.
    let mut seen: HashMap<String, (&str, &str)> = HashMap::new();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        for (j, name) in svc.secret_env.iter().enumerate() {
            let object = object_name(&svc.name, name);
            let route = service_path(i, &["secretEnv"]).with(j);
            let length = object.chars().count();
            if length > NAME_CHARS {
                let message = format!(
                    "this secret is the Key Vault secret `{object}`, {length} characters long; Key Vault takes at \
                     most {NAME_CHARS}"
                );
                out.push(
                    spec.at(&RULE, &route, false, message).help("give the variable (or the service) a shorter name"),
                );
            }
            match seen.get(&object.to_ascii_lowercase()) {
                Some((other, other_name)) => {
                    let message = format!(
                        "this secret is the Key Vault secret `{object}`, which is also service `{other}`'s `{other_name}` \
                         (Key Vault names ignore case, and `_` is written `-`): the two would read one value"
                    );
                    out.push(spec.at(&RULE, &route, false, message).help(
                        "rename one of the two variables (or one service) so that their vault names differ in more than case",
                    ));
                }
                None => {
                    seen.insert(object.to_ascii_lowercase(), (svc.name.as_str(), name.as_str()));
                }
            }
        }
    }
}
