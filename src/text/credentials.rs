//! Whether a name or a value looks like a credential: the heuristics the spec's `env` rule
//! and the Dockerfile and workflow rules share.

/// Words that make a variable name a credential's: whole words of the name (`DB_PASSWORD`,
/// `dbPassword`), not parts of words (`TOKENIZERS_PARALLELISM`, `MAX_TOKENS`).
const SECRET_WORDS: [&[&str]; 20] = [
    &["PASSWORD"],
    &["PASSWD"],
    &["PASS"],
    &["PWD"],
    &["SECRET"],
    &["TOKEN"],
    &["APIKEY"],
    &["API", "KEY"],
    &["SECRET", "KEY"],
    &["PRIVATE", "KEY"],
    &["ACCESS", "KEY"],
    &["AUTH", "KEY"],
    &["SIGNING", "KEY"],
    &["ENCRYPTION", "KEY"],
    &["MASTER", "KEY"],
    &["CREDENTIAL"],
    &["CREDENTIALS"],
    &["CONNECTION", "STRING"],
    &["CONN", "STR"],
    &["CONNSTR"],
];

/// Words that, after a credential word, make the name about the credential rather than the
/// credential itself: `DB_PASSWORD_FILE` (the Docker secrets convention: a path), `SECRET_NAME`,
/// `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `AWS_ACCESS_KEY_ID`.
const ABOUT_WORDS: [&str; 58] = [
    "FILE",
    "FILES",
    "PATH",
    "DIR",
    "NAME",
    "NAMES",
    "ID",
    "IDS",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "LENGTH",
    "LEN",
    "SIZE",
    "MIN",
    "MAX",
    "LIMIT",
    "COUNT",
    "TTL",
    "TIMEOUT",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "AGE",
    "LIFETIME",
    "HEADER",
    "TYPE",
    "KIND",
    "FORMAT",
    "ENABLED",
    "DISABLED",
    "REQUIRED",
    "POLICY",
    "REF",
    "ARN",
    "VERSION",
    "HASH",
    "ALGORITHM",
    "ALG",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "FIELD",
    "PARAM",
    "PREFIX",
    "SUFFIX",
    "LOCATION",
    "MOUNT",
    "STORE",
    "VAULT",
    "PROVIDER",
    "ROTATION",
    "PATTERN",
    "HINT",
    "RESET",
];

const TOKEN_PREFIXES: [&str; 8] = ["ghp_", "gho_", "ghs_", "github_pat_", "xoxb-", "xoxp-", "AKIA", "-----BEGIN"];

/// The words of a variable name, upper-cased: split at `_`, `-`, `.` and lower-to-upper case
/// changes, trailing digits dropped (`dbPassword2` → `DB`, `PASSWORD`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if (!c.is_ascii_alphanumeric() || (prev_lower && c.is_ascii_uppercase())) && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_uppercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.into_iter()
        .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Shannon entropy of `s` in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts.values().map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum()
}

/// The credential word a variable name is built on, if any (`DB_PASSWORD` → `PASSWORD`,
/// `SECRET_KEY_BASE` → `SECRET_KEY`); `None` for `DB_PASSWORD_FILE`, `MAX_TOKENS`,
/// `TOKENIZERS_PARALLELISM`.
pub fn credential_word(name: &str) -> Option<String> {
    let words = words(name);
    for start in 0..words.len() {
        for secret in SECRET_WORDS {
            let end = start + secret.len();
            if !words.get(start..end).is_some_and(|w| w.iter().zip(secret.iter()).all(|(a, b)| a == b)) {
                continue;
            }
            // `PWD` alone is the shell's working directory, not a password.
            if secret == ["PWD"] && words.len() == 1 {
                continue;
            }
            if words[end..].iter().any(|w| ABOUT_WORDS.contains(&w.as_str())) {
                continue;
            }
            return Some(secret.join("_"));
        }
    }
    None
}

/// Whether a value is a URL that carries a password (`postgres://app:hunter2@db/app`).
pub fn url_with_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else { return false };
    userinfo.split_once(':').is_some_and(|(_, password)| !password.is_empty() && !password.starts_with('$'))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_told_by_whole_words() {
        for name in [
            "DB_PASSWORD",
            "PASSWORD",
            "dbPassword",
            "GITHUB_TOKEN",
            "API_KEY",
            "APIKEY",
            "OPENAI_API_KEY",
            "SECRET_KEY",
            "SECRET_KEY_BASE",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_PRIVATE_KEY",
            "CLIENT_SECRET",
            "DB_PASS",
            "DB_PWD",
            "AZURE_CREDENTIALS",
            "DB_CONNECTION_STRING",
            "PASSWORD2",
        ] {
            assert!(credential_word(name).is_some(), "{name} is a credential");
        }
        for name in [
            "TOKENIZERS_PARALLELISM",
            "MAX_TOKENS",
            "DB_PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "SECRET_NAME",
            "TOKEN_URL",
            "PASSWORD_MIN_LENGTH",
            "PRIVATE_KEY_PATH",
            "PWD",
            "BYPASS_CACHE",
            "CACHE_KEY",
            "KEYCLOAK_REALM",
            "PASSTHROUGH",
        ] {
            assert_eq!(credential_word(name), None, "{name} is not a credential");
        }
    }

    #[test]
    fn urls_with_passwords_are_credentials() {
        assert!(url_with_password("postgres://app:hunter2@db:5432/app"));
        assert!(!url_with_password("postgres://app@db/app"));
        assert!(!url_with_password("https://example.com/a:b@c"));
        assert!(!url_with_password("redis://:${REDIS_PASSWORD}@redis:6379"));
    }

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
