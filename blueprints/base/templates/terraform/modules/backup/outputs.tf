output "vault_name" {
  description = "The Backup vault (restores: terraform/README.md, \"Backups\")."
  value       = azurerm_data_protection_backup_vault.this.name
}

output "vault_resource_group_name" {
  description = "The vault's locked resource group."
  value       = azurerm_resource_group.vault.name
}

output "snapshot_resource_group_name" {
  description = "The resource group of the volumes' snapshots."
  value       = azurerm_resource_group.snapshots.name
}

output "backup_instance_name" {
  description = "The cluster's backup instance in the vault."
  value       = azurerm_data_protection_backup_instance_kubernetes_cluster.this.name
}
