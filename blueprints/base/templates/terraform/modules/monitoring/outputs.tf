output "data_collection_rule_id" {
  description = "Container Insights' data collection rule."
  value       = azurerm_monitor_data_collection_rule.container_insights.id
}
