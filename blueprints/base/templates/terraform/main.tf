# The platform every service runs on, in Azure: a cluster (and its admin's data-plane role), a
# registry, the identities GitHub signs in with, the vault of the services' secrets, the edge's
# static IP (in a resource group of its own) and DNS for the ingress hosts, one module each.
# What runs inside the cluster (the namespaces, the ingress controller, cert-manager, Argo
# CD, the deploy identity's Role) is the root in cluster/, applied after this one: its Helm
# and Kubernetes providers are configured from this root's outputs, never from a cluster
# created in the same plan.
#
# One environment per Terraform workspace, each applied with its own values
# (environments/<name>.tfvars; terraform.tfvars for a spec with one environment): its
# resource group, cluster, ingress and deploy identity. What the environments share (the
# registry the image is promoted from, the build identity that pushes it, the DNS zones) is
# the shared root's (shared/), applied before any environment and locked against deletion:
# this root reads it from that root's state and adds only this environment's AcrPull and
# DNS records, so that destroying an environment leaves every other one's images and zone.

data "terraform_remote_state" "shared" {
  backend = "azurerm"
  config = {
    resource_group_name  = var.state_resource_group_name
    storage_account_name = var.state_storage_account_name
    container_name       = var.state_container_name
    key                  = var.shared_state_key
    use_azuread_auth     = true
  }
}

resource "azurerm_resource_group" "this" {
  name     = var.resource_group_name
  location = var.location
  tags     = var.tags
}

# The cluster's own network: the nodes' subnet and a NAT gateway for their outbound traffic,
# zone-redundant when the nodes span zones.
module "network" {
  source = "./modules/network"

  name                = var.cluster_name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  address_space       = var.network_address_space
  nodes_subnet        = var.network_nodes_subnet
  zones               = var.zones
  tags                = var.tags
}

module "aks" {
  source = "./modules/aks"

  name                     = var.cluster_name
  resource_group_name      = azurerm_resource_group.this.name
  location                 = azurerm_resource_group.this.location
  kubernetes_version       = var.kubernetes_version
  maintenance_window       = var.maintenance_window
  nodes_subnet_id          = module.network.nodes_subnet_id
  api_authorized_ip_ranges = local.api_authorized_ip_ranges
  pod_security             = var.pod_security
  pod_security_exempt      = var.metrics_stack == "kube-prometheus-stack" || var.logs_stack == "loki" ? ["monitoring"] : []
  managed_prometheus       = var.metrics_stack == "managed"
  defender                 = var.defender
  sku_tier                 = var.aks_tier
  system_vm_size           = var.system_node_vm_size
  system_node_count        = var.system_node_count
  system_disk_size_gb      = var.system_node_disk_size_gb
  vm_size                  = var.node_vm_size
  min_count                = var.node_min_count
  max_count                = var.node_max_count
  disk_size_gb             = var.node_disk_size_gb
  zones                    = var.zones
  tags                     = var.tags
}

# What the cluster reports (Container Insights' data collection, the control plane's logs,
# managed Prometheus) and the alerts on its nodes, its services and their certificates, sent
# to the spec's addresses. With kube-prometheus-stack in the cluster, the alerts on the
# services and certificates are its to evaluate (the `alerts` output, which the cluster root
# installs), and its Alertmanager mails the same addresses.
module "monitoring" {
  source = "./modules/monitoring"

  name                   = var.cluster_name
  resource_group_name    = azurerm_resource_group.this.name
  location               = azurerm_resource_group.this.location
  cluster_id             = module.aks.id
  workspace_id           = module.aks.workspace_id
  alert_emails           = var.alert_emails
  namespaces             = var.namespaces
  certificates           = length(var.tls_hosts) > 0
  certificate_namespaces = distinct(concat(var.namespaces, var.gateway == null ? [] : [var.gateway.namespace]))
  # The services' SLO rules as gen rendered them and promtool tested them: the same file.
  slo_rules          = length(var.slo_services) > 0 ? yamldecode(file("${path.root}/../monitoring/rules.yaml")) : { groups = [] }
  slo_pages          = var.slo_pages
  managed_prometheus = var.metrics_stack == "managed"
  container_logs     = var.logs_stack == "cloud"
  tags               = var.tags
}

# The data-plane role on the cluster for its admin (the spec's admin group, else whoever
# applies this root), and a wait until the API server honours it.
module "cluster_admin" {
  source = "./modules/cluster-admin"

  cluster_id             = module.aks.id
  admin_group_object_id  = var.admin_group_object_id
  host                   = module.aks.host
  cluster_ca_certificate = module.aks.cluster_ca_certificate
  server_app_id          = local.aks_server_app_id
}

# The kubelet pulls from the shared registry, and only from it. (The registry's delete lock
# refuses this assignment's deletion too: terraform/README.md says how to destroy.)
resource "azurerm_role_assignment" "acr_pull" {
  scope                            = local.shared.registry.id
  role_definition_name             = "AcrPull"
  principal_id                     = module.aks.kubelet_object_id
  skip_service_principal_aad_check = true
}

module "github_oidc" {
  source = "./modules/github-oidc"

  mode                = var.identity_mode
  name                = var.cluster_name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  repository          = var.github_repository
  branch              = var.github_branch
  environment         = var.github_environment
  build_identity      = false
  deploy_identity     = true # with GitOps too: it checks the vault and reads Argo CD's Applications
  registry_id         = local.shared.registry.id
  cluster_id          = module.aks.id
  tags                = var.tags
}

module "dns" {
  source = "./modules/dns"
  count  = var.dns_zone == null ? 0 : 1

  # A zone the shared root does not hold fails here, at plan: apply shared/ first.
  zone                = local.shared.dns_zones[var.dns_zone].name
  resource_group_name = local.shared.dns_zones[var.dns_zone].resource_group_name
  hosts               = setsubtract(setsubtract(var.ingress_hosts, var.gateway_hosts), var.external_hosts)
  ip_id               = local.ingress_nginx_ip_id
  gateway_hosts       = setsubtract(var.gateway_hosts, var.external_hosts)
  gateway_ip_id       = module.public_ip.id
  tags                = var.tags
}

# The edge's static IPs, in a resource group that holds nothing else. The cluster's identity
# binds them to the load balancer it manages, which Azure's cloud provider does with Network
# Contributor on the IP's resource group (it lists the group's IPs; a role on the IP alone is
# refused): on the project's group, that role would also reach the DNS zone (records are
# Microsoft.Network resources too) and let the cluster rewrite DNS. The name keeps within
# Azure's 90 characters.
resource "azurerm_resource_group" "edge" {
  name     = "${substr(var.resource_group_name, 0, 85)}-edge"
  location = var.location
  tags     = var.tags
}

# The edge's static IP: the Gateway's proxies (terraform/cluster/) bind their load balancer to
# it (ingress-nginx's, when no service routes through the Gateway); the hosts point at it.
module "public_ip" {
  source = "./modules/public-ip"

  name                = "${var.cluster_name}-ingress"
  resource_group_name = azurerm_resource_group.edge.name
  resource_group_id   = azurerm_resource_group.edge.id
  location            = azurerm_resource_group.edge.location
  zones               = var.zones
  cluster_principal   = module.aks.cluster_principal_id
  tags                = var.tags
}

# ingress-nginx's own static IP, when a service asks for an Ingress beside the Gateway: both
# load balancers answer on 80 and 443, so they cannot share one. The Gateway keeps the edge's
# IP, so that removing ingress-nginx later moves no host of the Gateway's.
module "ingress_nginx_ip" {
  source = "./modules/public-ip"
  count  = var.gateway != null && var.ingress_nginx ? 1 : 0

  name                = "${var.cluster_name}-ingress-nginx"
  resource_group_name = azurerm_resource_group.edge.name
  resource_group_id   = azurerm_resource_group.edge.id
  location            = azurerm_resource_group.edge.location
  zones               = var.zones
  cluster_principal   = module.aks.cluster_principal_id
  role                = false
  tags                = var.tags
}

# The services' backups, when a service backs its volume up: AKS Backup, with its vault and
# the snapshots in resource groups of their own, outside the cluster's lifecycle.
module "backup" {
  source = "./modules/backup"
  count  = var.backup == null ? 0 : 1

  name                 = var.cluster_name
  resource_group_name  = var.resource_group_name
  location             = azurerm_resource_group.this.location
  cluster_id           = module.aks.id
  cluster_principal_id = module.aks.cluster_principal_id
  schedule             = var.backup.schedule
  retention_days       = var.backup.retention_days
  tags                 = var.tags
}

# The services' secrets, a vault per service with secretEnv.
module "key_vault" {
  source = "./modules/key-vault"
  count  = length(var.secret_services) > 0 ? 1 : 0

  name_prefix         = var.cluster_name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  oidc_issuer_url     = module.aks.oidc_issuer_url
  services            = var.secret_services
  admin_principal_id  = module.cluster_admin.principal_id
  deploy_identity     = true
  deploy_principal_id = module.github_oidc.deploy_principal_id
  workspace_id        = module.aks.workspace_id
  tags                = var.tags
}

locals {
  # What the environments share: the registry and the DNS zones (shared/outputs.tf).
  shared = data.terraform_remote_state.shared.outputs
  # The spec's ranges, and the nodes' own address, from which they reach the API server.
  api_authorized_ip_ranges = length(var.api_authorized_ip_ranges) > 0 ? concat(var.api_authorized_ip_ranges, ["${module.network.outbound_ip}/32"]) : []
  # The application id of the AKS AAD server, the same in every tenant: the audience of the
  # tokens kubelogin and `az account get-access-token` get for the cluster.
  aks_server_app_id = "6dae42f8-4368-4678-94ff-3960e28e3630"
  # The IP ingress-nginx answers on: its own beside the Gateway, else the edge's.
  ingress_nginx_ip_id   = try(module.ingress_nginx_ip[0].id, module.public_ip.id)
  ingress_nginx_ip_name = try(module.ingress_nginx_ip[0].name, module.public_ip.name)
}
