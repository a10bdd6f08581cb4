use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl::Piece;
use crate::lint::terraform::iam::Node;
use crate::lint::terraform::{Document, ecs, resources};

declare_rule! {
    /// ## What it does
    /// Reports a container of an `aws_ecs_task_definition` that passes a secret in its
    /// `environment`: an entry whose name says it is one (`PASSWORD`, `SECRET`, `TOKEN`,
    /// `API_KEY`, `PRIVATE_KEY`, `CREDENTIALS`, `DATABASE_URL`...), read in `jsonencode(...)`
    /// or a JSON string.
    ///
    /// checkov: no check of the task definition's keys; its secrets scan (CKV_SECRET_*) reports
    /// a literal value that looks like a known kind of key.
    ///
    /// ## Why it matters
    /// A task definition's environment is plain text: anyone who may describe task
    /// definitions reads it, and each revision keeps it for good (a revision is never deleted,
    /// only made inactive). `secrets` passes the value from Secrets Manager or SSM Parameter
    /// Store, fetched by the execution role when the task starts.
    ///
    /// ## Example
    /// ```hcl
    /// environment = [{ name = "DATABASE_URL", value = var.database_url }]
    /// ```
    ///
    /// ## How to fix
    /// Move it to `secrets = [{ name = "DATABASE_URL", valueFrom = aws_secretsmanager_secret.db.arn }]`,
    /// and let the execution role read that secret alone.
    pub static RULE = ("TF036", "ecs-secret-in-environment", Error);
}

/// The words of a variable's name that say it holds a secret.
const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "CREDENTIALS"];

/// Whether an environment variable's name says it holds a secret.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w)) || upper == "DATABASE_URL" || upper.ends_with("_DSN")
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for r in resources(docs, "aws_ecs_task_definition") {
        for c in ecs::containers(&r).unwrap_or_default() {
            let Some(Node::List(vars)) = c.get("environment") else { continue };
            for var in vars {
                let Node::Map(entries, span) = var else { continue };
                let Some(Node::Str(pieces)) = entries.iter().find(|(k, _)| k == "name").map(|(_, v)| v) else {
                    continue;
                };
                let [Piece::Text(name)] = pieces.as_slice() else { continue };
                if secret_name(name) {
                    let message = format!(
                        "container `{}` of {} passes `{name}` in its environment, in plain text",
                        c.name(),
                        r.address()
                    );
                    out.push(r.at(&RULE, span.unwrap_or(c.span), message).help(format!(
                        "pass it in `secrets` instead: `{{ name = \"{name}\", valueFrom = <a Secrets Manager secret's ARN> }}`"
                    )));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_that_says_secret_is_one() {
        for name in ["DB_PASSWORD", "api_token", "SECRET_KEY", "DATABASE_URL", "SENTRY_DSN", "STRIPE_API_KEY"] {
            assert!(super::secret_name(name), "{name}");
        }
        for name in ["PORT", "LOG_LEVEL", "KEYBOARD", "DATABASE_HOST"] {
            assert!(!super::secret_name(name), "{name}");
        }
    }
}
