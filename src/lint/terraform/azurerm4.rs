//! Arguments of the resources gen emits that azurerm 4.0 renamed or removed, from the
//! provider's 4.0 upgrade guide ("Breaking Changes in Resources", "AKS migration to stable
//! API"). Only names the 4.79 schema no longer has are listed (azurerm re-added some removed
//! ones later, `custom_ca_trust_certificates_base64` and `api_server_access_profile.subnet_id`
//! among them).

/// What became of an argument.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// Renamed, same place and meaning.
    Renamed(&'static str),
    /// Replaced by something written differently (the text says what).
    Replaced(&'static str),
    /// Removed, with why or what to do instead.
    Removed(&'static str),
}

/// (resource type, path of blocks inside it, argument, change).
static CHANGES: &[(&str, &str, &str, Change)] = &[
    ("azurerm_kubernetes_cluster", "", "automatic_channel_upgrade", Change::Renamed("automatic_upgrade_channel")),
    ("azurerm_kubernetes_cluster", "", "node_os_channel_upgrade", Change::Renamed("node_os_upgrade_channel")),
    (
        "azurerm_kubernetes_cluster",
        "",
        "api_server_authorized_ip_ranges",
        Change::Replaced("`api_server_access_profile { authorized_ip_ranges = [...] }`"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "",
        "public_network_access_enabled",
        Change::Removed(
            "the API server's exposure is set by `private_cluster_enabled` and `api_server_access_profile`",
        ),
    ),
    (
        "azurerm_kubernetes_cluster",
        "",
        "enable_pod_security_policy",
        Change::Removed("PodSecurityPolicy is gone from Kubernetes; use Pod Security admission"),
    ),
    ("azurerm_kubernetes_cluster", "default_node_pool", "enable_auto_scaling", Change::Renamed("auto_scaling_enabled")),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool",
        "enable_node_public_ip",
        Change::Renamed("node_public_ip_enabled"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool",
        "enable_host_encryption",
        Change::Renamed("host_encryption_enabled"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool",
        "node_taints",
        Change::Removed(
            "taint the system pool with `only_critical_addons_enabled = true`, or taint a separate node pool",
        ),
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool",
        "custom_ca_trust_enabled",
        Change::Removed("a preview feature the stable AKS API does not have"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "default_node_pool",
        "message_of_the_day",
        Change::Removed("a preview feature the stable AKS API does not have"),
    ),
    ("azurerm_kubernetes_cluster", "network_profile", "ebpf_data_plane", Change::Renamed("network_data_plane")),
    (
        "azurerm_kubernetes_cluster",
        "network_profile",
        "docker_bridge_cidr",
        Change::Removed("AKS no longer uses a Docker bridge"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "azure_active_directory_role_based_access_control",
        "managed",
        Change::Removed("Entra ID integration is always managed in 4.x: drop the argument"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "azure_active_directory_role_based_access_control",
        "client_app_id",
        Change::Removed("legacy (unmanaged) Entra ID integration is gone; 4.x is always managed"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "azure_active_directory_role_based_access_control",
        "server_app_id",
        Change::Removed("legacy (unmanaged) Entra ID integration is gone; 4.x is always managed"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "azure_active_directory_role_based_access_control",
        "server_app_secret",
        Change::Removed("legacy (unmanaged) Entra ID integration is gone; 4.x is always managed"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "workload_autoscaler_profile",
        "vertical_pod_autoscaler_update_mode",
        Change::Removed("not exported by the stable AKS API"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "workload_autoscaler_profile",
        "vertical_pod_autoscaler_controlled_values",
        Change::Removed("not exported by the stable AKS API"),
    ),
    ("azurerm_kubernetes_cluster", "web_app_routing", "dns_zone_id", Change::Replaced("`dns_zone_ids = [...]`")),
    (
        "azurerm_kubernetes_cluster",
        "api_server_access_profile",
        "vnet_integration_enabled",
        Change::Removed("a preview feature the stable AKS API does not have"),
    ),
    (
        "azurerm_kubernetes_cluster",
        "storage_profile",
        "disk_driver_version",
        Change::Removed("a preview feature the stable AKS API does not have"),
    ),
    ("azurerm_kubernetes_cluster_node_pool", "", "enable_auto_scaling", Change::Renamed("auto_scaling_enabled")),
    ("azurerm_kubernetes_cluster_node_pool", "", "enable_node_public_ip", Change::Renamed("node_public_ip_enabled")),
    ("azurerm_kubernetes_cluster_node_pool", "", "enable_host_encryption", Change::Renamed("host_encryption_enabled")),
    (
        "azurerm_kubernetes_cluster_node_pool",
        "",
        "custom_ca_trust_enabled",
        Change::Removed("a preview feature the stable AKS API does not have"),
    ),
    (
        "azurerm_kubernetes_cluster_node_pool",
        "",
        "message_of_the_day",
        Change::Removed("a preview feature the stable AKS API does not have"),
    ),
    ("azurerm_container_registry", "", "retention_policy", Change::Replaced("`retention_policy_in_days = N`")),
    ("azurerm_container_registry", "", "trust_policy", Change::Replaced("`trust_policy_enabled = true`")),
    ("azurerm_storage_account", "", "enable_https_traffic_only", Change::Renamed("https_traffic_only_enabled")),
];

/// What azurerm 4 did with argument `name` in the blocks at `path` of a `resource_type`.
pub fn change(resource_type: &str, path: &str, name: &str) -> Option<Change> {
    CHANGES.iter().find(|(t, p, n, _)| *t == resource_type && *p == path && *n == name).map(|(_, _, _, c)| *c)
}
