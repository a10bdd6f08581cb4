//! What an ECS task definition names in AWS, and what Terraform creates there: a task that
//! starts reads its secrets (Secrets Manager or SSM Parameter Store), its registry credentials,
//! its log group, and runs as its roles, each by a name written in the task definition. A name
//! written as a literal (an ARN, a parameter's name) that nothing creates fails the task's start
//! (`ResourceInitializationError`), and the circuit breaker stops the rollout; a name written as
//! a Terraform reference (`aws_secretsmanager_secret.db.arn`) is Terraform's own to check.
//!
//! Created: `aws_secretsmanager_secret`, `aws_ssm_parameter`, `aws_cloudwatch_log_group` and
//! `aws_iam_role` by their literal `name` (any name of the kind for one gen cannot read, or a
//! `name_prefix`), and the same data sources, which say the object exists.
//! Referenced, from `aws_ecs_task_definition`: `execution_role_arn` and `task_role_arn`, and in
//! each container, `secrets[].valueFrom`, `repositoryCredentials.credentialsParameter`, and
//! the `awslogs-group` of the `awslogs` driver (unless it creates the group itself,
//! `awslogs-create-group`). These objects are the account's and the region's, whatever the
//! cluster: a reference resolves in any.

use hcl_edit::Span as _;
use hcl_edit::structure::Body;

use super::rules::AWS_OBJECT_MISSING;
use super::{Graph, Reference};
use crate::diag::Span;
use crate::lint::terraform::hcl;
use crate::lint::terraform::iam::{Node, entry, json_tree};

/// A Secrets Manager secret, by its name.
pub const SECRET: &str = "Secrets Manager secret";
/// An SSM Parameter Store parameter, by its name without a leading `/`.
pub const PARAMETER: &str = "SSM parameter";
/// A CloudWatch Logs log group, by its name.
pub const LOG_GROUP: &str = "CloudWatch log group";
/// An IAM role, by its name (without its path).
pub const ROLE: &str = "IAM role";

/// The kinds, which resolve in any cluster of the deployment.
pub const KINDS: [&str; 4] = [SECRET, PARAMETER, LOG_GROUP, ROLE];

/// What a resource or a data source of `kind` creates (or says exists): its kind and name.
pub fn creates(graph: &mut Graph, body: &Body, kind: &str) {
    let (object, key) = match kind {
        "aws_secretsmanager_secret" => (SECRET, "name"),
        "aws_ssm_parameter" => (PARAMETER, "name"),
        "aws_cloudwatch_log_group" => (LOG_GROUP, "name"),
        "aws_iam_role" => (ROLE, "name"),
        _ => return,
    };
    match hcl::value(body, key).and_then(hcl::string) {
        Some(name) if object == PARAMETER => graph.create(object, None, name.trim_start_matches('/')),
        Some(name) => graph.create(object, None, &name),
        None => graph.create_any(object),
    }
}

/// What an `aws_ecs_task_definition` names, as literals.
pub fn task_definition(graph: &mut Graph, origin: usize, body: &Body, address: &str) {
    let mut found: Vec<(&'static str, String, Span, String)> = Vec::new();
    for key in ["execution_role_arn", "task_role_arn"] {
        if let Some(attr) = hcl::attr(body, key)
            && let Some(arn) = hcl::string(&attr.value)
            && let Some(name) = role_name(&arn)
        {
            found.push((ROLE, name, hcl::span(attr.value.span()), format!("runs its tasks as @ (`{key}`)")));
        }
    }
    if let Some(expr) = hcl::value(body, "container_definitions") {
        let at = hcl::span(expr.span());
        if let Some(Node::List(containers)) = json_tree(expr, &Default::default()) {
            for container in &containers {
                let Node::Map(entries, span) = container else { continue };
                containers_names(entries, span.unwrap_or(at), &mut found);
            }
        }
    }
    for (kind, name, span, how) in found {
        graph.refer(Reference {
            rule: &AWS_OBJECT_MISSING,
            kind: kind.to_string(),
            namespace: None,
            name,
            optional: false,
            from: address.to_string(),
            how,
            span,
            origin,
            scope: graph.current.clone(),
        });
    }
}

/// The names one container's definition writes as literals.
fn containers_names(entries: &[(String, Node)], span: Span, found: &mut Vec<(&'static str, String, Span, String)>) {
    let container = literal(entry(entries, "name")).unwrap_or_else(|| "?".into());
    if let Some(Node::List(secrets)) = entry(entries, "secrets") {
        for secret in secrets {
            let Node::Map(fields, _) = secret else { continue };
            let variable = literal(entry(fields, "name")).unwrap_or_else(|| "?".into());
            if let Some((kind, name)) = literal(entry(fields, "valueFrom")).and_then(|v| secret_source(&v)) {
                found.push((kind, name, span, format!("gives container `{container}` its `{variable}` from @")));
            }
        }
    }
    if let Some(Node::Map(credentials, _)) = entry(entries, "repositoryCredentials")
        && let Some((SECRET, name)) =
            literal(entry(credentials, "credentialsParameter")).and_then(|v| secret_source(&v))
    {
        found.push((SECRET, name, span, format!("pulls container `{container}`'s image with the credentials of @")));
    }
    if let Some(Node::Map(logging, _)) = entry(entries, "logConfiguration")
        && literal(entry(logging, "logDriver")).as_deref() == Some("awslogs")
        && let Some(Node::Map(options, _)) = entry(logging, "options")
        && literal(entry(options, "awslogs-create-group")).as_deref() != Some("true")
        && let Some(group) = literal(entry(options, "awslogs-group"))
    {
        found.push((LOG_GROUP, group, span, format!("writes container `{container}`'s logs to @")));
    }
}

/// A string written literally (no interpolation, no reference).
fn literal(node: Option<&Node>) -> Option<String> {
    match node? {
        Node::Str(pieces) => match pieces.as_slice() {
            [hcl::Piece::Text(t)] => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The role an IAM role's ARN names (`arn:aws:iam::123456789012:role/path/name` → `name`).
fn role_name(arn: &str) -> Option<String> {
    let resource = arn.strip_prefix("arn:")?.splitn(5, ':').nth(4)?;
    let path = resource.strip_prefix("role/")?;
    path.rsplit('/').next().filter(|n| !n.is_empty()).map(str::to_string)
}

/// What a `valueFrom` or `credentialsParameter` names: a Secrets Manager secret by its ARN
/// (full, with the 6 characters Secrets Manager adds after a `-`, or partial; a JSON key and
/// version after it), an SSM parameter by its ARN or, in the task's region, its name.
fn secret_source(value: &str) -> Option<(&'static str, String)> {
    let Some(rest) = value.strip_prefix("arn:") else {
        return Some((PARAMETER, value.trim_start_matches('/').to_string()));
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [_, service, _, _, resource] = parts.as_slice() else { return None };
    match *service {
        "secretsmanager" => {
            let name = resource.strip_prefix("secret:")?.split(':').next()?;
            // A full ARN ends in `-` and 6 characters Secrets Manager chose.
            let name = match name.rsplit_once('-') {
                Some((base, suffix)) if suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()) => base,
                _ => name,
            };
            Some((SECRET, name.to_string()))
        }
        "ssm" => Some((PARAMETER, resource.strip_prefix("parameter")?.trim_start_matches('/').to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_s_arn_names_it_with_or_without_the_suffix_secrets_manager_adds() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-url-AbC123";
        assert_eq!(secret_source(arn), Some((SECRET, "shop/db-url".into())));
        let partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db";
        assert_eq!(secret_source(partial), Some((SECRET, "shop/db".into())));
        let key = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbC123:password::";
        assert_eq!(secret_source(key), Some((SECRET, "shop/db".into())));
        let parameter = "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/token";
        assert_eq!(secret_source(parameter), Some((PARAMETER, "shop/token".into())));
        assert_eq!(secret_source("/shop/token"), Some((PARAMETER, "shop/token".into())));
        assert_eq!(role_name("arn:aws:iam::123456789012:role/service/shop-exec"), Some("shop-exec".into()));
        assert_eq!(role_name("arn:aws:iam::123456789012:user/x"), None);
    }
}
