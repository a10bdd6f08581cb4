output "id" {
  description = "The static public IP's resource id."
  value       = azurerm_public_ip.this.id
}

output "name" {
  description = "Its name (the controller's Service names it in an annotation)."
  value       = azurerm_public_ip.this.name
}

output "address" {
  description = "Its address."
  value       = azurerm_public_ip.this.ip_address
}
