output "id" {
  description = "The registry's resource id."
  value       = azurerm_container_registry.this.id
}

output "name" {
  description = "The registry's name."
  value       = azurerm_container_registry.this.name
}

output "login_server" {
  description = "The registry's login server."
  value       = azurerm_container_registry.this.login_server
}
