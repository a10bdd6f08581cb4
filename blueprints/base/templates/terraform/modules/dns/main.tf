# A zone is delegated to one set of name servers: environments that share it write their
# records in the zone the first of them created (create_zone false names its resource group).
resource "azurerm_dns_zone" "this" {
  count               = var.create_zone ? 1 : 0
  name                = var.zone
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

# An alias record per host: it follows the IP resource, so it can never point at an address
# the platform no longer owns.
resource "azurerm_dns_a_record" "host" {
  for_each            = toset(var.hosts)
  name                = each.value == var.zone ? "@" : trimsuffix(each.value, ".${var.zone}")
  zone_name           = var.create_zone ? azurerm_dns_zone.this[0].name : var.zone
  resource_group_name = var.resource_group_name
  ttl                 = 300
  target_resource_id  = var.ip_id
  tags                = var.tags
}

# The hosts routed through the Gateway point at its own IP.
resource "azurerm_dns_a_record" "gateway_host" {
  for_each            = toset(var.gateway_hosts)
  name                = each.value == var.zone ? "@" : trimsuffix(each.value, ".${var.zone}")
  zone_name           = var.create_zone ? azurerm_dns_zone.this[0].name : var.zone
  resource_group_name = var.resource_group_name
  ttl                 = 300
  target_resource_id  = var.gateway_ip_id
  tags                = var.tags
}
