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
  description = "Where images are pushed and pulled from: <login server>/<service>:<tag> (the shared root's registry)."
  value       = local.shared.registry.login_server
}

output "tenant_id" {
  description = "The Entra ID tenant GitHub signs in to (AZURE_TENANT_ID)."
  value       = module.github_oidc.tenant_id
}

output "deploy_client_id" {
  description = "The client id the deploy job signs in with (cluster user, and a Role for its releases' kinds in the services' namespaces only; with GitOps, a reader of Argo CD's Applications)."
  value       = module.github_oidc.deploy_client_id
}

output "ingress_ip" {
  description = "The edge's static public IP (the Gateway's; ingress-nginx's when no service routes through the Gateway): point each external host's A record at it."
  value       = module.public_ip.address
}

output "outbound_ip" {
  description = "The address the nodes' outbound traffic leaves from (the NAT gateway's): name it in a partner's allow-list."
  value       = module.network.outbound_ip
}

output "ingress_nginx_ip" {
  description = "ingress-nginx's static public IP (null without it): point each external host of a service with `route: ingress` at it."
  value       = var.ingress_nginx ? try(module.ingress_nginx_ip[0].address, module.public_ip.address) : null
}

output "gateway_ip" {
  description = "The Gateway's static public IP (null without one): point each external host routed through it at this address."
  value       = var.gateway == null ? null : module.public_ip.address
}

output "github_subjects" {
  description = "The one OIDC subject the deploy identity trusts (none with GitOps; the build identity's is the shared root's)."
  value       = module.github_oidc.subjects
}

output "key_vault_names" {
  description = "Each service's vault of its secretEnv values, by service (empty when no service has any): put each value there before the first deploy."
  value       = try(module.key_vault[0].names, {})
}

output "workload_client_ids" {
  description = "Each service's workload identity client id, by service (empty when no service has secretEnv): its ServiceAccount's azure.workload.identity/client-id and its SecretProviderClass's clientID. scripts/workload-identity.sh writes them for the plain manifests; with GitOps, the GitHub variable AZURE_WORKLOAD_CLIENT_ID_<SERVICE>."
  value       = try(module.key_vault[0].client_ids, {})
}

output "key_vault_secrets" {
  description = "The secrets each service reads from its own vault, by service: `az keyvault secret set --vault-name <key_vault_names[service]> --name <secret> --value ...`."
  value       = try(module.key_vault[0].secret_names, {})
}

# What the in-cluster root (cluster/) reads from this root's state: the cluster's address,
# known only once the admin's data-plane role answers, and the spec's values it applies.
output "cluster" {
  description = "The cluster's API server and CA, for the in-cluster root's providers."
  value = {
    host                   = module.aks.host
    cluster_ca_certificate = module.aks.cluster_ca_certificate
  }
  sensitive  = true
  depends_on = [module.cluster_admin]
}

output "in_cluster" {
  description = "The values the in-cluster root applies: namespaces, the Gateway (or ingress-nginx) and its IP, the deploy identity and the kinds its Role covers, Argo CD."
  value = {
    namespaces          = var.namespaces
    ingress_namespace   = var.ingress_namespace
    ingress_class_name  = var.ingress_class_name
    public_ip_name      = local.ingress_nginx_ip_name
    public_ip_group     = azurerm_resource_group.edge.name
    deploy              = var.deploy
    deploy_principal_id = module.github_oidc.deploy_principal_id
    http_routes         = var.http_routes
    ingress_nginx       = var.ingress_nginx
    persistent_volumes  = var.persistent_volumes
    secret_provider     = length(var.secret_services) > 0
    # The in-cluster stacks (terraform/cluster/modules/observability), the alerts they
    # evaluate and who Alertmanager mails.
    observability = {
      metrics      = var.metrics_stack
      logs         = var.logs_stack
      alerts       = module.monitoring.alerts
      alert_emails = var.alert_emails
      slo_services = var.slo_services
    }
    gateway = var.gateway == null ? null : {
      name           = var.gateway.name
      namespace      = var.gateway.namespace
      tls_hosts      = var.gateway_tls_hosts
      plain_hosts    = var.gateway_plain_hosts
      public_ip_name = module.public_ip.name
    }
  }
  depends_on = [module.cluster_admin]
}

output "backup" {
  description = "Where the services' backups are (terraform/README.md, \"Backups\"): the vault, its locked resource group, the snapshots' resource group and the backup instance; null without a backup."
  value = try({
    vault                   = module.backup[0].vault_name
    vault_resource_group    = module.backup[0].vault_resource_group_name
    snapshot_resource_group = module.backup[0].snapshot_resource_group_name
    instance                = module.backup[0].backup_instance_name
  }, null)
}
