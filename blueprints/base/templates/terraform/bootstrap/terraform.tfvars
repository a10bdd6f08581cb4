<# Once per project: every environment keeps its state here, the first on Azure says where. #>
<% set first = (environments | selectattr("platform", "eq", "azure") | first).spec %>
location             = <@ first.platform.azure.location | hcl @>
resource_group_name  = <@ first.platform.terraformState.resourceGroup | hcl @>
storage_account_name = <@ first.platform.terraformState.storageAccount | hcl @>
container_name       = <@ first.platform.terraformState.container | hcl @>

tags = {
  project    = <@ first.metadata.name | hcl @>
  managed-by = "gen"
}
