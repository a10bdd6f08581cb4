use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::text::credentials::{credential_word, looks_like_key, url_with_password};

declare_rule! {
    /// ## What it does
    /// Reports an `env` entry that looks like a credential: a name built on a word such as
    /// `PASSWORD`, `TOKEN`, `SECRET` or `API_KEY` (whole words: `DB_PASSWORD`, `dbPassword`, but
    /// not `MAX_TOKENS` or `TOKENIZERS_PARALLELISM`; and not `DB_PASSWORD_FILE`, the Docker
    /// secrets convention for a path, nor `SECRET_NAME` or `TOKEN_URL`), a value that looks like a
    /// key (high entropy, or a known token prefix), or a URL with a password in it.
    ///
    /// ## Why it matters
    /// `env` values are written into the chart's values and committed with the spec; anyone
    /// who can read the repository can read the credential (one of the seeds leaked a registry
    /// password in a script this way).
    ///
    /// ## Example
    /// ```yaml
    /// env: {DB_PASSWORD: hunter2}
    /// ```
    ///
    /// ## How to fix
    /// Move the name to `secretEnv` and store the value in the Kubernetes secret
    /// `<service>-env` (or your secret store); only the name stays in the spec.
    pub static RULE = ("SPEC115", "credential-in-env", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        // A name also in `secretEnv` is SPEC144's: the Secret's value replaces this one.
        for (name, value) in svc.env.iter().filter(|(name, _)| !svc.secret_env.contains(name)) {
            let by_name = credential_word(name);
            let message = match by_name {
                Some(word) => format!("`{name}` is named like a credential ({word}) but is a plain env value"),
                None if looks_like_key(value) => format!("the value of `{name}` looks like a key or token"),
                None if url_with_password(value) => format!("the value of `{name}` is a URL with a password in it"),
                None => continue,
            };
            out.push(
                spec.at(&RULE, &service_path(i, &["env", name]), true, message)
                    .help(format!("move `{name}` to `secretEnv` and keep its value in the secret `{}-env`", svc.name)),
            );
        }
    }
}
