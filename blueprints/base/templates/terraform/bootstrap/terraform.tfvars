location             = <@ spec.platform.azure.location | hcl @>
resource_group_name  = <@ spec.platform.terraformState.resourceGroup | hcl @>
storage_account_name = <@ spec.platform.terraformState.storageAccount | hcl @>
container_name       = <@ spec.platform.terraformState.container | hcl @>

tags = {
  project    = <@ spec.metadata.name | hcl @>
  managed-by = "gen"
}
