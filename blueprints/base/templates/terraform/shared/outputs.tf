# What the environments' root reads from this root's state (`terraform_remote_state`), and
# what the README copies into GitHub and the registrar.

output "resource_group_name" {
  description = "The shared resource group: the registry, the build identity and the DNS zones."
  value       = azurerm_resource_group.this.name
}

output "registry" {
  description = "The registry every environment pulls from: its id (each kubelet's AcrPull scope), name and login server."
  value = {
    id           = module.acr.id
    name         = module.acr.name
    login_server = module.acr.login_server
  }
}

output "tenant_id" {
  description = "The Entra ID tenant GitHub signs in to (AZURE_TENANT_ID)."
  value       = module.github_oidc.tenant_id
}

output "build_client_id" {
  description = "The client id the build job signs in with (AcrPush on the registry only): the GitHub variable AZURE_BUILD_CLIENT_ID."
  value       = module.github_oidc.build_client_id
}

output "github_subjects" {
  description = "The one OIDC subject the build identity trusts."
  value       = module.github_oidc.subjects
}

output "dns_zones" {
  description = "Each DNS zone, by name: its resource group (where the environments write their records) and its name servers."
  value = {
    for zone, z in azurerm_dns_zone.this : zone => {
      name                = z.name
      resource_group_name = z.resource_group_name
      name_servers        = tolist(z.name_servers)
    }
  }
}

output "name_servers" {
  description = "Delegate each zone to its name servers at its registrar, by zone (empty without DNS)."
  value       = { for zone, z in azurerm_dns_zone.this : zone => tolist(z.name_servers) }
}

output "registry_lock_id" {
  description = "The registry's delete lock: `az lock delete --ids <id>` lifts it to destroy an environment (its AcrPull) or this root; `terraform apply` here puts it back."
  value       = azurerm_management_lock.registry.id
}
