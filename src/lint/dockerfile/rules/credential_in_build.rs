use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Form;
use crate::lint::dockerfile::{Document, assignments};
use crate::spec::rules::{credential_word, looks_like_key};

declare_rule! {
    /// ## What it does
    /// Reports a credential in `ENV` or `ARG`: a name such as `PASSWORD`, `TOKEN` or
    /// `API_KEY` (an `ENV` with a value, any `ARG`), or a value that looks like a key.
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
    for inst in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "ENV" || i.keyword == "ARG") {
        let Form::Shell(args) = &inst.form else { continue };
        for (key, value) in assignments(args) {
            let by_name = credential_word(&key).filter(|_| inst.keyword == "ARG" || !value.is_empty());
            let message = match by_name {
                Some(word) => format!("`{} {key}` is named like a credential ({word})", inst.keyword),
                None if looks_like_key(&value) => format!("the value of `{key}` looks like a key or token"),
                None => continue,
            };
            out.push(
                doc.at(&RULE, inst, Some(&key), message)
                    .help("pass it at run time from a secret, or use `RUN --mount=type=secret`"),
            );
        }
    }
}
