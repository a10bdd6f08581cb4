# The services' volumes and namespaces backed up by AKS Backup, outside the cluster's
# lifecycle (terraform/README.md, "Backups": what survives what, and how to restore):
#
# - the Backup vault, its policy and the storage account of the backed-up Kubernetes objects
#   in a resource group of their own, under a CanNotDelete lock: destroying the cluster, its
#   node resource group or the project's resource group leaves them, and so does a
#   `terraform destroy` (Azure refuses it until someone removes the lock on purpose);
# - the disk snapshots in a resource group of their own, neither the cluster's node resource
#   group (deleted with the cluster) nor a namespace's VolumeSnapshots (deleted with it). No
#   lock there: the vault deletes each snapshot when it expires, which a lock would refuse;
#   azurerm refuses to delete a resource group that still holds snapshots it did not create.
#
# The backup extension runs in the cluster (dataprotection-microsoft) and writes the
# Kubernetes objects to the blob container; the vault reaches the cluster through trusted
# access, takes the snapshots with the cluster's identity, and keeps them `retention_days`
# (the operational tier: AKS Backup keeps them there at most 360 days; SPEC160).

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "vault" {
  name     = "${substr(var.resource_group_name, 0, 83)}-backup"
  location = var.location
  tags     = var.tags
}

# Locked: deleting the vault, the storage account or the group itself fails until the lock is
# removed (`az lock delete --name backup-cannot-delete --resource-group <group>`). Writes
# (a new backup, the policy's retention) are not affected.
resource "azurerm_management_lock" "vault" {
  name       = "backup-cannot-delete"
  scope      = azurerm_resource_group.vault.id
  lock_level = "CanNotDelete"
  notes      = "The services' backups: removing this lock lets the vault and its backups be deleted."
}

resource "azurerm_resource_group" "snapshots" {
  name     = "${substr(var.resource_group_name, 0, 80)}-snapshots"
  location = var.location
  tags     = var.tags
}

# Soft delete keeps a deleted backup instance's recovery points 14 days.
resource "azurerm_data_protection_backup_vault" "this" {
  name                       = "${var.name}-backup"
  resource_group_name        = azurerm_resource_group.vault.name
  location                   = azurerm_resource_group.vault.location
  datastore_type             = "VaultStore"
  redundancy                 = "LocallyRedundant"
  soft_delete                = "On"
  retention_duration_in_days = 14
  tags                       = var.tags

  identity {
    type = "SystemAssigned"
  }
}

# The backed-up Kubernetes objects, written by the extension. A name Azure keeps unique: the
# cluster's letters and digits and a hash of the group's id, 24 characters at most.
resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV_AZURE_43:a name checkov cannot evaluate: the cluster's lowercase letters and digits and 10 more, at most 24
  #checkov:skip=CKV_AZURE_33:queue logging: the account holds no queue
  #checkov:skip=CKV_AZURE_59:the backup extension reaches it from the cluster's nodes through the NAT gateway's address
  #checkov:skip=CKV_AZURE_206:backups of one region; the disk snapshots beside them are locally redundant too
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys need a key vault and its lifecycle
  #checkov:skip=CKV2_AZURE_33:a private endpoint needs a private DNS zone the extension resolves through
  #checkov:skip=CKV2_AZURE_40:the backup extension signs in with the account's key (Storage Account Contributor, as the provider's AKS Backup example grants it)
  #checkov:skip=CKV2_AZURE_41:no SAS is issued: the backup extension signs in with the account key (CKV2_AZURE_40)
  #checkov:skip=CKV2_AZURE_38:soft delete keeps deleted blobs 30 days; the vault's soft delete keeps its recovery points
  name                            = substr("${replace(lower(var.name), "/[^a-z0-9]/", "")}bk${substr(sha1(azurerm_resource_group.vault.id), 0, 8)}", 0, 24)
  resource_group_name             = azurerm_resource_group.vault.name
  location                        = azurerm_resource_group.vault.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  tags                            = var.tags

  blob_properties {
    delete_retention_policy {
      days = 30
    }
    container_delete_retention_policy {
      days = 30
    }
  }
}

resource "azurerm_storage_container" "this" {
  #checkov:skip=CKV2_AZURE_21:the vault's backup jobs record each backup; blob read logs would record every read the extension makes
  name                  = "aks-backup"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_kubernetes_cluster_extension" "backup" {
  name              = "azure-aks-backup"
  cluster_id        = var.cluster_id
  extension_type    = "Microsoft.DataProtection.Kubernetes"
  release_train     = "stable"
  release_namespace = "dataprotection-microsoft"
  configuration_settings = {
    "configuration.backupStorageLocation.bucket"                = azurerm_storage_container.this.name
    "configuration.backupStorageLocation.config.resourceGroup"  = azurerm_resource_group.vault.name
    "configuration.backupStorageLocation.config.storageAccount" = azurerm_storage_account.this.name
    "configuration.backupStorageLocation.config.subscriptionId" = data.azurerm_client_config.current.subscription_id
    "credentials.tenantId"                                      = data.azurerm_client_config.current.tenant_id
  }
}

# The vault operates the cluster's backups through trusted access, not a kubeconfig.
resource "azurerm_kubernetes_cluster_trusted_access_role_binding" "vault" {
  kubernetes_cluster_id = var.cluster_id
  name                  = "backup-vault"
  roles                 = ["Microsoft.DataProtection/backupVaults/backup-operator"]
  source_resource_id    = azurerm_data_protection_backup_vault.this.id
}

# Every role AKS Backup needs, and no other: the extension writes the objects to the storage
# account; the vault reads the cluster, reads and writes the blobs, and takes and deletes the
# snapshots in their group; the cluster's identity creates the snapshots' disks there on
# restore.
# (The keys and role names are known at plan, as for_each needs; the scopes and principals
# are known only once the vault, the account and the extension exist.)
locals {
  roles = {
    extension-storage      = "Storage Account Contributor"
    vault-blobs            = "Storage Blob Data Contributor"
    vault-cluster          = "Reader"
    vault-snapshots-reader = "Reader"
    vault-snapshots        = "Disk Snapshot Contributor"
    vault-snapshot-data    = "Data Operator for Managed Disks"
    cluster-snapshots      = "Contributor"
  }
  role_targets = {
    extension-storage = {
      scope = azurerm_storage_account.this.id
      who   = azurerm_kubernetes_cluster_extension.backup.aks_assigned_identity[0].principal_id
    }
    vault-blobs = {
      scope = azurerm_storage_account.this.id
      who   = azurerm_data_protection_backup_vault.this.identity[0].principal_id
    }
    vault-cluster = {
      scope = var.cluster_id
      who   = azurerm_data_protection_backup_vault.this.identity[0].principal_id
    }
    vault-snapshots-reader = {
      scope = azurerm_resource_group.snapshots.id
      who   = azurerm_data_protection_backup_vault.this.identity[0].principal_id
    }
    vault-snapshots = {
      scope = azurerm_resource_group.snapshots.id
      who   = azurerm_data_protection_backup_vault.this.identity[0].principal_id
    }
    vault-snapshot-data = {
      scope = azurerm_resource_group.snapshots.id
      who   = azurerm_data_protection_backup_vault.this.identity[0].principal_id
    }
    cluster-snapshots = {
      scope = azurerm_resource_group.snapshots.id
      who   = var.cluster_principal_id
    }
  }
}

resource "azurerm_role_assignment" "backup" {
  for_each = local.roles

  scope                = local.role_targets[each.key].scope
  role_definition_name = each.value
  principal_id         = local.role_targets[each.key].who
  principal_type       = "ServicePrincipal"
}

# The spec's schedule (an ISO 8601 repeating interval gen writes from its cron) and its
# longest retention.
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "this" {
  name                            = "${var.name}-volumes"
  resource_group_name             = azurerm_resource_group.vault.name
  vault_name                      = azurerm_data_protection_backup_vault.this.name
  backup_repeating_time_intervals = [var.schedule]

  default_retention_rule {
    life_cycle {
      duration        = "P${var.retention_days}D"
      data_store_type = "OperationalStore"
    }
  }
}

# Every namespace but Kubernetes' and AKS's own, with its volumes' snapshots: a service added
# later is covered with no change here (a change would replace the instance, which the lock
# refuses). Cluster-scoped objects are left out: Terraform makes them.
#
# Named after the cluster it protects (a hash of its id): a replaced cluster gets an instance
# of its own, beside the old one, whose recovery points stay restorable until they expire.
# Terraform cannot delete the old one (nor the extension's role on the locked storage
# account): an apply that replaces the cluster stops there, before the cluster is touched, and
# terraform/README.md, "The cluster replaced", says which two addresses to forget first.
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "this" {
  name                         = "${var.name}-${substr(sha1(var.cluster_id), 0, 8)}"
  location                     = var.location
  vault_id                     = azurerm_data_protection_backup_vault.this.id
  kubernetes_cluster_id        = var.cluster_id
  snapshot_resource_group_name = azurerm_resource_group.snapshots.name
  backup_policy_id             = azurerm_data_protection_backup_policy_kubernetes_cluster.this.id

  backup_datasource_parameters {
    excluded_namespaces              = ["kube-system", "kube-public", "kube-node-lease", "gatekeeper-system", "dataprotection-microsoft"]
    cluster_scoped_resources_enabled = false
    volume_snapshot_enabled          = true
  }

  depends_on = [
    azurerm_role_assignment.backup,
    azurerm_kubernetes_cluster_trusted_access_role_binding.vault,
    azurerm_management_lock.vault,
  ]
}
