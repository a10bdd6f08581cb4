use super::schema_findings;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports an argument of `azurerm_kubernetes_cluster`, `azurerm_kubernetes_cluster_node_pool`,
    /// `azurerm_container_registry` or `azurerm_storage_account` that azurerm 4.0 renamed or
    /// removed, and says what replaces it: `enable_auto_scaling` → `auto_scaling_enabled`,
    /// `enable_node_public_ip` → `node_public_ip_enabled`, `enable_host_encryption` →
    /// `host_encryption_enabled`, `automatic_channel_upgrade` → `automatic_upgrade_channel`,
    /// `node_os_channel_upgrade` → `node_os_upgrade_channel`, `api_server_authorized_ip_ranges`
    /// → `api_server_access_profile { authorized_ip_ranges }`, `network_profile.ebpf_data_plane`
    /// → `network_data_plane`; `public_network_access_enabled`, `default_node_pool.node_taints`,
    /// `azure_active_directory_role_based_access_control.managed` (always managed in 4.x) and the
    /// AKS preview features (`custom_ca_trust_enabled`, `message_of_the_day`, ...) are gone.
    /// The source is the provider's 4.0 upgrade guide; these names are reported here rather
    /// than as unknown (TF002).
    ///
    /// ## Why it matters
    /// Configuration written for azurerm 3.x (most examples and modules online, the AKS module
    /// 3.x line) fails `terraform validate` on 4.x; a removed setting has to be expressed
    /// another way, or dropped knowingly.
    ///
    /// ## Example
    /// ```hcl
    /// default_node_pool {
    ///   name                = "system"
    ///   vm_size             = "Standard_D2ds_v5"
    ///   enable_auto_scaling = true
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Write the 4.x name the message gives (`auto_scaling_enabled = true`), or remove the
    /// argument.
    pub static RULE = ("TF007", "argument-removed-in-azurerm-4", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    schema_findings(docs, Kind::Azurerm4, &RULE, out);
}
