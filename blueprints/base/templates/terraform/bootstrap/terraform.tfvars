<# Once per project: every environment keeps its state here, the first on Azure says where. #>
<% set azure_envs = environments | selectattr("platform", "eq", "azure") | list %>
<% set first = azure_envs[0].spec %>
location             = <@ first.platform.azure.location | hcl @>
resource_group_name  = <@ first.platform.terraformState.resourceGroup | hcl @>
storage_account_name = <@ first.platform.terraformState.storageAccount | hcl @>
container_name       = <@ first.platform.terraformState.container | hcl @>

# The identities of the Terraform workflow (.github/workflows/terraform.yml): the plan identity
# trusts this repository's pull requests; the drift identity, the drift checks' GitHub
# environment; the apply identity, the GitHub environment of the shared root's apply, then that
# of each environment's apply, in promotion order.
name = <@ first.metadata.name | hcl @>
<% if first.platform.github is defined %>

github_repository = <@ first.platform.github.repository | hcl @>
drift_environment = "terraform-drift"

apply_environments = [
  "terraform-shared",
<% for env in azure_envs %>
  <@ (("terraform-" ~ env.name) if env.declared else "terraform") | hcl @>,
<% endfor %>
]
<% endif %>

tags = {
  project    = <@ first.metadata.name | hcl @>
  managed-by = "gen"
}
