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
    /// password in it.
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
                None if looks_like_key(&value) => format!("the value of `{key}` looks like a key or token"),
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
