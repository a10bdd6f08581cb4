output "principal_id" {
  description = "The principal given the cluster's data-plane admin role."
  value       = local.principal_id
}

output "ready" {
  description = "Known once the role has reached the API server: what depends on it waits."
  value       = terraform_data.cluster_access.id
}
