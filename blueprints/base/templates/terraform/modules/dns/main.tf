resource "azurerm_dns_zone" "this" {
  name                = var.zone
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

# An alias record per host: it follows the IP resource, so it can never point at an address
# the platform no longer owns.
resource "azurerm_dns_a_record" "host" {
  for_each            = toset(var.hosts)
  name                = each.value == var.zone ? "@" : trimsuffix(each.value, ".${var.zone}")
  zone_name           = azurerm_dns_zone.this.name
  resource_group_name = var.resource_group_name
  ttl                 = 300
  target_resource_id  = var.ip_id
  tags                = var.tags
}
