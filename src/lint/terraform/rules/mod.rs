//! The Terraform rules, one file each, and their registry.

mod acr_admin_user_enabled;
mod acr_anonymous_pull_enabled;
mod acr_push_on_several_registries;
mod aks_local_accounts_enabled;
mod aks_network_policy_missing;
mod aks_pool_without_orchestrator_version;
mod aks_rbac_disabled;
mod aks_single_node_system_pool;
mod aks_upgrades_without_maintenance_window;
mod alb_invalid_headers_kept;
mod alb_listener_http_forwards;
mod argument_removed_in_azurerm_4;
mod autoscaled_node_count_not_ignored;
mod backend_access_key_auth;
mod block_argument_mismatch;
mod computed_argument_set;
mod ecr_scan_on_push_off;
mod ecr_tags_mutable;
mod ecs_container_logs_nowhere;
mod ecs_container_privileged;
mod ecs_container_runs_as_root;
mod ecs_root_filesystem_writable;
mod ecs_secret_in_environment;
mod ecs_service_public_ip;
mod eks_control_plane_logs_missing;
mod eks_endpoint_open_to_world;
mod eks_node_role_workload_permissions;
mod eks_secrets_unencrypted;
mod federated_subject_too_broad;
mod iam_allows_everything;
mod missing_required_argument;
mod module_source_unpinned;
mod patch_version_with_auto_upgrade;
mod provider_version_unpinned;
mod role_on_broad_scope;
mod secret_in_configuration;
mod security_group_open_to_world;
mod state_storage_unprotected;
mod terraform_syntax;
mod too_many_blocks;
mod unknown_argument;

use super::schema::Kind;
use super::{Document, providers_pinned_elsewhere};
use crate::diag::{Diagnostics, Rule};
use crate::lint::{Check, Run};

pub use terraform_syntax::RULE as TERRAFORM_SYNTAX;

/// Every Terraform rule with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &TERRAFORM_SYNTAX, run: Run::Each(terraform_syntax::check) },
    // The provider schemas: what `terraform validate` refuses.
    Check { rule: &unknown_argument::RULE, run: Run::All(unknown_argument::check) },
    Check { rule: &missing_required_argument::RULE, run: Run::All(missing_required_argument::check) },
    Check { rule: &block_argument_mismatch::RULE, run: Run::All(block_argument_mismatch::check) },
    Check { rule: &computed_argument_set::RULE, run: Run::All(computed_argument_set::check) },
    Check { rule: &too_many_blocks::RULE, run: Run::All(too_many_blocks::check) },
    Check { rule: &argument_removed_in_azurerm_4::RULE, run: Run::All(argument_removed_in_azurerm_4::check) },
    // Identities and their rights.
    Check { rule: &acr_push_on_several_registries::RULE, run: Run::All(acr_push_on_several_registries::check) },
    Check { rule: &role_on_broad_scope::RULE, run: Run::All(role_on_broad_scope::check) },
    Check { rule: &federated_subject_too_broad::RULE, run: Run::All(federated_subject_too_broad::check) },
    Check { rule: &secret_in_configuration::RULE, run: Run::Each(secret_in_configuration::check) },
    Check { rule: &iam_allows_everything::RULE, run: Run::All(iam_allows_everything::check) },
    // The registry and the cluster.
    Check { rule: &acr_admin_user_enabled::RULE, run: Run::Each(acr_admin_user_enabled::check) },
    Check { rule: &acr_anonymous_pull_enabled::RULE, run: Run::Each(acr_anonymous_pull_enabled::check) },
    Check { rule: &aks_local_accounts_enabled::RULE, run: Run::Each(aks_local_accounts_enabled::check) },
    Check { rule: &aks_rbac_disabled::RULE, run: Run::Each(aks_rbac_disabled::check) },
    Check { rule: &aks_network_policy_missing::RULE, run: Run::Each(aks_network_policy_missing::check) },
    Check {
        rule: &aks_pool_without_orchestrator_version::RULE,
        run: Run::Each(aks_pool_without_orchestrator_version::check),
    },
    Check {
        rule: &aks_upgrades_without_maintenance_window::RULE,
        run: Run::Each(aks_upgrades_without_maintenance_window::check),
    },
    Check { rule: &aks_single_node_system_pool::RULE, run: Run::Each(aks_single_node_system_pool::check) },
    Check { rule: &autoscaled_node_count_not_ignored::RULE, run: Run::Each(autoscaled_node_count_not_ignored::check) },
    Check { rule: &patch_version_with_auto_upgrade::RULE, run: Run::Each(patch_version_with_auto_upgrade::check) },
    Check { rule: &ecr_tags_mutable::RULE, run: Run::Each(ecr_tags_mutable::check) },
    Check { rule: &ecr_scan_on_push_off::RULE, run: Run::All(ecr_scan_on_push_off::check) },
    Check { rule: &eks_endpoint_open_to_world::RULE, run: Run::Each(eks_endpoint_open_to_world::check) },
    Check { rule: &eks_secrets_unencrypted::RULE, run: Run::Each(eks_secrets_unencrypted::check) },
    Check { rule: &eks_control_plane_logs_missing::RULE, run: Run::Each(eks_control_plane_logs_missing::check) },
    Check { rule: &eks_node_role_workload_permissions::RULE, run: Run::All(eks_node_role_workload_permissions::check) },
    Check { rule: &security_group_open_to_world::RULE, run: Run::Each(security_group_open_to_world::check) },
    // ECS services and their load balancer.
    Check { rule: &ecs_container_privileged::RULE, run: Run::All(ecs_container_privileged::check) },
    Check { rule: &ecs_root_filesystem_writable::RULE, run: Run::All(ecs_root_filesystem_writable::check) },
    Check { rule: &ecs_secret_in_environment::RULE, run: Run::All(ecs_secret_in_environment::check) },
    Check { rule: &ecs_service_public_ip::RULE, run: Run::All(ecs_service_public_ip::check) },
    Check { rule: &alb_invalid_headers_kept::RULE, run: Run::All(alb_invalid_headers_kept::check) },
    Check { rule: &alb_listener_http_forwards::RULE, run: Run::All(alb_listener_http_forwards::check) },
    Check { rule: &ecs_container_runs_as_root::RULE, run: Run::All(ecs_container_runs_as_root::check) },
    Check { rule: &ecs_container_logs_nowhere::RULE, run: Run::All(ecs_container_logs_nowhere::check) },
    // Versions and state.
    Check { rule: &provider_version_unpinned::RULE, run: Run::Each(provider_version_unpinned::check) },
    Check { rule: &module_source_unpinned::RULE, run: Run::Each(module_source_unpinned::check) },
    Check { rule: &backend_access_key_auth::RULE, run: Run::Each(backend_access_key_auth::check) },
    Check { rule: &state_storage_unprotected::RULE, run: Run::All(state_storage_unprotected::check) },
];

/// The schema problems of one kind in a set of files, as findings of `rule` (none for a
/// provider the set pins to versions the embedded schemas are not).
fn schema_findings(docs: &[Document], kind: Kind, rule: &'static Rule, out: &mut Diagnostics) {
    let skipped = providers_pinned_elsewhere(docs);
    for doc in docs {
        for p in doc.schema.iter().filter(|p| p.kind == kind && !skipped.contains(&p.provider)) {
            let mut d = doc.at(rule, p.span, p.message.clone());
            if let Some(help) = &p.help {
                d = d.help(help.clone());
            }
            out.push(d);
        }
    }
}
