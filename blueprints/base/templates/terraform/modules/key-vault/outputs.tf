output "name" {
  description = "The vault's name."
  value       = azurerm_key_vault.this.name
}

output "client_ids" {
  description = "Each service's workload identity client id, by service."
  value       = { for name, identity in azurerm_user_assigned_identity.service : name => identity.client_id }
}

output "secret_names" {
  description = "The vault secret each secretEnv name is read from, by service."
  value       = { for name, service in var.services : name => [for s in service.secrets : "${name}-${replace(s, "_", "-")}"] }
}
