output "nodes_subnet_id" {
  description = "The nodes' subnet, once its NAT gateway is attached and has its IP (the cluster's outbound type requires it: nodes created before would have no way out)."
  value       = azurerm_subnet_nat_gateway_association.nodes.subnet_id
  depends_on  = [azurerm_nat_gateway_public_ip_association.this]
}

output "outbound_ip" {
  description = "The address the nodes' outbound traffic comes from."
  value       = azurerm_public_ip.outbound.ip_address
}
