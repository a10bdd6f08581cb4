# The identities GitHub Actions signs in as through OIDC, with no secret anywhere: `build`
# pushes images to exactly one registry (it exists once, beside the registry, in the shared
# root); `deploy` (with GitOps, only a reader of Argo CD's Applications) reads this environment's
# cluster credentials and writes only in the services' namespaces (seed 001's own
# least-privilege lesson). Each trusts exactly one subject: this repository's branch, or for
# deploys its GitHub environment, so that every environment's deploy has a subject of its own.

data "azurerm_client_config" "current" {}

locals {
  managed  = var.mode == "managed-identity"
  issuer   = "https://token.actions.githubusercontent.com"
  audience = "api://AzureADTokenExchange"
  subjects = {
    build  = "repo:${var.repository}:ref:refs/heads/${var.branch}"
    deploy = var.environment == null ? "repo:${var.repository}:ref:refs/heads/${var.branch}" : "repo:${var.repository}:environment:${var.environment}"
  }
  all   = concat(var.build_identity ? ["build"] : [], var.deploy_identity ? ["deploy"] : [])
  roles = toset(local.managed ? [] : local.all)
  mis   = toset(local.managed ? local.all : [])
  principal_ids = {
    for role in local.all : role => (
      local.managed ? azurerm_user_assigned_identity.github[role].principal_id : azuread_service_principal.github[role].object_id
    )
  }
  client_ids = {
    for role in local.all : role => (
      local.managed ? azurerm_user_assigned_identity.github[role].client_id : azuread_application_registration.github[role].client_id
    )
  }
}

# identity: managed-identity
resource "azurerm_user_assigned_identity" "github" {
  for_each            = local.mis
  name                = "${var.name}-github-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "github" {
  for_each                  = local.mis
  name                      = "github-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.github[each.key].id
  issuer                    = local.issuer
  audience                  = [local.audience]
  subject                   = local.subjects[each.key]
}

# identity: app-registration
resource "azuread_application_registration" "github" {
  for_each     = local.roles
  display_name = "${var.name}-github-${each.key}"
}

resource "azuread_service_principal" "github" {
  for_each  = local.roles
  client_id = azuread_application_registration.github[each.key].client_id
}

resource "azuread_application_federated_identity_credential" "github" {
  #checkov:skip=CKV_AZURE_249:the subject is one repository's branch or GitHub environment (local.subjects, gen's TF rule federated-subject-too-broad checks it); checkov leaves local.subjects[each.key] unresolved once the cluster takes a subnet from another module, and fails what it did not read
  for_each       = local.roles
  application_id = azuread_application_registration.github[each.key].id
  display_name   = "github-${each.key}"
  issuer         = local.issuer
  audiences      = [local.audience]
  subject        = local.subjects[each.key]
}

# What each may do.
resource "azurerm_role_assignment" "build_push" {
  count                = var.build_identity ? 1 : 0
  scope                = var.registry_id
  role_definition_name = "AcrPush"
  principal_id         = local.principal_ids["build"]
  principal_type       = "ServicePrincipal"
}

# The deploy identity fetches the cluster's (Entra ID) kubeconfig; what it may do inside is a
# Kubernetes Role in each service's namespace, made by terraform/cluster/ for exactly the
# kinds the releases contain.
resource "azurerm_role_assignment" "deploy_cluster_user" {
  count                = var.deploy_identity ? 1 : 0
  scope                = var.cluster_id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = local.principal_ids["deploy"]
  principal_type       = "ServicePrincipal"
}
