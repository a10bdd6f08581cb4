<# The bootstrap root's values: the state bucket of the first environment on AWS, and the
   Terraform workflow's roles. #>
<% set aws_envs = environments | selectattr("platform", "eq", "aws") | list %>
<% set first = aws_envs[0].spec %>
# The state bucket every later root keeps its state in (../README.md, "First time").
region     = <@ first.platform.aws.region | hcl @>
account_id = <@ first.platform.aws.accountId | hcl @>
bucket     = <@ first.platform.aws.state.bucket | hcl @>

# GitHub's OIDC provider and the roles of the Terraform workflow (.github/workflows/terraform.yml):
# the plan role trusts this repository's pull requests, the drift role the drift checks' GitHub
# environment, the apply role the GitHub environment of the shared root's apply, then that of
# each environment's apply, in promotion order.
name = <@ first.metadata.name | hcl @>
<% if first.platform.github is defined %>

github_repository = <@ first.platform.github.repository | hcl @>
drift_environment = "terraform-drift"

apply_environments = [
  "terraform-shared",
<% for env in aws_envs %>
  <@ (("terraform-" ~ env.name) if env.declared else "terraform") | hcl @>,
<% endfor %>
]
<% endif %>

tags = {
  project    = <@ first.metadata.name | hcl @>
  managed-by = "gen"
}
