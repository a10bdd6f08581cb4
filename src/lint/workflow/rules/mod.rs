//! The workflow rules, one file each, and their registry.

mod cache_in_release_workflow;
mod checkout_persists_credentials;
mod cloud_login_with_secret;
mod cluster_admin_credential;
mod compromised_action;
mod credential_literal;
mod deploy_by_tag;
mod deploy_without_concurrency;
mod deploy_without_environment;
mod docker_login_password_argument;
mod id_token_without_login;
mod if_always_true;
mod job_without_timeout;
mod permissions_missing_or_broad;
mod pull_request_target_checkout;
mod push_without_provenance;
mod retired_action_runtime;
mod secrets_inherit;
mod spoofable_bot_condition;
pub mod template_injection;
mod unknown_context;
mod unpinned_action;
mod unsound_contains;
mod untrusted_github_env_write;
mod workflow_syntax;

use super::Document;
use crate::lint::{Check, Run};
use crate::yaml::Rules;

pub use workflow_syntax::RULE as WORKFLOW_SYNTAX;

/// The rules the YAML loader reports a workflow's failures under.
pub static YAML_RULES: Rules = Rules {
    syntax: &WORKFLOW_SYNTAX,
    encoding: &WORKFLOW_SYNTAX,
    empty: &WORKFLOW_SYNTAX,
    multiple_documents: &WORKFLOW_SYNTAX,
    duplicate_key: &WORKFLOW_SYNTAX,
    limits: &WORKFLOW_SYNTAX,
};

/// Every workflow rule with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &WORKFLOW_SYNTAX, run: Run::Each(workflow_syntax::check) },
    // What runs: actions and the code they check out.
    Check { rule: &unpinned_action::RULE, run: Run::Each(unpinned_action::check) },
    Check { rule: &retired_action_runtime::RULE, run: Run::Each(retired_action_runtime::check) },
    // The token and its rights.
    Check { rule: &permissions_missing_or_broad::RULE, run: Run::Each(permissions_missing_or_broad::check) },
    Check { rule: &id_token_without_login::RULE, run: Run::Each(id_token_without_login::check) },
    // Scripts and the text that reaches them.
    Check { rule: &template_injection::RULE, run: Run::Each(template_injection::check) },
    Check { rule: &untrusted_github_env_write::RULE, run: Run::Each(untrusted_github_env_write::check) },
    Check { rule: &cache_in_release_workflow::RULE, run: Run::Each(cache_in_release_workflow::check) },
    // Conditions that do not check what they seem to.
    Check { rule: &spoofable_bot_condition::RULE, run: Run::Each(spoofable_bot_condition::check) },
    Check { rule: &unsound_contains::RULE, run: Run::Each(unsound_contains::check) },
    Check { rule: &if_always_true::RULE, run: Run::Each(if_always_true::check) },
    // Expressions that name nothing.
    Check { rule: &unknown_context::RULE, run: Run::Each(unknown_context::check) },
    // Credentials.
    Check { rule: &credential_literal::RULE, run: Run::Each(credential_literal::check) },
    Check { rule: &docker_login_password_argument::RULE, run: Run::Each(docker_login_password_argument::check) },
    Check { rule: &cloud_login_with_secret::RULE, run: Run::Each(cloud_login_with_secret::check) },
    Check { rule: &pull_request_target_checkout::RULE, run: Run::Each(pull_request_target_checkout::check) },
    Check { rule: &cluster_admin_credential::RULE, run: Run::Each(cluster_admin_credential::check) },
    Check { rule: &compromised_action::RULE, run: Run::Each(compromised_action::check) },
    Check { rule: &checkout_persists_credentials::RULE, run: Run::Each(checkout_persists_credentials::check) },
    Check { rule: &secrets_inherit::RULE, run: Run::Each(secrets_inherit::check) },
    // Jobs that hold a runner, or a deployment, too long or twice.
    Check { rule: &job_without_timeout::RULE, run: Run::Each(job_without_timeout::check) },
    Check { rule: &deploy_without_concurrency::RULE, run: Run::Each(deploy_without_concurrency::check) },
    // What is deployed, and who may let it through.
    Check { rule: &deploy_without_environment::RULE, run: Run::Each(deploy_without_environment::check) },
    Check { rule: &deploy_by_tag::RULE, run: Run::Each(deploy_by_tag::check) },
    Check { rule: &push_without_provenance::RULE, run: Run::Each(push_without_provenance::check) },
];
