# What every environment shares, in a resource group and a state of its own, applied once
# before any environment and destroyed after the last: the registry (an image is built and
# pushed once, then promoted: every environment's cluster pulls it from here), the identity
# the build job pushes it with, and the public DNS zones of the ingress hosts (delegated once,
# at the registrar, to name servers that must not change). In an environment's resource group
# and state, destroying that environment would delete every other environment's images and
# zone; here, each environment's root reads them from this root's state
# (`terraform_remote_state`) and writes only its own AcrPull and DNS records.

resource "azurerm_resource_group" "this" {
  name     = var.resource_group_name
  location = var.location
  tags     = var.tags
}

module "acr" {
  source = "../modules/acr"

  name                = var.registry_name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  sku                 = var.registry_sku
  purge               = var.registry_purge
  workspace_id        = azurerm_log_analytics_workspace.audit.id
  tags                = var.tags
}

# The registry's audit log (logins, pushes, pulls, deletions): in a workspace of the shared
# root, so that it outlives every environment, as the registry does. A year, as audits ask.
resource "azurerm_log_analytics_workspace" "audit" {
  name                = "${var.resource_group_name}-audit"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  sku                 = "PerGB2018"
  retention_in_days   = 365
  tags                = var.tags
}

# The build identity: AcrPush on the registry alone, trusting the repository's branch alone.
# No deploy identity here: each environment's root creates its own.
module "github_oidc" {
  source = "../modules/github-oidc"

  mode                = var.identity_mode
  name                = var.name
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  repository          = var.github_repository
  branch              = var.github_branch
  build_identity      = true
  deploy_identity     = false
  registry_id         = module.acr.id
  cluster_id          = null
  tags                = var.tags
}

resource "azurerm_dns_zone" "this" {
  for_each            = toset(var.dns_zones)
  name                = each.value
  resource_group_name = azurerm_resource_group.this.name
  tags                = var.tags
}

# Azure refuses to delete the registry, or this resource group, while the lock is on (from
# Terraform, the portal or the CLI); pushes, pulls and purges are not affected. A lock on a
# resource also refuses the deletion of role assignments on it: an environment's root gives
# its kubelet AcrPull here, so destroying an environment lifts this lock for the time of it
# (terraform/README.md, "Destroying"). The lock depends on the registry's module (its purge
# task and audit setting) and on the build identity's AcrPush, so that a `terraform destroy`
# of this root removes the lock before any of them.
resource "azurerm_management_lock" "registry" {
  name       = "registry-cannot-delete"
  scope      = module.acr.id
  lock_level = "CanNotDelete"
  notes      = "Holds the images every environment deploys: remove this lock only to destroy an environment or the shared root (terraform/README.md)."
  depends_on = [module.acr, module.github_oidc]
}

# A zone cannot be deleted without its SOA record set, so a lock on that record set keeps the
# zone (and its delegation) while every environment may still add and delete its own records
# (Azure DNS's own advice: a lock on the zone would refuse those too).
resource "azurerm_management_lock" "dns_zone" {
  for_each   = toset(var.dns_zones)
  name       = "zone-cannot-delete"
  scope      = "${azurerm_dns_zone.this[each.key].id}/SOA/@"
  lock_level = "CanNotDelete"
  notes      = "The zone is delegated to its name servers at the registrar: deleting it takes every host of every environment offline."
}
