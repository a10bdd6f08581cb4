data "azurerm_client_config" "current" {}

resource "azurerm_log_analytics_workspace" "this" {
  name                = "${var.name}-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = var.tags
}

# The cluster's own identity, made before the cluster so that its one right on the network is
# in place when AKS joins the nodes to the subnet: Network Contributor on the nodes' subnet,
# nothing on the rest of the network or the resource group. (It also binds the edge's IPs:
# modules/public-ip gives it that role on their own resource group.)
resource "azurerm_user_assigned_identity" "cluster" {
  name                = "${var.name}-cluster"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_role_assignment" "cluster_subnet" {
  scope                = var.nodes_subnet_id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.cluster.principal_id
  principal_type       = "ServicePrincipal"
}

# trivy agrees with the checkov skips below: AZU-0041 (authorized IP ranges) and AZU-0065
# (private cluster), as CKV_AZURE_6 and CKV_AZURE_115; AZU-0067 (disk encryption set), as
# CKV_AZURE_117.
#trivy:ignore:AZU-0041
#trivy:ignore:AZU-0065
#trivy:ignore:AZU-0067
resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_6:authorized ranges are the spec's (aks.apiServerAuthorizedIpRanges): GitHub-hosted runners deploying with Helm come from addresses that change; sign-in is Entra ID only (local accounts off)
  #checkov:skip=CKV_AZURE_115:a private API server needs a self-hosted runner in the network; sign-in is Entra ID only
  #checkov:skip=CKV_AZURE_117:platform-managed disk keys; customer-managed keys need a key vault and its lifecycle
  #checkov:skip=CKV_AZURE_226:an ephemeral OS disk must fit the VM size's cache, which the spec's VM size may not have
  #checkov:skip=CKV_AZURE_227:host encryption needs the EncryptionAtHost feature registered on the subscription first
  #checkov:skip=CKV_AZURE_170:the tier is the spec's (platform.azure.aks.tier): Standard, with its SLA, by default; Free only where the spec chose no SLA (gen init --footprint starter)
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  dns_prefix          = var.name
  kubernetes_version  = var.kubernetes_version
  sku_tier            = var.sku_tier
  tags                = var.tags

  # Patches and node images arrive on their own; the minor version moves only with the spec.
  # A spec that pins a patch version upgrades the cluster itself: no channel then.
  automatic_upgrade_channel = length(split(".", var.kubernetes_version)) == 2 ? "patch" : null
  node_os_upgrade_channel   = "NodeImage"

  # Both happen weekly in the spec's window, never at another hour: AKS drains and replaces
  # nodes then.
  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    utc_offset  = var.maintenance_window.utc_offset
    duration    = var.maintenance_window.duration_hours
  }
  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    utc_offset  = var.maintenance_window.utc_offset
    duration    = var.maintenance_window.duration_hours
  }

  # Entra ID is the only way in, and Azure RBAC decides what each identity may do.
  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
    tenant_id          = data.azurerm_client_config.current.tenant_id
  }

  # Every address when the spec names none (a Helm deploy from GitHub's runners needs it);
  # else those, with the NAT gateway's, the nodes' own way to the API server.
  dynamic "api_server_access_profile" {
    for_each = length(var.api_authorized_ip_ranges) > 0 ? [var.api_authorized_ip_ranges] : []
    content {
      authorized_ip_ranges = api_server_access_profile.value
    }
  }

  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  azure_policy_enabled      = true

  # The system pool: AKS's own add-ons only (the CriticalAddonsOnly taint keeps every other
  # pod off), a fixed number of nodes over the zones, so that a node drained, rebooted or lost
  # leaves CoreDNS and the admission webhooks running. The applications run in the "apps"
  # pool below.
  default_node_pool {
    name                         = "system"
    only_critical_addons_enabled = true
    vm_size                      = var.system_vm_size
    node_count                   = var.system_node_count
    max_pods                     = 110
    orchestrator_version         = var.kubernetes_version # the cluster's: one change upgrades both
    os_disk_size_gb              = var.system_disk_size_gb
    vnet_subnet_id               = var.nodes_subnet_id
    zones                        = length(var.zones) > 0 ? var.zones : null
    temporary_name_for_rotation  = "systemtmp"
    upgrade_settings {
      max_surge = "33%"
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.cluster.id]
  }

  # Azure CNI in overlay mode, with Cilium enforcing NetworkPolicy objects: nodes take
  # addresses of the subnet, pods of the overlay range. Outbound through the subnet's NAT
  # gateway; the standard load balancer takes the edge's inbound traffic only.
  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    load_balancer_sku   = "standard"
    outbound_type       = "userAssignedNATGateway"
    pod_cidr            = "10.244.0.0/16"
    service_cidr        = "10.0.0.0/16"
    dns_service_ip      = "10.0.0.10"
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.this.id
    msi_auth_for_monitoring_enabled = true
  }

  # The metrics add-on of managed Prometheus (ama-metrics): it scrapes the cluster and sends
  # through the data collection rule modules/monitoring associates with the cluster, and
  # installs the PodMonitor and ServiceMonitor kinds (azmonitoring.coreos.com) the in-cluster
  # root's cert-manager scrape uses. No annotation or label of the objects is kept beside
  # kube-state-metrics' own. Off when kube-prometheus-stack scrapes the cluster instead.
  dynamic "monitor_metrics" {
    for_each = var.managed_prometheus ? [1] : []
    content {}
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  # Defender for Containers' sensor, when the spec asks (the plan is the subscription's).
  dynamic "microsoft_defender" {
    for_each = var.defender ? [azurerm_log_analytics_workspace.this.id] : []
    content {
      log_analytics_workspace_id = microsoft_defender.value
    }
  }

  # AKS joins the nodes to the subnet with this identity's role: it must exist first.
  depends_on = [azurerm_role_assignment.cluster_subnet]
}

# The Pod Security Standard Azure Policy holds every namespace to (AKS's own excepted, the
# initiative's default, and pod_security_exempt): the built-in initiatives "Kubernetes cluster pod security baseline
# (restricted) standards for Linux-based workloads". The add-on enforces it through
# Gatekeeper, about 15 minutes after the assignment.
resource "azurerm_resource_policy_assignment" "pod_security" {
  count = var.pod_security.standard == "none" ? 0 : 1

  name                 = "pod-security-${var.pod_security.standard}"
  resource_id          = azurerm_kubernetes_cluster.this.id
  policy_definition_id = local.pod_security_initiatives[var.pod_security.standard]
  display_name         = "Pod Security Standard ${var.pod_security.standard} (${var.pod_security.effect})"
  parameters = jsonencode({
    effect             = { value = var.pod_security.effect }
    excludedNamespaces = { value = concat(local.pod_security_exempt[var.pod_security.standard], var.pod_security_exempt) }
  })
}

locals {
  pod_security_initiatives = {
    baseline   = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
    restricted = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00"
  }
  # Each initiative's own exclusions (its `excludedNamespaces` default), which a value given
  # replaces: kept, and the namespaces of the in-cluster stacks that read the nodes added.
  pod_security_exempt = {
    baseline   = ["kube-system", "gatekeeper-system", "azure-arc"]
    restricted = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]
  }
}

# The applications' pool, autoscaled over the zones; the cluster's version, so that raising
# kubernetes_version upgrades the control plane, then both pools.
resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  #checkov:skip=CKV_AZURE_227:host encryption needs the EncryptionAtHost feature registered on the subscription first
  name                        = "apps"
  kubernetes_cluster_id       = azurerm_kubernetes_cluster.this.id
  mode                        = "User"
  vm_size                     = var.vm_size
  auto_scaling_enabled        = true
  min_count                   = var.min_count
  max_count                   = var.max_count
  max_pods                    = 110
  orchestrator_version        = var.kubernetes_version
  os_disk_size_gb             = var.disk_size_gb
  vnet_subnet_id              = var.nodes_subnet_id
  zones                       = length(var.zones) > 0 ? var.zones : null
  temporary_name_for_rotation = "appstmp"
  tags                        = var.tags
  upgrade_settings {
    max_surge = "33%"
  }

  lifecycle {
    # The cluster autoscaler owns the node count; a plan must not fight it.
    ignore_changes = [node_count]
  }
}
