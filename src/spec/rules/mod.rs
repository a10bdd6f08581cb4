//! Semantic rules: cross-field checks over a spec that loaded. One file per rule.

mod acr_name;
mod aks_name;
mod backup_without_snapshots;
mod credential_in_env;
mod duplicate_ingress_route;
mod duplicate_service_name;
mod environments_disagree_on_shared_setting;
mod github_environment_shared;
mod host_outside_dns_zone;
mod hostname;
mod httproute_without_gateway;
mod ingress_host_shared;
mod invalid_github_repository;
mod invalid_image;
mod invalid_kubernetes_class;
mod invalid_quantity;
mod invisible_character;
mod kubernetes_name;

pub use kubernetes_name::{dns1123_label_problem, windows_reserved};
pub use request_exceeds_limit::{EPHEMERAL_LIMIT, EPHEMERAL_REQUEST};
pub use unsupported_kubernetes_version::SUPPORTED_MINORS;
mod latest_image_tag;
mod min_exceeds_max;
mod privileged_port;
mod request_exceeds_limit;
mod resource_group_name;
mod resource_group_shared;
mod single_writer_volume_shared;
mod storage_account_name;
mod unsupported_kubernetes_version;
mod value_too_large;

use super::Loaded;
use crate::diag::{Diagnostics, Route, Rule};

/// A semantic check: reads the spec, appends findings.
pub type Check = fn(&Loaded, &mut Diagnostics);

/// Every semantic rule with its check, in the order they run.
pub static CHECKS: &[(&Rule, Check)] = &[
    (&kubernetes_name::RULE, kubernetes_name::check),
    (&acr_name::RULE, acr_name::check),
    (&aks_name::RULE, aks_name::check),
    (&storage_account_name::RULE, storage_account_name::check),
    (&resource_group_name::RULE, resource_group_name::check),
    (&hostname::RULE, hostname::check),
    (&duplicate_service_name::RULE, duplicate_service_name::check),
    (&duplicate_ingress_route::RULE, duplicate_ingress_route::check),
    (&min_exceeds_max::RULE, min_exceeds_max::check),
    (&invalid_quantity::RULE, invalid_quantity::check),
    (&request_exceeds_limit::RULE, request_exceeds_limit::check),
    (&privileged_port::RULE, privileged_port::check),
    (&host_outside_dns_zone::RULE, host_outside_dns_zone::check),
    (&invalid_github_repository::RULE, invalid_github_repository::check),
    (&credential_in_env::RULE, credential_in_env::check),
    (&latest_image_tag::RULE, latest_image_tag::check),
    (&invalid_image::RULE, invalid_image::check),
    (&invalid_kubernetes_class::RULE, invalid_kubernetes_class::check),
    (&invisible_character::RULE, invisible_character::check),
    (&unsupported_kubernetes_version::RULE, unsupported_kubernetes_version::check),
    (&httproute_without_gateway::RULE, httproute_without_gateway::check),
    (&single_writer_volume_shared::RULE, single_writer_volume_shared::check),
    (&environments_disagree_on_shared_setting::RULE, environments_disagree_on_shared_setting::check),
    (&github_environment_shared::RULE, github_environment_shared::check),
    (&backup_without_snapshots::RULE, backup_without_snapshots::check),
    (&resource_group_shared::RULE, resource_group_shared::check),
    (&ingress_host_shared::RULE, ingress_host_shared::check),
    (&value_too_large::RULE, value_too_large::check),
];

/// The route of a key under `services[index]`.
fn service_path(index: usize, rest: &[&str]) -> Route {
    rest.iter().fold(crate::route!["services", index], |r, k| r.with(*k))
}

/// Where environment `index` writes the key at `rest` inside its entry, or its `name` when it
/// takes the value from the spec: a finding about an environment's value points at the line
/// that set it for that environment.
fn environment_setting(spec: &Loaded, index: usize, rest: &[&str]) -> Route {
    let written = rest.iter().fold(crate::route!["environments", index], |r, k| r.with(*k));
    if spec.doc.root.lookup(&written).is_some() { written } else { crate::route!["environments", index, "name"] }
}
