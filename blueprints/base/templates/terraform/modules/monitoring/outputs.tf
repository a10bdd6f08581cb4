output "data_collection_rule_id" {
  description = "Container Insights' data collection rule."
  value       = azurerm_monitor_data_collection_rule.container_insights.id
}

output "prometheus_workspace_id" {
  description = "The Azure Monitor workspace of the cluster's Prometheus metrics (query them there, or link a Grafana to it)."
  value       = azurerm_monitor_workspace.this.id
}
