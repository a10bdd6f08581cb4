//! `platform.azure`: the Azure resources a spec names, and their defaults.

use serde::{Deserialize, Serialize};

use crate::spec::model::IngressController;

/// The Azure resources (`platform.azure`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub location: String,
    pub resource_group: String,
    pub aks: Aks,
    pub acr: Acr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    /// The edge: where Envoy Gateway (or ingress-nginx, when a service asks for an Ingress)
    /// runs, and the Gateway, named by default ([`DEFAULT_GATEWAY`]) when the spec names none.
    #[serde(default = "default_ingress", deserialize_with = "ingress")]
    pub ingress: IngressController,
    #[serde(default)]
    pub identity: Identity,
    /// The vaults that hold the services' `secretEnv` values, one per service, named from the
    /// registry, the resource group and the service (see [`service_key_vault_name`]).
    #[serde(default)]
    pub key_vault: KeyVault,
    /// Ingress hosts whose DNS gen does not manage (a DuckDNS name, a zone at another
    /// provider): no record is written for them; the user points each at the `ingress_ip`
    /// output, and their certificates come by HTTP-01.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_hosts: Vec<String>,
    /// Who hears of the cluster's alerts.
    #[serde(default)]
    pub monitoring: Monitoring,
    /// The cluster's own virtual network.
    #[serde(default)]
    pub network: Network,
}

/// The virtual network the nodes run in (`platform.azure.network`), which Terraform creates
/// with a NAT gateway for their outbound traffic.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Network {
    pub address_space: String,
    pub nodes_subnet: String,
}

/// AKS's own choice for the network it creates when given none (10.224.0.0/12 there): clear
/// of the pods' overlay range and the services' range ([`POD_CIDR`], [`SERVICE_CIDR`]). Room
/// for 4,096 node addresses, and the rest of the /16 for the subnets a private endpoint or an
/// application gateway will want later.
impl Default for Network {
    fn default() -> Self {
        Network { address_space: "10.224.0.0/16".into(), nodes_subnet: "10.224.0.0/20".into() }
    }
}

/// The pods' addresses in Azure CNI Overlay (AKS's default, written out in the cluster).
pub const POD_CIDR: &str = "10.244.0.0/16";
/// The Services' cluster IPs (AKS's default, written out in the cluster).
pub const SERVICE_CIDR: &str = "10.0.0.0/16";

/// The cluster's alerts (`platform.azure.monitoring`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitoring {
    /// The addresses the alerts are sent to; none: the pipeline's notify addresses (filled by
    /// `fill_defaults`), and with neither they fire in the Azure portal only.
    #[serde(default)]
    pub alert_emails: Vec<String>,
}

/// The Gateway gen's Terraform creates when the spec names none, in the edge's namespace.
pub const DEFAULT_GATEWAY: &str = "gen-gateway";

/// The edge's namespace on Azure: `gateway-system`, the Gateway API's name for the namespace
/// of a Gateway shared by the services, which here also holds Envoy Gateway and its proxies.
/// IngressClass `nginx` is ingress-nginx's, used only when a service asks for an Ingress.
fn default_ingress() -> IngressController {
    IngressController { namespace: "gateway-system".into(), ..IngressController::default() }
}

/// Reads `platform.azure.ingress`, each key it omits taken from [`default_ingress`] (the
/// model's own defaults are a local cluster's).
fn ingress<'de, D: serde::Deserializer<'de>>(d: D) -> Result<IngressController, D::Error> {
    IngressController::read_over(d, default_ingress())
}

/// The Azure Key Vaults of the services' secrets: one per service with `secretEnv`, so that a
/// service's identity reads its own secrets and no other service's.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeyVault {
    /// Each service's vault, by service: derived, never written
    /// ([`service_key_vault_name`]; empty until the defaults fill it).
    #[serde(default, skip_deserializing, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub vaults: std::collections::BTreeMap<String, String>,
    /// The one vault of every service before each had its own ([`shared_key_vault_name`]),
    /// which the migration's commands copy from; derived, never written.
    #[serde(default, skip_deserializing, skip_serializing_if = "String::is_empty")]
    pub shared: String,
}

/// The AKS cluster.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Aks {
    pub name: String,
    #[serde(default = "default_kubernetes_version")]
    pub kubernetes_version: String,
    /// The pool of the applications, autoscaled over the zones.
    #[serde(default)]
    pub node_pool: NodePool,
    /// The pool of AKS's own add-ons (CoreDNS, the metrics server, the CSI drivers), tainted
    /// so that nothing else runs there.
    #[serde(default)]
    pub system_pool: SystemPool,
    /// The availability zones the nodes spread over; by default every zone of the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    /// The object id of the Entra ID group given the cluster's data-plane admin role
    /// (Azure Kubernetes Service RBAC Cluster Admin); without it, whoever applies Terraform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_group: Option<String>,
    /// When AKS may upgrade the cluster and update its nodes' OS on its own.
    #[serde(default)]
    pub maintenance_window: MaintenanceWindow,
    /// The addresses (CIDR) the API server answers; none: every address, with Entra ID
    /// sign-in the only way in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_server_authorized_ip_ranges: Vec<String>,
    /// The Pod Security Standard Azure Policy holds every namespace to.
    #[serde(default)]
    pub pod_security: PodSecurity,
    /// Whether Microsoft Defender for Containers' sensor runs on the nodes.
    #[serde(default)]
    pub defender: bool,
    /// AKS's pricing tier: Standard (an SLA on the API server) or Free (none).
    #[serde(default)]
    pub tier: AksTier,
}

/// AKS's pricing tier (`sku_tier`): Standard, with an uptime SLA on the API server (99.95%
/// with zones) for about $73 a month; Free, the same cluster with no SLA, for a small team's
/// first environments (Azure recommends it for fewer than 10 nodes).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub enum AksTier {
    Free,
    #[default]
    Standard,
}

/// The Azure Policy initiative assigned to the cluster: one of Kubernetes' Pod Security
/// Standards for every namespace but AKS's own, denying (or reporting) a pod that breaks it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct PodSecurity {
    pub standard: PodSecurityStandard,
    pub effect: PolicyEffect,
}

/// Baseline, denied: what no pod of gen's charts or of the add-ons the in-cluster root installs
/// needs (privileged containers, host namespaces, ports and paths, added capabilities beyond
/// the default set) is refused in every namespace, on top of the services' own namespaces'
/// `restricted` admission labels.
impl Default for PodSecurity {
    fn default() -> Self {
        PodSecurity { standard: PodSecurityStandard::Baseline, effect: PolicyEffect::Deny }
    }
}

/// A Pod Security Standard, or none (no assignment).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PodSecurityStandard {
    Baseline,
    Restricted,
    None,
}

/// What Azure Policy does with a pod that breaks the standard.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyEffect {
    Deny,
    Audit,
}

/// A weekly window for AKS's automatic upgrades and node OS updates.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct MaintenanceWindow {
    pub day_of_week: String,
    pub start_time: String,
    pub utc_offset: String,
    pub duration_hours: u32,
}

/// Sunday from 02:00 UTC for four hours (the shortest window AKS accepts for upgrades): the
/// quietest hours of most services in Europe and the Americas.
impl Default for MaintenanceWindow {
    fn default() -> Self {
        MaintenanceWindow {
            day_of_week: "Sunday".into(),
            start_time: "02:00".into(),
            utc_offset: "+00:00".into(),
            duration_hours: 4,
        }
    }
}

/// The newest minor GA in every AKS region for months (June 2026), supported until June 2027:
/// see `rules::unsupported_kubernetes_version::SUPPORTED_MINORS` for where the range comes from.
fn default_kubernetes_version() -> String {
    "1.36".into()
}

/// The system pool: the cluster's default pool, tainted `CriticalAddonsOnly`, with a fixed
/// number of nodes spread over the zones.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct SystemPool {
    pub vm_size: String,
    pub count: u32,
    pub disk_size_gb: u32,
}

/// Three nodes, one per zone: a node lost, drained for an upgrade or rebooted for a patch
/// leaves two to run CoreDNS and the API's webhooks. A development environment may choose two
/// (the least AKS's guidance allows for a system pool).
impl Default for SystemPool {
    fn default() -> Self {
        SystemPool { vm_size: "Standard_D2ds_v5".into(), count: 3, disk_size_gb: 64 }
    }
}

/// The applications' node pool.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct NodePool {
    pub vm_size: String,
    pub min_count: u32,
    pub max_count: u32,
    pub disk_size_gb: u32,
}

impl Default for NodePool {
    fn default() -> Self {
        NodePool { vm_size: "Standard_D2ds_v5".into(), min_count: 2, max_count: 3, disk_size_gb: 64 }
    }
}

/// The container registry.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Acr {
    pub name: String,
    #[serde(default)]
    pub sku: AcrSku,
    /// How long releases stay in the registry.
    #[serde(default)]
    pub purge: Purge,
}

/// The releases the registry keeps (`acr.purge`): tags older than `after_days` are deleted
/// weekly, the `keep` newest of each repository excepted; `after_days: 0` keeps every one.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Purge {
    pub after_days: u32,
    pub keep: u32,
}

/// Half a year, and always the 20 newest: a rollback reaches far back, and the registry's
/// storage (billed beyond the tier's included 100 GB on Standard) stops growing.
impl Default for Purge {
    fn default() -> Self {
        Purge { after_days: 180, keep: 20 }
    }
}

/// Registry tier.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub enum AcrSku {
    Basic,
    #[default]
    Standard,
    Premium,
}

/// The public DNS zone.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    pub zone: String,
}

/// How GitHub Actions signs in to Azure.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    #[default]
    ManagedIdentity,
    AppRegistration,
}

/// Azure regions with availability zones, from Microsoft's list "Azure regions with
/// availability zone support" as the author knew it (not checked against the live list here,
/// which needs the network). A region missing here gets no zones, which always deploys; a
/// spec names `zones` to say otherwise.
pub const ZONED_REGIONS: &[&str] = &[
    "australiaeast",
    "austriaeast",
    "brazilsouth",
    "canadacentral",
    "centralindia",
    "centralus",
    "chilecentral",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "koreacentral",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northeurope",
    "norwayeast",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southcentralus",
    "southeastasia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "uaenorth",
    "uksouth",
    "westeurope",
    "westus2",
    "westus3",
];

/// The image tag deployed until the pipeline sets one: the first tag it pushes.
pub const FIRST_TAG: &str = "0.0.1";

/// The name of the one vault every service shared before each got its own: `kv`, the
/// registry's name cut to 13, `-` and 8 hex digits of the resource group's SHA-256. Only the
/// migration's commands (terraform/README.md) still name it.
pub fn shared_key_vault_name(registry: &str, resource_group: &str) -> String {
    use sha2::{Digest, Sha256};
    let registry: String =
        registry.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).take(13).collect();
    let hash = Sha256::digest(resource_group.to_ascii_lowercase().as_bytes());
    let hex: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("kv{registry}-{hex}")
}

/// A service's vault's name: `kv`, the service's letters and digits cut to 9, `-` and 12 hex
/// digits of the SHA-256 of the registry (globally unique already), the resource group (one
/// per environment) and the service. Always 16 to 24 characters, a letter first, no `--`, as
/// Key Vault requires, whatever the service is called: a long name is cut, and the hash keeps
/// two services that share their first nine characters apart.
pub fn service_key_vault_name(registry: &str, resource_group: &str, service: &str) -> String {
    use sha2::{Digest, Sha256};
    let short: String =
        service.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).take(9).collect();
    let key = format!("{}/{}/{}", registry, resource_group, service).to_ascii_lowercase();
    let hash = Sha256::digest(key.as_bytes());
    let hex: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("kv{short}-{hex}")
}

#[cfg(test)]
mod key_vault_names {
    use super::service_key_vault_name;

    fn valid(name: &str) -> bool {
        (3..=24).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !name.contains("--")
            && !name.ends_with('-')
    }

    #[test]
    fn every_service_name_gives_a_name_key_vault_takes() {
        for service in
            ["a", "api", "9lives", "a-very-long-service-name-of-sixty-three-characters-at-most-here", "x-y-z"]
        {
            let name = service_key_vault_name("shopacr", "shop-rg", service);
            assert!(valid(&name), "{service}: {name}");
        }
        assert_eq!(service_key_vault_name("shopacr", "shop-rg", "shop"), "kvshop-443b4d6992bc");
    }

    #[test]
    fn names_differ_by_service_environment_and_registry_and_stay_the_same_otherwise() {
        let base = service_key_vault_name("shopacr", "shop-dev-rg", "payments-api");
        assert_eq!(base, service_key_vault_name("shopacr", "shop-dev-rg", "payments-api"));
        // The same first nine letters: kept apart by the hash.
        assert_ne!(base, service_key_vault_name("shopacr", "shop-dev-rg", "payments-apix"));
        assert_ne!(base, service_key_vault_name("shopacr", "shop-prod-rg", "payments-api"));
        assert_ne!(base, service_key_vault_name("otheracr", "shop-dev-rg", "payments-api"));
        assert!(base.starts_with("kvpayments"), "{base}");
    }
}
