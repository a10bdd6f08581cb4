# The static public IP the cluster's edge (the ingress controller's load balancer) answers on.
# Terraform owns it, apart from the controller installed in terraform/cluster/: DNS records
# point at it, so it must outlive the controller's Service, and an external host's record
# (spec: externalHosts) is set to it once, by hand, from the `ingress_ip` output.

resource "azurerm_public_ip" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = length(var.zones) > 0 ? var.zones : null
  tags                = var.tags
}

# The cluster's identity attaches the IP to the load balancer it manages: Azure's cloud
# provider lists the IPs of the group the Service names, so the role is on that group, which
# holds the edge's IPs alone (the platform root makes it for them): never the zone's.
resource "azurerm_role_assignment" "cluster_network" {
  count                = var.role ? 1 : 0
  scope                = var.resource_group_id
  role_definition_name = "Network Contributor"
  principal_id         = var.cluster_principal
  principal_type       = "ServicePrincipal"
}
