output "tenant_id" {
  description = "The tenant the identities live in (AZURE_TENANT_ID)."
  value       = data.azurerm_client_config.current.tenant_id
}

output "build_client_id" {
  description = "The build identity's client id (AZURE_BUILD_CLIENT_ID of the build job); null in an environment's root, which has none."
  value       = try(local.client_ids["build"], null)
}

output "deploy_client_id" {
  description = "The deploy identity's client id (AZURE_CLIENT_ID of the deploy job)."
  value       = try(local.client_ids["deploy"], null)
}

output "subjects" {
  description = "The one subject each identity trusts."
  value       = { for role in local.all : role => local.subjects[role] }
}

output "deploy_principal_id" {
  description = "The deploy identity's object id (the subject of its Kubernetes Role binding), or null."
  value       = try(local.principal_ids["deploy"], null)
}
