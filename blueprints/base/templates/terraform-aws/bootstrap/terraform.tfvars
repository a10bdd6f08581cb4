<# The bootstrap root's values: the state bucket of the first environment on AWS. #>
<% set first = (environments | selectattr("platform", "eq", "aws") | first).spec %>
# The state bucket every later root keeps its state in (../README.md, "First time").
region     = <@ first.platform.aws.region | hcl @>
account_id = <@ first.platform.aws.accountId | hcl @>
bucket     = <@ first.platform.aws.state.bucket | hcl @>

tags = {
  project    = <@ first.metadata.name | hcl @>
  managed-by = "gen"
}
