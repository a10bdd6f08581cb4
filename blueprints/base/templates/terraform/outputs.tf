output "resource_group_name" {
  description = "The platform's resource group."
  value       = azurerm_resource_group.this.name
}

output "cluster_name" {
  description = "The cluster: `az aks get-credentials -g <resource_group_name> -n <cluster_name>`, then kubelogin."
  value       = module.aks.name
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer, for workload identity."
  value       = module.aks.oidc_issuer_url
}

output "registry_login_server" {
  description = "Where images are pushed: <login server>/<service>:<tag>."
  value       = module.acr.login_server
}

output "tenant_id" {
  description = "The Entra ID tenant GitHub signs in to (AZURE_TENANT_ID)."
  value       = module.github_oidc.tenant_id
}

output "build_client_id" {
  description = "The client id the build job signs in with (AcrPush on the registry only); null in the environments that do not create the registry."
  value       = module.github_oidc.build_client_id
}

output "deploy_client_id" {
  description = "The client id the deploy job signs in with (cluster user, writer in the services' namespaces only); null with GitOps, which has no deploy identity."
  value       = module.github_oidc.deploy_client_id
}

output "ingress_ip" {
  description = "The ingress controller's static public IP."
  value       = module.ingress_nginx.public_ip_address
}

output "name_servers" {
  description = "Delegate the zone to these name servers at its registrar (empty without DNS)."
  value       = try(module.dns[0].name_servers, [])
}

output "github_subjects" {
  description = "The one OIDC subject each GitHub identity trusts (build; deploy without GitOps)."
  value       = module.github_oidc.subjects
}
