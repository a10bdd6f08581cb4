//! Semantic rules: cross-field checks over a spec that loaded. One file per rule; each
//! platform's own rules live in its module (`crate::platform::<name>::rules`).

mod alerts_without_receiver;
mod backup_not_kept_in_environment;
mod backup_without_snapshots;
mod credential_in_env;
mod duplicate_ingress_route;
mod duplicate_service_name;
mod env_set_by_gen;
mod github_environment_shared;
mod hostname;
mod httproute_without_gateway;
mod ingress_host_shared;
mod invalid_backup_schedule;
mod invalid_github_environment;
mod invalid_github_repository;
mod invalid_image;
mod invalid_kubernetes_class;
mod invalid_quantity;
mod invalid_rename;
mod invalid_tag_prefix;
mod invisible_character;
mod kubernetes_name;

pub use invalid_rename::RULE as INVALID_RENAME;
pub use kubernetes_name::{dns1123_label_problem, service_name_problem, windows_reserved};
pub use request_exceeds_limit::{EPHEMERAL_LIMIT, EPHEMERAL_REQUEST};
pub use unsettled_adoption_todo::RULE as UNSETTLED_ADOPTION_TODO;
mod docker_hub_pulled_anonymously;
mod latest_image_tag;
mod min_exceeds_max;
mod privileged_port;
mod request_exceeds_limit;
mod reserved_namespace;
mod single_writer_volume_shared;
mod snapshots_over_limit;
mod stack_not_on_platform;
mod storage_account_name;
mod unsettled_adoption_todo;
mod value_too_large;

use super::Loaded;
use crate::diag::{Diagnostics, Route, Rule};

/// A semantic check: reads the spec, appends findings.
pub type Check = fn(&Loaded, &mut Diagnostics);

/// Every semantic rule that holds whatever the platform, with its check, in the order they run.
pub static CHECKS: &[(&Rule, Check)] = &[
    (&kubernetes_name::RULE, kubernetes_name::check),
    (&reserved_namespace::RULE, reserved_namespace::check),
    (&stack_not_on_platform::RULE, stack_not_on_platform::check),
    (&alerts_without_receiver::RULE, alerts_without_receiver::check),
    (&storage_account_name::RULE, storage_account_name::check),
    (&hostname::RULE, hostname::check),
    (&duplicate_service_name::RULE, duplicate_service_name::check),
    (&invalid_rename::RULE, invalid_rename::check),
    (&duplicate_ingress_route::RULE, duplicate_ingress_route::check),
    (&min_exceeds_max::RULE, min_exceeds_max::check),
    (&invalid_quantity::RULE, invalid_quantity::check),
    (&request_exceeds_limit::RULE, request_exceeds_limit::check),
    (&privileged_port::RULE, privileged_port::check),
    (&invalid_github_repository::RULE, invalid_github_repository::check),
    (&invalid_github_environment::RULE, invalid_github_environment::check),
    (&github_environment_shared::RULE, github_environment_shared::check),
    (&ingress_host_shared::RULE, ingress_host_shared::check),
    (&credential_in_env::RULE, credential_in_env::check),
    (&env_set_by_gen::RULE, env_set_by_gen::check),
    (&latest_image_tag::RULE, latest_image_tag::check),
    (&docker_hub_pulled_anonymously::RULE, docker_hub_pulled_anonymously::check),
    (&invalid_image::RULE, invalid_image::check),
    (&invalid_tag_prefix::RULE, invalid_tag_prefix::check),
    (&invalid_kubernetes_class::RULE, invalid_kubernetes_class::check),
    (&invisible_character::RULE, invisible_character::check),
    (&httproute_without_gateway::RULE, httproute_without_gateway::check),
    (&single_writer_volume_shared::RULE, single_writer_volume_shared::check),
    (&backup_without_snapshots::RULE, backup_without_snapshots::check),
    (&backup_not_kept_in_environment::RULE, backup_not_kept_in_environment::check),
    (&invalid_backup_schedule::RULE, invalid_backup_schedule::check),
    (&snapshots_over_limit::RULE, snapshots_over_limit::check),
    (&value_too_large::RULE, value_too_large::check),
    (&unsettled_adoption_todo::RULE, unsettled_adoption_todo::check),
];

/// The route of a key under `services[index]`.
pub(crate) fn service_path(index: usize, rest: &[&str]) -> Route {
    rest.iter().fold(crate::route!["services", index], |r, k| r.with(*k))
}

/// Where environment `index` writes the key at `rest` inside its entry, or its `name` when it
/// takes the value from the spec: a finding about an environment's value points at the line
/// that set it for that environment.
pub(crate) fn environment_setting(spec: &Loaded, index: usize, rest: &[&str]) -> Route {
    let written = rest.iter().fold(crate::route!["environments", index], |r, k| r.with(*k));
    if spec.doc.root.lookup(&written).is_some() { written } else { crate::route!["environments", index, "name"] }
}

/// Every semantic rule with its check, in the order they run: the spec's, then each
/// platform's (a platform's rules decide themselves whether the spec runs there).
pub fn all() -> impl Iterator<Item = &'static (&'static Rule, Check)> {
    CHECKS.iter().chain(crate::platform::PLATFORMS.iter().flat_map(|p| p.rules()))
}
