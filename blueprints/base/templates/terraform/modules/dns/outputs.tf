output "name_servers" {
  description = "The zone's name servers, to delegate it to at the registrar."
  value       = azurerm_dns_zone.this.name_servers
}
