use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an `env` entry that looks like a credential: a name such as `PASSWORD`,
    /// `TOKEN`, `SECRET` or `API_KEY`, or a value that looks like a key (high entropy, or a
    /// known token prefix).
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

const SECRET_WORDS: [&str; 12] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "CONNECTION_STRING",
    "CONN_STR",
    "AUTH_KEY",
];

const TOKEN_PREFIXES: [&str; 8] = ["ghp_", "gho_", "ghs_", "github_pat_", "xoxb-", "xoxp-", "AKIA", "-----BEGIN"];

/// Shannon entropy of `s` in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts.values().map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum()
}

/// The credential word a variable name contains, if any (`DB_PASSWORD` → `PASSWORD`).
pub fn credential_word(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().find(|w| upper.contains(*w)).copied()
}

/// Whether a value looks like a generated key: long, one token, key-like characters, random.
pub fn looks_like_key(value: &str) -> bool {
    if TOKEN_PREFIXES.iter().any(|p| value.starts_with(p)) {
        return true;
    }
    let keyish = value.chars().all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c));
    let classes = [char::is_ascii_lowercase, char::is_ascii_uppercase, char::is_ascii_digit]
        .iter()
        .filter(|f| value.chars().any(|c| f(&c)))
        .count();
    keyish && value.len() >= 20 && classes >= 2 && entropy(value) >= 3.8
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        for (name, value) in &svc.env {
            let by_name = credential_word(name);
            let message = match by_name {
                Some(word) => format!("`{name}` is named like a credential ({word}) but is a plain env value"),
                None if looks_like_key(value) => format!("the value of `{name}` looks like a key or token"),
                None => continue,
            };
            out.push(
                spec.at(&RULE, &service_path(i, &["env", name]), true, message)
                    .help(format!("move `{name}` to `secretEnv` and keep its value in the secret `{}-env`", svc.name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_keys_look_like_keys_and_words_do_not() {
        assert!(looks_like_key("q8Fz2LkP0wXv7NcR4tYb9HsJ"));
        assert!(looks_like_key("ghp_abc"));
        assert!(!looks_like_key("Usain Bolt"));
        assert!(!looks_like_key("production"));
        assert!(!looks_like_key("https://api.example.com/v1"));
        assert!(!looks_like_key("my-service-name-is-long"));
    }
}
