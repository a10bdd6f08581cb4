output "public_ip_id" {
  description = "The controller's static public IP."
  value       = azurerm_public_ip.this.id
}

output "public_ip_address" {
  description = "Its address."
  value       = azurerm_public_ip.this.ip_address
}
