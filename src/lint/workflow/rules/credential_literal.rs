use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lint::workflow::text::Text;
use crate::lint::workflow::{Document, entries, entry, login_password};
use crate::text::credentials::{credential_word, looks_like_key, url_with_password};
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a credential written into the workflow instead of read from a secret: a literal
    /// value for a `with:` input or an `env:` variable named like a credential (whole words,
    /// as SPEC115 reads names: `password`, `DB_PASSWORD`, `api-key`, `token`, `secret`, and
    /// `creds`; not `DB_PASSWORD_FILE`, `cache key` or `token-format`), a literal
    /// `password` in a job's `container.credentials` or a service's `credentials`, a URL with
    /// a password in it, and in a `run:` script a literal `-p`/`--password` given to a
    /// registry login or a literal assigned to a credential's name (`DB_PASSWORD=hunter2`).
    /// A value that says where a credential is kept is none: a resource path (with
    /// placeholders: `projects/PROJECT_ID/secrets/...`), an ARN, a mounted file, a URL
    /// without a password, a placeholder (`<your-token>`).
    /// A value that is an expression (`${{ secrets.REGISTRY_PASSWORD }}`) or a shell variable
    /// is not a literal.
    ///
    /// zizmor: `hardcoded-container-credentials`; actionlint: `credentials` (both for
    /// container and service credentials).
    ///
    /// ## Why it matters
    /// The workflow file is in the repository: everyone who can read it, and every fork and
    /// clone, has the credential, forever (one of the seeds pushed to Docker Hub with
    /// `docker login -u user -p <password>` written in its script).
    ///
    /// ## Example
    /// ```yaml
    /// container:
    ///   image: ghcr.io/acme/build:1.4
    ///   credentials:
    ///     username: acme-bot
    ///     password: hunter2
    /// ```
    ///
    /// ## How to fix
    /// Revoke the credential, store a new one as a repository or environment secret, and
    /// read it with `${{ secrets.NAME }}`; better, log in with OIDC and store nothing.
    pub static RULE = ("GHA006", "credential-literal", Error);
}

/// Whether a name is a credential's.
fn credential_name(name: &str) -> bool {
    credential_word(name).is_some() || name.eq_ignore_ascii_case("creds")
}

/// The literal text of a value, if it is one: a non-empty string without an expression, or a
/// number (booleans are switches such as `persist-credentials: false`).
fn literal(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) if !s.trim().is_empty() && !s.contains("${{") => {
            (!matches!(s.to_ascii_lowercase().as_str(), "true" | "false")).then(|| s.clone())
        }
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// Whether a value names where a credential is kept rather than being one: a resource path
/// (`projects/my-project/secrets/db-password/versions/latest`, `/run/secrets/token`,
/// `~/.docker/config.json`), an ARN, a URL without a password (a Key Vault secret's), or a
/// placeholder (`<your-token>`, `{{TOKEN}}`, `$TOKEN`). Secret managers' actions take such
/// values under credential names (`secret: projects/...`); a password is one word that no
/// such shape fits.
fn reference(value: &str) -> bool {
    let value = value.trim();
    let placeholder = (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('{') && value.ends_with('}'))
        || (value.starts_with('$') && !value.contains(char::is_whitespace));
    if placeholder {
        return true;
    }
    if value.contains(char::is_whitespace) {
        return false;
    }
    let path = value.starts_with(['/', '~']) || value.starts_with("./") || value.starts_with("../");
    let url = value.contains("://") && !url_with_password(value);
    let arn = value.starts_with("arn:");
    // Segments of names (letters, digits, `-`, `_`, `.`, placeholders), two slashes at least,
    // none of them random like a key: `projects/123/secrets/token`, `kv/data/ci/npm`.
    let segments: Vec<&str> = value.split('/').collect();
    let resource = segments.len() >= 3
        && segments
            .iter()
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.<>{}@:".contains(c)))
        && !segments.iter().any(|s| looks_like_key(s));
    path || url || arn || resource
}

/// Whether a shell word is literal text (no variable, no substitution, no expression).
fn literal_word(word: &str) -> bool {
    let word = word.trim_matches(['"', '\'']);
    !word.is_empty() && !word.contains('$') && !word.chars().all(|c| c == '*')
}

/// The findings of a mapping of names to values (`with:`, `env:`).
fn named_values(doc: &Document, map: &Node, what: &str, out: &mut Diagnostics) {
    for e in entries(map) {
        let Some(value) = literal(&e.value) else { continue };
        let message = if credential_name(&e.key) && !reference(&value) {
            format!("{what} `{}` is named like a credential and written in the workflow", e.key)
        } else if url_with_password(&value) {
            format!("{what} `{}` is a URL with a password in it", e.key)
        } else {
            continue;
        };
        out.push(finding(doc, e.value.span, message));
    }
}

fn finding(doc: &Document, span: Span, message: String) -> Diagnostic {
    doc.at(&RULE, span, message)
        .help("revoke it, store a new one as a secret and read it with `${{ secrets.NAME }}` (or log in with OIDC)")
}

/// Literal credentials in a script.
fn script(doc: &Document, text: &Text<'_>, out: &mut Diagnostics) {
    for cmd in text.commands().iter() {
        for (i, _) in cmd.words.iter().enumerate().filter(|(_, w)| url_with_password(w)) {
            let message = "a URL with a password in it is written in the script".to_string();
            out.push(finding(doc, text.span(cmd.spans[i].clone()), message));
        }
        if let Some((_, Some((at, password)))) = login_password(cmd)
            && literal_word(password)
        {
            let message = format!("`{} login` is given a password written in the script", cmd.name());
            out.push(finding(doc, text.span(cmd.spans[at].clone()), message));
        }
    }
    // Assignments (`DB_PASSWORD=hunter2`, `export TOKEN=...`) are not commands; read them as
    // words of the text.
    let masked = crate::lint::workflow::expr::masked(text.value);
    for word in masked.split_ascii_whitespace() {
        let Some((name, value)) = word.split_once('=') else { continue };
        let assignment = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        // A value that says where a credential is kept (a resource path with placeholders:
        // `projects/PROJECT_ID/instances/...`) is no credential: only one that can be told is
        // reported.
        if assignment
            && credential_word(name).is_some()
            && literal_word(value)
            && !reference(value.trim_matches(['"', '\'']))
        {
            let start = word.as_ptr() as usize - masked.as_ptr() as usize;
            let message = format!("`{name}` is assigned a credential written in the script");
            out.push(finding(doc, text.span(start..start + word.len()), message));
        }
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    if let Some(env) = doc.get("env") {
        named_values(doc, env, "env", out);
    }
    for job in doc.jobs() {
        if let Some(env) = job.get("env") {
            named_values(doc, env, "env", out);
        }
        let services = job.get("services").map_or(&[][..], entries);
        let containers = job.get("container").into_iter().chain(services.iter().map(|e| &e.value));
        for container in containers {
            let password = container.get("credentials").and_then(|c| entry(c, "password"));
            if let Some(p) = password.filter(|p| literal(&p.value).is_some()) {
                let message = "the registry password of this container is written in the workflow".to_string();
                out.push(finding(doc, p.value.span, message));
            }
        }
        for step in job.steps() {
            for key in ["with", "env"] {
                if let Some(map) = step.get(key) {
                    named_values(doc, map, if key == "with" { "input" } else { "env" }, out);
                }
            }
            if let Some(run) = step.run() {
                script(doc, &run, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reference;

    #[test]
    fn where_a_credential_is_kept_is_not_a_credential() {
        for value in [
            "projects/my-project/secrets/db-password/versions/latest",
            "projects/PROJECT_ID/secrets/<SECRET_NAME>/versions/latest",
            "kv/data/ci/npm-token",
            "/run/secrets/registry-token",
            "~/.docker/config.json",
            "./secrets/token.txt",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbCdEf",
            "https://acme-kv.vault.azure.net/secrets/db-password",
            "<your-api-token>",
            "{{ API_TOKEN }}",
            "$NPM_TOKEN",
        ] {
            assert!(reference(value), "{value}");
        }
        for value in [
            "hunter2",
            "S3cr3t-Passw0rd",
            "a1b2/c3d4",
            "q8Fz2LkP0wXv7NcR4tYb9HsJ/abc/def",
            "https://user:hunter2@registry.example.com/v2",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            assert!(!reference(value), "{value}");
        }
    }
}
