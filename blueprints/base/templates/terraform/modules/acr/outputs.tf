output "id" {
  description = "The registry's resource id."
  value       = local.id
}

output "login_server" {
  description = "The registry's login server."
  value       = var.create ? azurerm_container_registry.this[0].login_server : "${lower(var.name)}.azurecr.io"
}
