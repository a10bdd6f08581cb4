output "names" {
  description = "Each service's vault's name, by service."
  value       = { for name, vault in azurerm_key_vault.service : name => vault.name }
}

output "client_ids" {
  description = "Each service's workload identity client id, by service."
  value       = { for name, identity in azurerm_user_assigned_identity.service : name => identity.client_id }
}

output "secret_names" {
  description = "The secret each secretEnv name is read from, in the service's own vault, by service."
  value       = { for name, service in var.services : name => [for s in service.secrets : replace(s, "_", "-")] }
}
