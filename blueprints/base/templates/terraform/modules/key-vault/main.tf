# The services' secrets (spec: secretEnv), one vault per service, which Terraform creates and
# never fills: the values are put there by a person, once, before the first deploy (the
# declared prerequisite the project's README lists, checked by the deploy job before Helm runs). Each
# service reads its own vault, and no other, through the Secrets Store CSI driver (the
# cluster's key_vault_secrets_provider add-on) as its own workload identity, trusted for its
# ServiceAccount alone. Everything is keyed by the service's name, known at plan.

data "azurerm_client_config" "current" {}

# trivy agrees with the checkov skips below: AZU-0013 (a network ACL that denies by default),
# as CKV_AZURE_109.
#trivy:ignore:AZU-0013
resource "azurerm_key_vault" "service" {
  for_each = var.services
  #checkov:skip=CKV_AZURE_109:the CSI driver on the nodes and GitHub-hosted runners reach the vault over its public endpoint; access is Entra ID and RBAC only
  #checkov:skip=CKV_AZURE_189:as CKV_AZURE_109: a private vault needs a private endpoint and a self-hosted runner
  #checkov:skip=CKV2_AZURE_32:as CKV_AZURE_109: no private endpoint without a network the runner is in
  name                          = each.value.vault
  resource_group_name           = var.resource_group_name
  location                      = var.location
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = true
  tags                          = var.tags
}

# Every read and write of a secret, and who made it, in the cluster's Log Analytics workspace
# (the vault's audit log; Azure keeps none otherwise).
resource "azurerm_monitor_diagnostic_setting" "vault_audit" {
  for_each                   = var.services
  name                       = "audit"
  target_resource_id         = azurerm_key_vault.service[each.key].id
  log_analytics_workspace_id = var.workspace_id

  enabled_log {
    category_group = "audit"
  }
}

# Whoever administers the platform writes the values, in every vault (and nothing else does).
resource "azurerm_role_assignment" "vault_admin" {
  for_each             = var.services
  scope                = azurerm_key_vault.service[each.key].id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = var.admin_principal_id
}

# One identity per service, trusted for exactly its ServiceAccount (named after the service,
# as the release is), reading its own vault's secrets.
resource "azurerm_user_assigned_identity" "service" {
  for_each            = var.services
  # A renamed service keeps its identity (a new name would be a new identity, and a new client
  # id for its pods): named after the name it had.
  name                = "${var.name_prefix}-${coalesce(each.value.former, each.key)}"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "service" {
  for_each                  = var.services
  name                      = "kubernetes-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.service[each.key].id
  issuer                    = var.oidc_issuer_url
  audience                  = ["api://AzureADTokenExchange"]
  subject                   = "system:serviceaccount:${each.value.namespace}:${each.key}"
}

resource "azurerm_role_assignment" "service_secrets" {
  for_each             = var.services
  scope                = azurerm_key_vault.service[each.key].id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.service[each.key].principal_id
  principal_type       = "ServicePrincipal"
}

# The deploy identity checks that every value is there before Helm runs (names and dates
# only: Key Vault Reader never reads a value), in each vault, and reads each service
# identity's client id, which it gives the chart. Gated on var.deploy_identity, known at
# plan, not on the principal id: that is unknown until the identity exists, and a for_each
# that depends on it stops the first plan ("Invalid for_each argument").
resource "azurerm_role_assignment" "deploy_vault_reader" {
  for_each             = var.deploy_identity ? var.services : {}
  scope                = azurerm_key_vault.service[each.key].id
  role_definition_name = "Key Vault Reader"
  principal_id         = var.deploy_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_identity_reader" {
  for_each             = var.deploy_identity ? var.services : {}
  scope                = azurerm_user_assigned_identity.service[each.key].id
  role_definition_name = "Reader"
  principal_id         = var.deploy_principal_id
  principal_type       = "ServicePrincipal"
}

# A project rendered by an earlier gen had one vault for every service, at these addresses.
# Applying this render takes them out of the state and leaves them in Azure (not destroyed:
# the old vault still holds the values, which terraform/README.md, "Key Vault: one vault per
# service", copies into each service's vault, then deletes the old vault by hand), with the
# admin's role on it and its audit log. Addresses the state does not hold (a project that never
# had the old vault) are nothing to remove: the blocks change nothing there.
removed {
  from = azurerm_key_vault.this

  lifecycle {
    destroy = false
  }
}

removed {
  from = azurerm_role_assignment.admin_secrets

  lifecycle {
    destroy = false
  }
}

removed {
  from = azurerm_monitor_diagnostic_setting.audit

  lifecycle {
    destroy = false
  }
}
