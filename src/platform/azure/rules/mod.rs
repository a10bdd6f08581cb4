//! Azure's spec rules: names Azure would refuse, versions AKS does not run, and what the
//! environments on Azure must not share or must agree on. One file per rule.

pub mod acr_name;
pub mod aks_name;
pub mod api_server_closed_to_deploy;
pub mod certificates_over_weekly_limit;
pub mod dns_zone_is_public_suffix;
pub mod environments_disagree_on_shared_setting;
pub mod github_environment_shared;
pub mod host_outside_dns_zone;
pub mod ingress_host_shared;
pub mod invalid_location;
pub mod invalid_network;
pub mod invalid_vm_size;
pub mod key_vault_object_name;
pub mod resource_group_name;
pub mod resource_group_shared;
pub mod storage_class_aks_lacks;
pub mod unsupported_kubernetes_version;
