# Storage for Terraform state: Entra ID only (no shared keys, so no key to leak), versioned
# blobs and soft delete so a damaged state can be restored, TLS 1.2, nothing public.

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "state" {
  name     = var.resource_group_name
  location = var.location
  tags     = var.tags
}

# trivy agrees with the checkov skips below: AZU-0012 (network rules), as CKV_AZURE_59;
# AZU-0057 (queue logging), as CKV_AZURE_33; AZU-0058 (geo-redundancy), as CKV_AZURE_206;
# AZU-0060 (customer-managed keys), as CKV2_AZURE_1.
#trivy:ignore:AZU-0012
#trivy:ignore:AZU-0057
#trivy:ignore:AZU-0058
#trivy:ignore:AZU-0060
resource "azurerm_storage_account" "state" {
  #checkov:skip=CKV_AZURE_33:queue logging: the account holds no queue
  #checkov:skip=CKV_AZURE_59:reached from GitHub-hosted runners and laptops; Entra ID is the only way in (no shared keys)
  #checkov:skip=CKV_AZURE_206:a state account is small and versioned; zone-redundant storage survives a zone loss
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys need a key vault and its lifecycle
  #checkov:skip=CKV2_AZURE_33:a private endpoint needs a self-hosted runner in the network
  name                              = var.storage_account_name
  resource_group_name               = azurerm_resource_group.state.name
  location                          = azurerm_resource_group.state.location
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  min_tls_version                   = "TLS1_2"
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  allow_nested_items_to_be_public   = false
  infrastructure_encryption_enabled = true
  tags                              = var.tags

  lifecycle {
    prevent_destroy = true
  }

  blob_properties {
    versioning_enabled = true
    delete_retention_policy {
      days = 30
    }
    container_delete_retention_policy {
      days = 30
    }
  }
}

# Soft delete and versions bring back blobs, not the account: deleting it loses every state at
# once. Azure refuses to delete the account (or its resource group, from the portal or the
# CLI) while the lock is on, and Terraform refuses to plan its destruction
# (prevent_destroy on the account): whoever means it edits that out and removes the lock
# first (`az lock delete --name state-cannot-delete --resource-group ... --resource-type
# Microsoft.Storage/storageAccounts --resource ...`). Blob writes are not affected.
resource "azurerm_management_lock" "state" {
  name       = "state-cannot-delete"
  scope      = azurerm_storage_account.state.id
  lock_level = "CanNotDelete"
  notes      = "Holds the Terraform state of every environment: remove this lock by hand before deleting the account."
}

resource "azurerm_storage_container" "state" {
  #checkov:skip=CKV2_AZURE_21:blob read logging would need a diagnostic setting per account; the state is versioned
  name                  = var.container_name
  storage_account_id    = azurerm_storage_account.state.id
  container_access_type = "private"
}

# Whoever runs this bootstrap may read and write state; give the pipeline's identity the same
# role when it runs `terraform plan`.
resource "azurerm_role_assignment" "state" {
  scope                = azurerm_storage_account.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = data.azurerm_client_config.current.object_id
}

# An Azure role assignment takes minutes to reach the storage data plane, and the next
# command (the platform root's `terraform init`) reads the state with Entra ID: this root
# finishes only once the container answers the principal that applied it. A bounded poll,
# like the cluster admin's wait: every 10 s for at most 5 minutes, returning as soon as the
# role has arrived, failing with the reason when it never does. Needs `az` on the PATH.
resource "terraform_data" "state_access" {
  triggers_replace = [azurerm_role_assignment.state.id, azurerm_storage_container.state.id]

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    environment = {
      ACCOUNT   = azurerm_storage_account.state.name
      CONTAINER = azurerm_storage_container.state.name
    }
    command = <<-EOT
      set -euo pipefail
      for attempt in $(seq 1 30); do
        if az storage blob list --auth-mode login --account-name "$ACCOUNT" --container-name "$CONTAINER" --num-results 1 --output none > /dev/null 2>&1; then
          echo "the state container answers"
          exit 0
        fi
        echo "waiting for Storage Blob Data Contributor to reach the state container ($attempt/30)"
        sleep 10
      done
      echo "after 5 minutes the state container $CONTAINER in $ACCOUNT still refuses this principal (Storage Blob Data Contributor)" >&2
      exit 1
    EOT
  }
}
