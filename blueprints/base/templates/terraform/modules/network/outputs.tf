output "nodes_subnet_id" {
  description = "The nodes' subnet, once its NAT gateway is attached (the cluster's outbound type requires it)."
  value       = azurerm_subnet_nat_gateway_association.nodes.subnet_id
}

output "outbound_ip" {
  description = "The address the nodes' outbound traffic comes from."
  value       = azurerm_public_ip.outbound.ip_address
}
