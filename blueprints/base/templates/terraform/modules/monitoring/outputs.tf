output "data_collection_rule_id" {
  description = "Container Insights' data collection rule."
  value       = azurerm_monitor_data_collection_rule.container_insights.id
}

output "prometheus_workspace_id" {
  description = "The Azure Monitor workspace of the cluster's Prometheus metrics (query them there, or link a Grafana to it); null with kube-prometheus-stack in the cluster."
  value       = try(azurerm_monitor_workspace.this[0].id, null)
}

output "alerts" {
  description = "The alerts on the certificates as Prometheus rule groups, for kube-prometheus-stack in the cluster to evaluate (terraform/cluster/modules/observability), when managed Prometheus does not (the stack's own rules watch the workloads)."
  value       = var.managed_prometheus ? [] : local.alert_groups
}
