output "id" {
  description = "The registry's resource id."
  value       = azurerm_container_registry.this.id
}

output "login_server" {
  description = "The registry's login server."
  value       = azurerm_container_registry.this.login_server
}
