# The platform every service runs on: a cluster, a registry, the identities GitHub signs in
# with, DNS for the ingress hosts, and the ingress controller, one module each.
#
# One environment per Terraform workspace, each applied with its own values
# (environments/<name>.tfvars; terraform.tfvars for a spec with one environment): its
# resource group, cluster, ingress and deploy identity. What the environments share (the
# registry the image is promoted from, the build identity that pushes it, the DNS zone) the
# first of them creates; the others refer to it by name.

resource "azurerm_resource_group" "this" {
  name     = var.resource_group_name
  location = var.location
  tags     = var.tags
}

module "aks" {
  source = "./modules/aks"

  name                = var.cluster_name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  kubernetes_version  = var.kubernetes_version
  vm_size             = var.node_vm_size
  min_count           = var.node_min_count
  max_count           = var.node_max_count
  disk_size_gb        = var.node_disk_size_gb
  zones               = var.zones
  tags                = var.tags
}

module "acr" {
  source = "./modules/acr"

  create              = var.registry_owner
  name                = var.registry_name
  resource_group_name = var.registry_owner ? azurerm_resource_group.this.name : var.registry_resource_group_name
  location            = azurerm_resource_group.this.location
  sku                 = var.registry_sku
  pull_principal_id   = module.aks.kubelet_object_id
  tags                = var.tags
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
  build_identity      = var.registry_owner
  deploy_identity     = var.deploy == "helm"
  registry_id         = module.acr.id
  cluster_id          = module.aks.id
  namespaces          = var.namespaces
  tags                = var.tags
}

module "ingress_nginx" {
  source = "./modules/ingress-nginx"

  name                = "${var.cluster_name}-ingress"
  resource_group_name = azurerm_resource_group.this.name
  resource_group_id   = azurerm_resource_group.this.id
  location            = azurerm_resource_group.this.location
  zones               = var.zones
  namespace           = var.ingress_namespace
  class_name          = var.ingress_class_name
  cluster_principal   = module.aks.cluster_principal_id
  tags                = var.tags
}

# GitOps: Argo CD in the cluster pulls each service's chart from git; GitHub holds no
# credential of the cluster at all.
module "argocd" {
  source = "./modules/argocd"
  count  = var.deploy == "gitops" ? 1 : 0

  depends_on = [module.ingress_nginx]
}

module "dns" {
  source = "./modules/dns"
  count  = var.dns_zone == null ? 0 : 1

  zone                = var.dns_zone
  create_zone         = var.dns_zone_resource_group_name == null
  resource_group_name = coalesce(var.dns_zone_resource_group_name, azurerm_resource_group.this.name)
  hosts               = var.ingress_hosts
  ip_id               = module.ingress_nginx.public_ip_id
  tags                = var.tags
}

# Scheduled snapshots of the services' volumes, when a service keeps them.
module "snapshots" {
  source = "./modules/snapshots"
  count  = var.volume_snapshots ? 1 : 0
}

# The services' namespaces, made by Terraform so that the deploy identity needs no right
# outside them; each enforces the restricted Pod Security Standard.
resource "kubernetes_namespace_v1" "service" {
  for_each = toset(var.namespaces)

  metadata {
    name = each.value
    labels = {
      "pod-security.kubernetes.io/enforce"         = "restricted"
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "restricted"
      "pod-security.kubernetes.io/audit"           = "restricted"
    }
  }
}
