output "id" {
  description = "The cluster's resource id."
  value       = azurerm_kubernetes_cluster.this.id
}

output "name" {
  description = "The cluster's name."
  value       = azurerm_kubernetes_cluster.this.name
}

output "host" {
  description = "The API server's address."
  value       = azurerm_kubernetes_cluster.this.kube_config[0].host
  sensitive   = true
}

output "cluster_ca_certificate" {
  description = "The API server's CA certificate, base64."
  value       = azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate
  sensitive   = true
}

output "kubelet_object_id" {
  description = "The kubelet identity's object id (it pulls images)."
  value       = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
}

output "cluster_principal_id" {
  description = "The cluster's own identity (it manages load balancers and their IPs)."
  value       = azurerm_user_assigned_identity.cluster.principal_id
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "workspace_id" {
  description = "The Log Analytics workspace of the cluster's logs."
  value       = azurerm_log_analytics_workspace.this.id
}
