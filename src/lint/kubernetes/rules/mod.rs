//! The Kubernetes rules, one file each, and their registry.

mod apparmor_unconfined;
mod capabilities_not_dropped;
mod capability_added;
mod ephemeral_storage_unbounded;
mod gateway_over_listener_limit;
mod host_namespace;
mod host_path_volume;
mod host_port;
mod host_process;
mod hpa_cpu_without_requests;
mod hpa_min_exceeds_max;
mod identical_probes;
mod image_pull_policy_mismatch;
mod ingress_backend_missing_service;
mod ingress_nginx_retired;
mod invalid_class_name;
mod invalid_field_type;
mod invalid_image_reference;
mod invalid_ingress_rule;
mod invalid_label_value;
mod kubeconfig_credential;
mod latest_image_tag;
mod liveness_probe_missing;
mod low_user_id;
mod manifest_syntax;
mod monitor_selects_no_service;
mod privilege_escalation_allowed;
mod privileged_container;
mod probe_port_not_exposed;
mod readiness_probe_missing;
mod replicas_with_hpa;
mod resource_limits_missing;
mod resource_requests_missing;
mod restricted_volume_type;
mod rewrite_target_mismatch;
mod run_as_non_root_missing;
mod run_as_root_user;
mod seccomp_unconfined;
mod selinux_custom_options;
mod service_account_token_mounted;
mod service_selects_no_pod;
mod shutdown_cuts_requests;
mod single_writer_volume_shared;
mod target_port_not_container_port;
mod unknown_field;
mod unmasked_proc_mount;
mod unsafe_sysctl;
mod workers_exceed_memory_limit;
mod workload_identity_empty;
mod writable_root_filesystem;

use super::Document;
use crate::lint::{Check, Run};
use crate::yaml::Rules;

pub use manifest_syntax::RULE as MANIFEST_SYNTAX;

/// The rules the YAML loader reports a manifest's failures under.
pub static YAML_RULES: Rules = Rules {
    syntax: &MANIFEST_SYNTAX,
    encoding: &MANIFEST_SYNTAX,
    empty: &MANIFEST_SYNTAX,
    multiple_documents: &MANIFEST_SYNTAX,
    duplicate_key: &MANIFEST_SYNTAX,
    limits: &MANIFEST_SYNTAX,
};

/// Every Kubernetes rule with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &MANIFEST_SYNTAX, run: Run::Each(manifest_syntax::check) },
    Check { rule: &unknown_field::RULE, run: Run::Each(unknown_field::check) },
    Check { rule: &invalid_field_type::RULE, run: Run::Each(invalid_field_type::check) },
    // Values the API server or the kubelet refuse that a schema check lets pass.
    Check { rule: &invalid_label_value::RULE, run: Run::Each(invalid_label_value::check) },
    Check { rule: &invalid_class_name::RULE, run: Run::Each(invalid_class_name::check) },
    Check { rule: &invalid_ingress_rule::RULE, run: Run::Each(invalid_ingress_rule::check) },
    Check { rule: &workload_identity_empty::RULE, run: Run::Each(workload_identity_empty::check) },
    Check { rule: &kubeconfig_credential::RULE, run: Run::Each(kubeconfig_credential::check) },
    // Pod Security Standards, baseline and restricted.
    Check { rule: &host_process::RULE, run: Run::Each(host_process::check) },
    Check { rule: &host_namespace::RULE, run: Run::Each(host_namespace::check) },
    Check { rule: &privileged_container::RULE, run: Run::Each(privileged_container::check) },
    Check { rule: &capability_added::RULE, run: Run::Each(capability_added::check) },
    Check { rule: &host_path_volume::RULE, run: Run::Each(host_path_volume::check) },
    Check { rule: &host_port::RULE, run: Run::Each(host_port::check) },
    Check { rule: &apparmor_unconfined::RULE, run: Run::Each(apparmor_unconfined::check) },
    Check { rule: &selinux_custom_options::RULE, run: Run::Each(selinux_custom_options::check) },
    Check { rule: &unmasked_proc_mount::RULE, run: Run::Each(unmasked_proc_mount::check) },
    Check { rule: &seccomp_unconfined::RULE, run: Run::Each(seccomp_unconfined::check) },
    Check { rule: &unsafe_sysctl::RULE, run: Run::Each(unsafe_sysctl::check) },
    Check { rule: &restricted_volume_type::RULE, run: Run::Each(restricted_volume_type::check) },
    Check { rule: &privilege_escalation_allowed::RULE, run: Run::Each(privilege_escalation_allowed::check) },
    Check { rule: &run_as_non_root_missing::RULE, run: Run::Each(run_as_non_root_missing::check) },
    Check { rule: &run_as_root_user::RULE, run: Run::Each(run_as_root_user::check) },
    Check { rule: &capabilities_not_dropped::RULE, run: Run::Each(capabilities_not_dropped::check) },
    // Other security settings.
    Check { rule: &writable_root_filesystem::RULE, run: Run::Each(writable_root_filesystem::check) },
    Check { rule: &service_account_token_mounted::RULE, run: Run::All(service_account_token_mounted::check) },
    Check { rule: &low_user_id::RULE, run: Run::Each(low_user_id::check) },
    // Probes and resources.
    Check { rule: &liveness_probe_missing::RULE, run: Run::Each(liveness_probe_missing::check) },
    Check { rule: &readiness_probe_missing::RULE, run: Run::Each(readiness_probe_missing::check) },
    Check { rule: &probe_port_not_exposed::RULE, run: Run::Each(probe_port_not_exposed::check) },
    Check { rule: &identical_probes::RULE, run: Run::Each(identical_probes::check) },
    Check { rule: &resource_requests_missing::RULE, run: Run::Each(resource_requests_missing::check) },
    Check { rule: &resource_limits_missing::RULE, run: Run::Each(resource_limits_missing::check) },
    Check { rule: &ephemeral_storage_unbounded::RULE, run: Run::Each(ephemeral_storage_unbounded::check) },
    Check { rule: &workers_exceed_memory_limit::RULE, run: Run::Each(workers_exceed_memory_limit::check) },
    // Rollouts.
    Check { rule: &shutdown_cuts_requests::RULE, run: Run::Each(shutdown_cuts_requests::check) },
    // Scaling.
    Check { rule: &hpa_cpu_without_requests::RULE, run: Run::All(hpa_cpu_without_requests::check) },
    Check { rule: &hpa_min_exceeds_max::RULE, run: Run::Each(hpa_min_exceeds_max::check) },
    Check { rule: &replicas_with_hpa::RULE, run: Run::All(replicas_with_hpa::check) },
    // Images.
    Check { rule: &latest_image_tag::RULE, run: Run::Each(latest_image_tag::check) },
    Check { rule: &image_pull_policy_mismatch::RULE, run: Run::Each(image_pull_policy_mismatch::check) },
    Check { rule: &invalid_image_reference::RULE, run: Run::Each(invalid_image_reference::check) },
    // Objects that relate to each other.
    Check { rule: &service_selects_no_pod::RULE, run: Run::All(service_selects_no_pod::check) },
    Check { rule: &target_port_not_container_port::RULE, run: Run::All(target_port_not_container_port::check) },
    Check { rule: &ingress_backend_missing_service::RULE, run: Run::All(ingress_backend_missing_service::check) },
    Check { rule: &monitor_selects_no_service::RULE, run: Run::All(monitor_selects_no_service::check) },
    Check { rule: &rewrite_target_mismatch::RULE, run: Run::Each(rewrite_target_mismatch::check) },
    Check { rule: &single_writer_volume_shared::RULE, run: Run::All(single_writer_volume_shared::check) },
    Check { rule: &ingress_nginx_retired::RULE, run: Run::All(ingress_nginx_retired::check) },
    Check { rule: &gateway_over_listener_limit::RULE, run: Run::Each(gateway_over_listener_limit::check) },
];
