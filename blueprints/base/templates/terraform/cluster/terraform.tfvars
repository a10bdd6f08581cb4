<# The in-cluster root's values: where the platform root keeps its state. The same in every
   workspace (each environment's state is a workspace of the same key). #>
<% set state = (environments | selectattr("platform", "eq", "azure") | first).spec.platform.terraformState %>
# Where the platform root (../) keeps its state; every other value is read from there.
state_resource_group_name  = <@ state.resourceGroup | hcl @>
state_storage_account_name = <@ state.storageAccount | hcl @>
state_container_name       = <@ state.container | hcl @>
platform_state_key         = <@ (spec.metadata.name ~ ".tfstate") | hcl @>
