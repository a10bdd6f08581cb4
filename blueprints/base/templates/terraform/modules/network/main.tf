# The cluster's own network: a virtual network Terraform owns, the nodes' subnet in it, and a
# NAT gateway with a static public IP for the nodes' outbound traffic. Its own, not the one
# AKS would make: a private endpoint, an application gateway or a peering joins it later as
# another subnet, with no change to the cluster; moving a cluster to another network replaces
# it.

resource "azurerm_virtual_network" "this" {
  name                = "${var.name}-vnet"
  resource_group_name = var.resource_group_name
  location            = var.location
  address_space       = [var.address_space]
  tags                = var.tags
}

resource "azurerm_subnet" "nodes" {
  #checkov:skip=CKV2_AZURE_31:AKS puts its network security group on the nodes' interfaces and adds a rule per LoadBalancer Service; one on the subnet would need each of those rules too
  name                 = "nodes"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.this.name
  address_prefixes     = [var.nodes_subnet]
  # Nothing leaves the subnet but through the NAT gateway (Azure retires the implicit way out).
  default_outbound_access_enabled = false
}

# The nodes' way out: one static address (64,512 connections per destination) that a
# partner's allow-list can name, and no SNAT port exhaustion of a load balancer's outbound
# rules. Nodes spread over zones get a StandardV2 NAT gateway and a StandardV2 address, both
# zone-redundant (Azure GA since January 2026; azurerm accepts the SKU since 4.5x): a zone's
# loss leaves the others a way out. A Standard gateway is zonal at best, so the alternative was
# a gateway, an address and a subnet per zone, and a node pool per subnet. Without zones
# (a region that has none) the Standard SKU, which Azure places. Changing the SKU replaces
# the gateway and its address: the nodes' outbound address changes once (terraform/README.md).
resource "azurerm_public_ip" "outbound" {
  name                = "${var.name}-outbound"
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = local.zone_redundant ? "StandardV2" : "Standard"
  zones               = local.zone_redundant ? var.zones : null
  tags                = var.tags
}

resource "azurerm_nat_gateway" "this" {
  name                    = "${var.name}-nat"
  resource_group_name     = var.resource_group_name
  location                = var.location
  sku_name                = local.zone_redundant ? "StandardV2" : "Standard"
  idle_timeout_in_minutes = 4
  # A StandardV2 gateway takes no zone: it is zone-redundant in every zone of the region.
  tags = var.tags
}

resource "azurerm_nat_gateway_public_ip_association" "this" {
  nat_gateway_id       = azurerm_nat_gateway.this.id
  public_ip_address_id = azurerm_public_ip.outbound.id
}

resource "azurerm_subnet_nat_gateway_association" "nodes" {
  subnet_id      = azurerm_subnet.nodes.id
  nat_gateway_id = azurerm_nat_gateway.this.id
}

locals {
  zone_redundant = length(var.zones) > 1
}
