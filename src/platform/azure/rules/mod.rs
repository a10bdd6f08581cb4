//! Azure's spec rules: names Azure would refuse, versions AKS does not run, and what the
//! environments on Azure must not share or must agree on. One file per rule.

pub mod acr_name;
pub mod aks_name;
pub mod api_server_closed_to_deploy;
pub mod api_server_closed_to_gitops;
pub mod backup_aks_cannot_take;
pub mod certificates_over_weekly_limit;
pub mod dns_zone_is_public_suffix;
pub mod environments_disagree_on_shared_setting;
pub mod host_outside_dns_zone;
pub mod host_tls_mixed;
pub mod invalid_location;
pub mod invalid_network;
pub mod invalid_vm_size;
pub mod key_vault_object_name;
pub mod resource_group_name;
pub mod resource_group_shared;
pub mod storage_class_aks_lacks;
pub mod unsupported_kubernetes_version;

/// Where a service's ingress host is written for the environment `index`: the environment's
/// own override, else the service's at the base.
pub(crate) fn host_written(spec: &crate::spec::Loaded, index: usize, service: &str) -> crate::diag::Route {
    let own = crate::route!["environments", index, "services", service, "ingress", "host"];
    match spec.spec.services.iter().position(|s| s.name == service) {
        Some(j) if spec.doc.root.lookup(&own).is_none() => crate::route!["services", j, "ingress", "host"],
        _ => crate::spec::rules::environment_setting(spec, index, &["services", service, "ingress", "host"]),
    }
}
