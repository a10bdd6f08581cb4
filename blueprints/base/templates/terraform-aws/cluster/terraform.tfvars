<# The in-cluster root's values: where the platform root keeps its state. The same in every
   workspace (each environment's state is a workspace of the same key). #>
<% set first = (environments | selectattr("platform", "eq", "aws") | first).spec %>
# Where the platform root (../) keeps its state; every other value is read from there.
state_bucket       = <@ first.platform.aws.state.bucket | hcl @>
region             = <@ first.platform.aws.region | hcl @>
platform_state_key = <@ (spec.metadata.name ~ ".tfstate") | hcl @>
