output "name_servers" {
  description = "The zone's name servers, to delegate it to at the registrar (empty where another environment created the zone)."
  value       = var.create_zone ? tolist(azurerm_dns_zone.this[0].name_servers) : []
}
