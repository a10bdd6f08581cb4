# One environment's records in a zone of the shared root (terraform/shared/), which creates
# and locks the zone: a zone is delegated to one set of name servers, so it outlives every
# environment that writes in it. Its lock sits on the zone's SOA record set, so that the
# records here can still be changed and deleted.

# An alias record per host: it follows the IP resource, so it can never point at an address
# the platform no longer owns.
resource "azurerm_dns_a_record" "host" {
  for_each            = toset(var.hosts)
  name                = each.value == var.zone ? "@" : trimsuffix(each.value, ".${var.zone}")
  zone_name           = var.zone
  resource_group_name = var.resource_group_name
  ttl                 = 300
  target_resource_id  = var.ip_id
  tags                = var.tags
}

# The hosts routed through the Gateway point at its own IP.
resource "azurerm_dns_a_record" "gateway_host" {
  for_each            = toset(var.gateway_hosts)
  name                = each.value == var.zone ? "@" : trimsuffix(each.value, ".${var.zone}")
  zone_name           = var.zone
  resource_group_name = var.resource_group_name
  ttl                 = 300
  target_resource_id  = var.gateway_ip_id
  tags                = var.tags
}
