//! Azure: AKS, ACR, DNS and GitHub's OIDC sign-in, created by Terraform and deployed by a
//! GitHub workflow.

pub mod rules;
mod spec;

pub use spec::{
    Acr, AcrSku, Aks, DEFAULT_GATEWAY, Dns, FIRST_TAG, Identity, KeyVault, Monitoring, Network, NodePool, POD_CIDR,
    SERVICE_CIDR, Spec, SystemPool, ZONED_REGIONS, service_key_vault_name, shared_key_vault_name,
};

use super::{Capability, Check, Platform, PlatformNamespace, Target, TargetSpec};
use crate::diag::{Diagnostics, Route, Rule};
use crate::route;
use crate::spec::model::{Deploy, GatewayRef, IngressController, LogsStack, MetricsStack, RouteKind};
use crate::spec::{Environment, Loaded, schema};

/// The platform's name: its key under `platform` in the spec.
pub const NAME: &str = "azure";

/// The name of HashiCorp's Terraform provider for Azure (`provider "azurerm"`).
pub const TERRAFORM_PROVIDER: &str = "azurerm";

/// The Secrets Store CSI driver's name for the Azure Key Vault provider: the `spec.provider`
/// of a SecretProviderClass that reads Key Vault (K8S053 checks its workload identity).
pub const SECRETS_STORE_PROVIDER: &str = "azure";

/// Azure, as gen deploys to it.
#[derive(Debug)]
pub struct Azure;

/// The one value of [`Azure`], listed in [`super::PLATFORMS`].
pub static PLATFORM: Azure = Azure;

/// The Azure block of a spec whose services run on Azure.
pub fn of(spec: &crate::spec::Spec) -> Option<&Spec> {
    match &spec.platform.target {
        Target::Azure(azure) => Some(azure),
        _ => None,
    }
}

/// The rules, in the order they run.
static RULES: &[(&Rule, Check)] = &[
    (&rules::acr_name::RULE, rules::acr_name::check),
    (&rules::aks_name::RULE, rules::aks_name::check),
    (&rules::resource_group_name::RULE, rules::resource_group_name::check),
    (&rules::invalid_location::RULE, rules::invalid_location::check),
    (&rules::invalid_vm_size::RULE, rules::invalid_vm_size::check),
    (&rules::host_outside_dns_zone::RULE, rules::host_outside_dns_zone::check),
    (&rules::dns_zone_is_public_suffix::RULE, rules::dns_zone_is_public_suffix::check),
    (&rules::unsupported_kubernetes_version::RULE, rules::unsupported_kubernetes_version::check),
    (&rules::invalid_network::RULE, rules::invalid_network::check),
    (&rules::api_server_closed_to_deploy::RULE, rules::api_server_closed_to_deploy::check),
    (&rules::api_server_closed_to_gitops::RULE, rules::api_server_closed_to_gitops::check),
    (&rules::environments_disagree_on_shared_setting::RULE, rules::environments_disagree_on_shared_setting::check),
    (&rules::resource_group_shared::RULE, rules::resource_group_shared::check),
    (&rules::key_vault_object_name::RULE, rules::key_vault_object_name::check),
    (&rules::storage_class_aks_lacks::RULE, rules::storage_class_aks_lacks::check),
    (&rules::backup_aks_cannot_take::RULE, rules::backup_aks_cannot_take::check),
    (&rules::certificates_over_weekly_limit::RULE, rules::certificates_over_weekly_limit::check),
    (&rules::host_tls_mixed::RULE, rules::host_tls_mixed::check),
];

/// The StorageClasses AKS creates every cluster with: Azure Disk's and Azure Files' CSI classes.
pub const STORAGE_CLASSES: &[&str] = &[
    "default",
    "managed",
    "managed-csi",
    "managed-csi-premium",
    "managed-premium",
    "azurefile",
    "azurefile-csi",
    "azurefile-csi-premium",
    "azurefile-premium",
];

/// AKS Backup's repeating interval of a cron `schedule` (an ISO 8601 start in UTC and a period)
/// and its period in hours, where its policy can express it: once a day or every 4, 8 or 12
/// hours. SPEC160 refuses any other; the backup module's policy takes the most frequent.
pub fn backup_interval(schedule: &str) -> Option<(String, u32)> {
    match crate::spec::cron::parse(schedule).ok()?.every_day_period()? {
        (hour, minute, hours @ (4 | 8 | 12 | 24)) => {
            let every = if hours == 24 { "P1D".to_string() } else { format!("PT{hours}H") };
            Some((format!("R/2024-01-01T{hour:02}:{minute:02}:00+00:00/{every}"), hours))
        }
        _ => None,
    }
}

/// The namespaces of what gen's Terraform installs in a cluster (Argo CD with `pipeline.deploy:
/// gitops`, AKS Backup's extension with a volume backup, cert-manager always) and of what AKS runs for
/// the add-ons gen turns on, apart from the edge's (the spec's), with what runs there.
pub const INSTALLED_NAMESPACES: &[(&str, &str)] = &[
    ("cert-manager", "cert-manager runs, which gen's Terraform installs"),
    ("argocd", "Argo CD runs, which gen's Terraform installs for `pipeline.deploy: gitops`"),
    ("dataprotection-microsoft", "AKS Backup's extension runs, which gen's Terraform installs for volume backups"),
    ("gatekeeper-system", "Azure Policy's Gatekeeper runs, which AKS installs for gen's Pod Security policy"),
    (
        "monitoring",
        "kube-prometheus-stack and Loki run, which gen's Terraform installs for `observability.metrics.stack: kube-prometheus-stack` or `observability.logs.stack: loki`, privileged and exempt from the Pod Security Standard",
    ),
];

/// What [`INSTALLED_NAMESPACES`] says of `namespace` for `spec`: where gen installs the
/// software only for some specs (Argo CD for gitops, AKS Backup's extension for a backup), a spec
/// without it is told that it is refused all the same, and why.
fn installed_what(namespace: &str, what: &str, spec: &crate::spec::Spec) -> String {
    let backups = spec.services.iter().any(|s| s.persistence.as_ref().is_some_and(|p| p.backup.is_some()));
    match namespace {
        "argocd" if spec.pipeline.deploy != Deploy::Gitops => {
            "gen's Terraform installs Argo CD when `pipeline.deploy` is `gitops` (refused on this `helm` spec too: a switch to `gitops` would put Argo CD, with its cluster-wide rights, beside the service)".into()
        }
        "monitoring" if !in_cluster_stacks(spec) => {
            "gen's Terraform installs kube-prometheus-stack and Loki when `observability` names them, privileged and exempt from the Pod Security Standard (refused on this spec too: naming them would put the node exporter and Fluent Bit beside the service)".into()
        }
        "dataprotection-microsoft" if !backups => {
            "gen's Terraform installs AKS Backup's extension when a volume has a `backup` (refused while none has one too: adding one would put the extension beside the service)".into()
        }
        _ => what.to_string(),
    }
}

/// Whether the spec runs an observability stack in an AKS cluster (the namespace `monitoring`).
fn in_cluster_stacks(spec: &crate::spec::Spec) -> bool {
    let (metrics, logs) = crate::platform::observability_stacks(spec);
    metrics == Some(MetricsStack::KubePrometheusStack) || logs == Some(LogsStack::Loki)
}

/// An Azure role the person (or pipeline) running `terraform apply` holds, as a README's
/// prerequisite (`Azure role \`Azure Kubernetes Service RBAC Cluster Admin\``).
pub const ROLE_KIND: &str = "Azure role";

impl Platform for Azure {
    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "AKS, ACR, DNS and GitHub's OIDC sign-in, by Terraform and a workflow"
    }

    /// AKS's default class, `default` (an Azure Disk, as `managed-csi`).
    fn default_storage_class(&self) -> Option<&'static str> {
        Some("default")
    }

    /// The Azure Disk classes AKS creates.
    fn single_node_storage_classes(&self) -> &'static [&'static str] {
        &["default", "managed", "managed-csi", "managed-csi-premium", "managed-premium"]
    }

    /// AKS's Azure Disk and Files CSI classes, and the snapshot API (AKS runs the CSI
    /// snapshot controller, but creates no VolumeSnapshotClass).
    fn cluster_storage_classes(&self) -> &'static [&'static str] {
        STORAGE_CLASSES
    }

    fn cluster_crd_groups(&self) -> &'static [&'static str] {
        &["snapshot.storage.k8s.io"]
    }

    fn role_kind(&self) -> Option<&'static str> {
        Some(ROLE_KIND)
    }

    /// Azure Monitor's managed Prometheus (the AKS metrics add-on), its rule groups and action
    /// group, by default; or kube-prometheus-stack, which the cluster root installs
    /// (terraform/cluster/modules/observability), its Alertmanager mailing the same addresses.
    fn metrics_stacks(&self) -> &'static [MetricsStack] {
        &[MetricsStack::Managed, MetricsStack::KubePrometheusStack]
    }

    /// Container Insights, which modules/aks turns on (Log Analytics keeps the lines), by
    /// default; or Fluent Bit to Loki, in the cluster.
    fn logs_stacks(&self) -> &'static [LogsStack] {
        &[LogsStack::Cloud, LogsStack::Loki]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[Capability::Kubernetes, Capability::Terraform, Capability::CloudPipeline, Capability::Gitops]
    }

    fn rules(&self) -> &'static [(&'static Rule, Check)] {
        RULES
    }

    /// What the cloud needs that a laptop does not: where the workflow runs, where Terraform
    /// keeps its state, a host for each ingress.
    fn requirements(&self, top: &Loaded, envs: &[&Environment]) -> Diagnostics {
        let mut errors = Vec::new();
        let Some(first) = envs.first() else { return errors };
        let platform = &top.spec.platform;
        let missing = |key: &str, what: &str| {
            let msg =
                format!("`platform.{key}` is required when an environment runs on azure (`{}`): {what}", first.name);
            top.doc
                .at(&schema::MISSING_KEY, &route!["platform"], true, msg)
                .help(format!("add `{key}:` under `platform`; `gen schema` describes it"))
        };
        if platform.github.is_none() {
            errors.push(missing("github", "its workflow signs in to Azure from this repository"));
        }
        if platform.terraform_state.is_none() {
            errors.push(missing("terraformState", "Terraform keeps the platform's state there"));
        }
        // One finding per service, at its ingress, naming the first environment on Azure that
        // lacks it.
        let mut reported = Vec::new();
        for env in envs {
            let loaded = env.spec(top);
            for (i, service) in loaded.spec.services.iter().enumerate() {
                if service.ingress.as_ref().is_some_and(|ingress| ingress.host.is_empty()) && !reported.contains(&i) {
                    reported.push(i);
                    let msg = format!(
                        "service `{}` has an ingress without a host, which it needs on azure (environment `{}`)",
                        service.name, env.name
                    );
                    let help =
                        "add `host:` to its ingress (a name in the DNS zone); only a local cluster has a default";
                    errors.push(
                        top.doc.at(&schema::MISSING_KEY, &route!["services", i, "ingress"], true, msg).help(help),
                    );
                }
            }
        }
        errors
    }
}

impl TargetSpec for Spec {
    fn platform(&self) -> &'static dyn Platform {
        &PLATFORM
    }

    fn fill_defaults(&mut self, notify: &[String]) {
        // Alerts that reach nobody are no alerts: with no receiver of its own, the cluster's
        // go to whom the pipeline notifies.
        if self.monitoring.alert_emails.is_empty() {
            self.monitoring.alert_emails = notify.to_vec();
        }
        let zoned = ZONED_REGIONS.contains(&self.location.to_ascii_lowercase().as_str());
        self.aks.zones.get_or_insert_with(|| if zoned { vec!["1".into(), "2".into(), "3".into()] } else { vec![] });
        // The Gateway the in-cluster root creates when the spec names none: in the edge's
        // namespace, beside Envoy Gateway and its proxies (the namespace every service's
        // NetworkPolicy admits), so that one namespace holds the whole edge and its
        // certificates.
        let namespace = self.ingress.namespace.clone();
        self.ingress.gateway.get_or_insert_with(|| GatewayRef { name: DEFAULT_GATEWAY.into(), namespace });
    }

    /// One vault per service with `secretEnv`, per environment (each its own resource group).
    fn fill_service_defaults(&mut self, services: &[crate::spec::model::Service]) {
        self.key_vault.vaults = services
            .iter()
            .filter(|s| !s.secret_env.is_empty())
            // A renamed service keeps its vault (purge-protected: its name cannot be reused).
            .map(|s| (s.name.clone(), service_key_vault_name(&self.acr.name, &self.resource_group, s.former_name())))
            .collect();
        self.key_vault.shared = shared_key_vault_name(&self.acr.name, &self.resource_group);
    }

    fn default_image(&self, _project: &str, service: &str) -> (String, &'static str) {
        (format!("{}.azurecr.io/{service}", self.acr.name), FIRST_TAG)
    }

    /// AKS's default class (`managed-csi`) is an Azure Disk, which one node mounts: a volume
    /// many nodes mount is an Azure Files share.
    fn shared_storage_class(&self) -> Option<&'static str> {
        Some("azurefile-csi")
    }

    /// The CSI driver's class of the volume's storage (see the Terraform module): the file
    /// share's for an `azurefile` class, the disk's otherwise.
    fn snapshot_class(&self, storage_class: Option<&str>) -> &'static str {
        if storage_class.is_some_and(|c| c.starts_with("azurefile")) {
            "csi-azurefile-vsc"
        } else {
            "csi-azuredisk-vsc"
        }
    }

    /// AKS Backup takes them (terraform/modules/backup), in resource groups the cluster's
    /// lifecycle does not reach.
    fn backups_in_cluster(&self) -> bool {
        false
    }

    /// Azure's limits: 200 share snapshots per file share, 500 incremental snapshots per
    /// managed disk (the CSI drivers take incremental ones).
    fn snapshot_limit(&self, snapshot_class: &str) -> Option<(u64, &'static str)> {
        match snapshot_class {
            "csi-azurefile-vsc" => Some((200, "an Azure file share")),
            "csi-azuredisk-vsc" => Some((500, "an Azure managed disk")),
            _ => None,
        }
    }

    /// What gen's Terraform installs (the in-cluster root's modules, each in the namespace
    /// its `variables.tf` names by default; the edge in the spec's own) and what AKS runs for
    /// the add-ons gen turns on (Azure Policy's Gatekeeper). The Gateway's namespace holds
    /// every host's certificate.
    fn platform_namespaces(&self, spec: &crate::spec::Spec) -> Vec<PlatformNamespace> {
        let mut out = vec![PlatformNamespace {
            name: self.ingress.namespace.clone(),
            what: "Envoy Gateway (or ingress-nginx) runs, which gen's Terraform installs (`platform.azure.ingress.namespace`)".into(),
            chosen_at: Some((
                route!["platform", NAME, "ingress", "namespace"],
                "gen's Terraform would install Envoy Gateway and its proxies there (and ingress-nginx, for a service that asks for it), and every service's NetworkPolicy would admit traffic from that namespace",
            )),
        }];
        if let Some(gateway) = &self.ingress.gateway {
            out.push(PlatformNamespace {
                name: gateway.namespace.clone(),
                what: "the Gateway and every host's TLS certificate are kept (`platform.azure.ingress.gateway.namespace`)".into(),
                chosen_at: Some((
                    route!["platform", NAME, "ingress", "gateway", "namespace"],
                    "gen's Terraform would create the Gateways there, and cert-manager would keep every host's TLS certificate (its private key) there",
                )),
            });
        }
        out.extend(INSTALLED_NAMESPACES.iter().map(|(n, what)| PlatformNamespace {
            name: n.to_string(),
            what: installed_what(n, what, spec),
            chosen_at: None,
        }));
        out
    }

    fn ingress(&self) -> &IngressController {
        &self.ingress
    }

    /// The Gateway API, on Envoy Gateway (a CNCF implementation the in-cluster root installs)
    /// and the Gateway that root creates: ingress-nginx, the other choice, stopped receiving
    /// fixes in March 2026 (K8S047).
    fn default_route(&self) -> RouteKind {
        RouteKind::Httproute
    }

    fn alert_receivers(&self) -> Option<(Route, &[String])> {
        Some((route!["platform", NAME, "monitoring", "alertEmails"], &self.monitoring.alert_emails))
    }

    fn dns_zone(&self) -> Option<(Route, &str)> {
        self.dns.as_ref().map(|d| (route!["platform", NAME, "dns", "zone"], d.zone.as_str()))
    }

    fn node_counts(&self) -> Option<(Route, u32, u32)> {
        let pool = &self.aks.node_pool;
        Some((route!["platform", NAME, "aks", "nodePool", "minCount"], pool.min_count, pool.max_count))
    }

    /// AKS's managed Prometheus: the metrics add-on (`monitor_metrics` in modules/aks) scrapes
    /// from its ama-metrics pods in kube-system, and reads its own monitor kind.
    fn prometheus(&self) -> serde_json::Value {
        serde_json::json!({
            "namespace": "kube-system",
            "podLabels": {"rsName": "ama-metrics"},
            "serviceMonitor": "azmonitoring.coreos.com/v1",
        })
    }

    /// The block, and what the README's quota check needs (`aks.pools`): for each node pool,
    /// its VM size, the vCPUs of one node, and the nodes and vCPUs it starts with and holds at
    /// most at once (its maximum, and one surge node while AKS upgrades it).
    fn context(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        let (system, apps) = (&self.aks.system_pool, &self.aks.node_pool);
        let pool = |vm_size: &str, least: u32, most: u32| {
            let vcpus = vm_vcpus(vm_size);
            serde_json::json!({
                "vmSize": vm_size,
                "vcpus": vcpus,
                "leastNodes": least,
                "mostNodes": most + 1,
                "leastVcpus": vcpus.map(|v| v * least),
                "mostVcpus": vcpus.map(|v| v * (most + 1)),
            })
        };
        let pools = vec![
            pool(&system.vm_size, system.count, system.count),
            pool(&apps.vm_size, apps.min_count, apps.max_count),
        ];
        if let Some(aks) = value.pointer_mut("/aks").and_then(|v| v.as_object_mut()) {
            aks.insert("pools".into(), pools.into());
        }
        value
    }
}

/// The vCPUs of an Azure VM size, where its name says them: from the v3 sizes on (and the
/// B-series) the number after the family letters is the vCPU count (`Standard_D4ds_v5`: 4;
/// `Standard_E8-2ds_v5`, constrained to 2 active, is billed and counted as 8). Older names
/// (`Standard_D11_v2`: 2) do not follow it, and get none.
fn vm_vcpus(size: &str) -> Option<u32> {
    let rest = size.strip_prefix("Standard_")?;
    let name = rest.split('_').next().unwrap_or(rest);
    let version = rest.rsplit_once('_').map(|(_, v)| v);
    let family_len = name.find(|c: char| c.is_ascii_digit())?;
    let family = &name[..family_len];
    let digits: String = name[family_len..].chars().take_while(char::is_ascii_digit).collect();
    let modern = version.and_then(|v| v.strip_prefix('v')).and_then(|v| v.parse::<u32>().ok()).is_some_and(|v| v >= 3);
    let burstable = family == "B";
    if !(modern || burstable) || family.is_empty() || !family.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_namespace_the_in_cluster_root_installs_into_is_the_platform_s() {
        let modules = concat!(env!("CARGO_MANIFEST_DIR"), "/blueprints/base/templates/terraform/cluster/modules");
        let mut found = Vec::new();
        for module in std::fs::read_dir(modules).expect("the in-cluster modules").flatten() {
            let Ok(text) = std::fs::read_to_string(module.path().join("variables.tf")) else { continue };
            let Some((_, block)) = text.split_once("variable \"namespace\" {") else { continue };
            let block = block.split("\n}").next().unwrap_or_default();
            if let Some(default) = block.lines().find_map(|l| l.trim().strip_prefix("default")) {
                found.push(default.trim_start_matches([' ', '=']).trim().trim_matches('"').to_string());
            }
        }
        assert!(found.len() >= 2, "the modules' namespaces: {found:?}");
        for namespace in found {
            assert!(
                super::INSTALLED_NAMESPACES.iter().any(|(n, _)| *n == namespace),
                "a module installs into `{namespace}`: list it in INSTALLED_NAMESPACES (SPEC140 reads it)"
            );
        }
    }

    #[test]
    fn a_vm_size_names_its_vcpus_from_the_v3_sizes_on() {
        for (size, vcpus) in [
            ("Standard_D2ds_v5", Some(2)),
            ("Standard_D4ds_v5", Some(4)),
            ("Standard_E8-2ds_v5", Some(8)),
            ("Standard_D16as_v6", Some(16)),
            ("Standard_B2s", Some(2)),
            ("Standard_B4ms", Some(4)),
            ("Standard_D11_v2", None),
            ("Standard_DS2_v2", None),
            ("Standard_NC24ads_A100_v4", Some(24)),
            ("custom", None),
        ] {
            assert_eq!(super::vm_vcpus(size), vcpus, "{size}");
        }
    }
}
