use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;
use crate::lint::dockerfile::parser::unquote;
use crate::text::credentials::{credential_word, looks_like_key, url_with_password};

declare_rule! {
    /// ## What it does
    /// Reports a credential in `ENV` or `ARG`: a name built on a word such as `PASSWORD`,
    /// `TOKEN` or `API_KEY` (whole words, as SPEC115 reads them: `DB_PASSWORD_FILE` is a path)
    /// for an `ENV` with a value or any `ARG`, a value that looks like a key, or a URL with a
    /// password in it. A public checksum or key fingerprint is not a key: a value with its
    /// algorithm in front (`sha256:…`, `sha512-…`), or hexadecimal under a name that says
    /// what it is (`NODE_SHA256`, `TINI_SHA256SUM`, `PYTHON_GPG_KEY`, `APP_CHECKSUM`), is not
    /// judged by its value.
    ///
    /// ## Why it matters
    /// `ENV` values are in every container's environment and the image's config; `ARG`
    /// values are kept in the image history. Anyone who can pull the image can read them.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV DB_PASSWORD=hunter2
    /// ```
    ///
    /// ## How to fix
    /// Pass secrets at run time (a Kubernetes secret through `secretEnv`), or at build time
    /// with `RUN --mount=type=secret`.
    pub static RULE = ("DF009", "credential-in-build", Error);
}

/// Words of a variable name that say its value is a checksum or a key fingerprint: data
/// published beside a download so that anyone can check it, not a secret.
const DIGEST_WORDS: [&str; 20] = [
    "SHA",
    "SHA1",
    "SHA224",
    "SHA256",
    "SHA384",
    "SHA512",
    "MD5",
    "SHASUM",
    "SHA1SUM",
    "SHA256SUM",
    "SHA512SUM",
    "MD5SUM",
    "CHECKSUM",
    "CHECKSUMS",
    "DIGEST",
    "HASH",
    "FINGERPRINT",
    "GPG",
    "PGP",
    "KEYID",
];

/// Whether `value`, under the variable `name`, is a public checksum or key fingerprint.
fn public_digest(name: &str, value: &str) -> bool {
    let algorithm = ["sha1", "sha224", "sha256", "sha384", "sha512", "md5"]
        .iter()
        .any(|a| value.strip_prefix(a).is_some_and(|rest| rest.starts_with([':', '-'])));
    let hex = !value.is_empty() && value.chars().all(|c| c.is_ascii_hexdigit());
    let named = name.to_ascii_uppercase().split(['_', '-', '.']).any(|w| DIGEST_WORDS.contains(&w));
    algorithm || (hex && named)
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let escape = doc.dockerfile.escape;
    for inst in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "ENV" || i.keyword == "ARG") {
        let pairs: Vec<(String, Option<String>)> = match inst.keyword.as_str() {
            "ENV" => inst.pairs().map(|(k, v)| (k.to_string(), Some(unquote(v, escape)))).collect(),
            _ => inst
                .args
                .iter()
                .map(|w| match w.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(unquote(v, escape))),
                    None => (w.clone(), None),
                })
                .collect(),
        };
        for (key, value) in pairs {
            let value = value.unwrap_or_default();
            // An ARG is kept in the image's history whether or not it has a default.
            let by_name = credential_word(&key).filter(|_| inst.keyword == "ARG" || !value.is_empty());
            let message = match by_name {
                Some(word) => format!("`{} {key}` is named like a credential ({word})", inst.keyword),
                None if looks_like_key(&value) && !public_digest(&key, &value) => {
                    format!("the value of `{key}` looks like a key or token")
                }
                None if url_with_password(&value) => format!("the value of `{key}` is a URL with a password in it"),
                None => continue,
            };
            out.push(
                doc.at(&RULE, inst, Some(&key), message)
                    .help("pass it at run time from a secret, or use `RUN --mount=type=secret`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_and_fingerprints_are_public_and_hex_under_another_name_is_not() {
        let sha256 = "0f7a6c4e2b8d9e1f3a5c7b9d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f";
        assert!(public_digest("NODE_SHA256", sha256));
        assert!(public_digest("tini_sha256sum", sha256));
        assert!(public_digest("PYTHON_GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"));
        assert!(public_digest("ARTIFACT", &format!("sha256:{sha256}")));
        assert!(public_digest(
            "INTEGRITY",
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        ));
        assert!(!public_digest("APP_TOKEN", sha256), "a token's name, hex or not");
        assert!(!public_digest("SHA256", "not-hex-at-all-but-long-Zx9"), "a digest's name, not its value");
    }
}
